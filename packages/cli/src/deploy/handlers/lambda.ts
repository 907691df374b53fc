// AWS::Lambda::Function, ::Url, ::Permission and ::EventSourceMapping through the Lambda API.
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  type FunctionConfiguration,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { DeployError } from '../../errors.js';
import { zipAsset, zipInline } from '../zipAsset.js';
import {
  type ApplyEnv,
  bool,
  isAwsError,
  num,
  type Props,
  physicalName,
  type ResourceHandler,
  str,
} from './types.js';

function refuseUnsupported(props: Props, keys: readonly string[], where: string): void {
  for (const key of keys) {
    if (props[key] !== undefined) {
      throw new DeployError(`${where}.${key}: not supported by the emulator's Lambda host`);
    }
  }
}

/** The zip the template's `Code` names: a cloud-assembly asset (by S3 key) or inline code. */
function codeOf(props: Props, env: ApplyEnv, where: string): Uint8Array {
  const code = props.Code as Props | undefined;
  if (code === undefined || typeof code !== 'object')
    throw new DeployError(`${where}.Code: required`);
  if (typeof code.ZipFile === 'string') return zipInline(code.ZipFile);
  if (code.ImageUri !== undefined) {
    throw new DeployError(
      `${where}.Code.ImageUri: container images are not supported by the emulator's Lambda host`,
    );
  }
  const key = str(code, 'S3Key', `${where}.Code`);
  const asset = key === undefined ? undefined : env.stack.assetsByObjectKey.get(key);
  if (asset === undefined) {
    throw new DeployError(
      `${where}.Code: S3 object ${String(key)} is no asset of the cloud assembly (the local deploy reads assets from it, not from S3)`,
    );
  }
  return zipAsset(asset.path, asset.packaging);
}

function configuration(props: Props, where: string) {
  const runtime = str(props, 'Runtime', where);
  if (runtime === undefined || !/^nodejs\d+\.x$/.test(runtime)) {
    throw new DeployError(
      `${where}.Runtime: ${runtime ?? '(none)'}: the emulator's Lambda host runs Node.js functions only`,
    );
  }
  const environment = (props.Environment as Props | undefined)?.Variables as
    | Record<string, string>
    | undefined;
  const timeout = num(props, 'Timeout', where);
  const memory = num(props, 'MemorySize', where);
  const description = str(props, 'Description', where);
  return {
    Runtime: runtime as FunctionConfiguration['Runtime'],
    Role: str(props, 'Role', where) ?? '',
    Handler: str(props, 'Handler', where) ?? 'index.handler',
    ...(timeout === undefined ? {} : { Timeout: timeout }),
    ...(memory === undefined ? {} : { MemorySize: memory }),
    ...(description === undefined ? {} : { Description: description }),
    ...(environment === undefined ? {} : { Environment: { Variables: environment } }),
  };
}

export const functionHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    refuseUnsupported(
      props,
      ['Layers', 'VpcConfig', 'FileSystemConfigs', 'ImageConfig', 'SnapStart'],
      where,
    );
    if (props.PackageType === 'Image') {
      throw new DeployError(
        `${where}.PackageType: Image is not supported by the emulator's Lambda host`,
      );
    }
    const zip = codeOf(props, env, where);
    const config = configuration(props, where);
    const name =
      previous?.physicalId ?? str(props, 'FunctionName', where) ?? physicalName(env, logicalId, 64);
    const update = async () => {
      await env.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
      return env.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }),
      );
    };
    let out: FunctionConfiguration;
    if (previous) out = await update();
    else {
      try {
        const architectures = props.Architectures as FunctionConfiguration['Architectures'];
        out = await env.lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Code: { ZipFile: zip },
            ...config,
            ...(architectures ? { Architectures: architectures } : {}),
          }),
        );
      } catch (error) {
        // Left by a deploy whose record is gone: the same deterministic name, updated in place.
        if (!isAwsError(error, 'ResourceConflictException')) throw error;
        out = await update();
      }
    }
    return { physicalId: name, attributes: { Arn: out.FunctionArn } };
  },
  async remove(_logicalId, resource, env) {
    try {
      await env.lambda.send(new DeleteFunctionCommand({ FunctionName: resource.physicalId }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },
};

export const functionUrlHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    const target = str(props, 'TargetFunctionArn', where);
    if (target === undefined) throw new DeployError(`${where}.TargetFunctionArn: required`);
    const qualifier = str(props, 'Qualifier', where);
    const input = {
      FunctionName: target,
      AuthType: (str(props, 'AuthType', where) ?? 'NONE') as 'NONE' | 'AWS_IAM',
      ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
      ...(props.Cors === undefined ? {} : { Cors: props.Cors as never }),
      ...(props.InvokeMode === undefined ? {} : { InvokeMode: props.InvokeMode as 'BUFFERED' }),
    };
    let url: { FunctionUrl?: string; FunctionArn?: string };
    try {
      url = previous
        ? await env.lambda.send(new UpdateFunctionUrlConfigCommand(input))
        : await env.lambda.send(new CreateFunctionUrlConfigCommand(input));
    } catch (error) {
      if (!isAwsError(error, 'ResourceConflictException')) throw error;
      url = await env.lambda.send(new UpdateFunctionUrlConfigCommand(input));
    }
    return {
      physicalId: url.FunctionArn ?? target,
      attributes: { FunctionUrl: url.FunctionUrl, FunctionArn: url.FunctionArn },
    };
  },
  async remove(_logicalId, resource, env) {
    const target = resource.properties.TargetFunctionArn as string;
    try {
      await env.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: target }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },
};

async function removeStatement(env: ApplyEnv, functionName: string, statementId: string) {
  try {
    await env.lambda.send(
      new RemovePermissionCommand({ FunctionName: functionName, StatementId: statementId }),
    );
  } catch (error) {
    if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
  }
}

export const permissionHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    const functionName = str(props, 'FunctionName', where);
    const action = str(props, 'Action', where);
    const principal = str(props, 'Principal', where);
    if (!functionName || !action || !principal) {
      throw new DeployError(`${where}: FunctionName, Action and Principal are required`);
    }
    const statementId = previous?.physicalId ?? physicalName(env, logicalId, 100);
    if (previous)
      await removeStatement(env, previous.properties.FunctionName as string, statementId);
    const optional = (key: string) => {
      const v = key === 'InvokedViaFunctionUrl' ? bool(props, key, where) : str(props, key, where);
      return v === undefined ? {} : { [key]: v };
    };
    const input = {
      FunctionName: functionName,
      StatementId: statementId,
      Action: action,
      Principal: principal,
      ...optional('SourceArn'),
      ...optional('SourceAccount'),
      ...optional('EventSourceToken'),
      ...optional('FunctionUrlAuthType'),
      ...optional('InvokedViaFunctionUrl'),
      ...optional('PrincipalOrgID'),
    };
    try {
      await env.lambda.send(new AddPermissionCommand(input));
    } catch (error) {
      if (!isAwsError(error, 'ResourceConflictException')) throw error;
      await removeStatement(env, functionName, statementId);
      await env.lambda.send(new AddPermissionCommand(input));
    }
    return { physicalId: statementId, attributes: {} };
  },
  async remove(_logicalId, resource, env) {
    await removeStatement(env, resource.properties.FunctionName as string, resource.physicalId);
  },
};

export const eventSourceMappingHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    refuseUnsupported(
      props,
      [
        'FilterCriteria',
        'DestinationConfig',
        'ScalingConfig',
        'StartingPosition',
        'Topics',
        'Queues',
      ],
      where,
    );
    const functionName = str(props, 'FunctionName', where);
    const source = str(props, 'EventSourceArn', where);
    if (!functionName || !source)
      throw new DeployError(`${where}: FunctionName and EventSourceArn are required`);
    const batchSize = num(props, 'BatchSize', where);
    const window = num(props, 'MaximumBatchingWindowInSeconds', where);
    const enabled = bool(props, 'Enabled', where);
    const settings = {
      FunctionName: functionName,
      ...(batchSize === undefined ? {} : { BatchSize: batchSize }),
      ...(window === undefined ? {} : { MaximumBatchingWindowInSeconds: window }),
      ...(enabled === undefined ? {} : { Enabled: enabled }),
      ...(props.FunctionResponseTypes === undefined
        ? {}
        : { FunctionResponseTypes: props.FunctionResponseTypes as 'ReportBatchItemFailures'[] }),
    };
    const out = previous
      ? await env.lambda.send(
          new UpdateEventSourceMappingCommand({ UUID: previous.physicalId, ...settings }),
        )
      : await env.lambda.send(
          new CreateEventSourceMappingCommand({ EventSourceArn: source, ...settings }),
        );
    return {
      physicalId: out.UUID ?? '',
      attributes: { Id: out.UUID, EventSourceMappingArn: out.EventSourceMappingArn },
    };
  },
  async remove(_logicalId, resource, env) {
    try {
      await env.lambda.send(new DeleteEventSourceMappingCommand({ UUID: resource.physicalId }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },
};
