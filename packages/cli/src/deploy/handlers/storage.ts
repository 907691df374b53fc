// AWS::SQS::Queue, AWS::DynamoDB::Table and AWS::SecretsManager::Secret through their APIs.
import { randomInt } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { DeployError } from '../../errors.js';
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

/** CloudFormation queue properties that are SQS attributes of the same name. */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedrivePolicy',
  'RedriveAllowPolicy',
] as const;

function queueAttributes(props: Props): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of QUEUE_ATTRIBUTES) {
    const v = props[key];
    if (v === undefined) continue;
    out[key] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export const queueHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    const fifo = bool(props, 'FifoQueue', where) === true;
    const name =
      (previous?.attributes.QueueName as string | undefined) ??
      str(props, 'QueueName', where) ??
      physicalName(env, logicalId, 80, fifo ? '.fifo' : '');
    const attributes = queueAttributes(props);
    const { FifoQueue: _fifo, ...changeable } = attributes;
    let url: string;
    if (previous) {
      url = previous.physicalId;
      await env.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
    } else {
      try {
        url = (
          await env.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))
        ).QueueUrl as string;
      } catch (error) {
        // The queue is there with other attributes (a deploy whose record is gone): set them.
        if (!isAwsError(error, 'QueueNameExists', 'QueueAlreadyExists')) throw error;
        url = (await env.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
        await env.sqs.send(
          new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }),
        );
      }
    }
    const got = await env.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return {
      physicalId: url,
      attributes: { Arn: got.Attributes?.QueueArn, QueueName: name, QueueUrl: url },
    };
  },
  async remove(_logicalId, resource, env) {
    try {
      await env.sqs.send(new DeleteQueueCommand({ QueueUrl: resource.physicalId }));
    } catch (error) {
      if (!isAwsError(error, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'))
        throw error;
    }
  },
};

async function waitActive(env: ApplyEnv, table: string) {
  for (let i = 0; i < 100; i++) {
    const d = await env.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus === 'ACTIVE') return d.Table;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new DeployError(`table ${table} did not become ACTIVE within 10 s`);
}

export const tableHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    const name =
      previous?.physicalId ?? str(props, 'TableName', where) ?? physicalName(env, logicalId, 255);
    const keys = [
      'AttributeDefinitions',
      'KeySchema',
      'GlobalSecondaryIndexes',
      'LocalSecondaryIndexes',
    ];
    if (
      previous &&
      keys.some((k) => JSON.stringify(previous.properties[k]) !== JSON.stringify(props[k]))
    ) {
      throw new DeployError(
        `${where}: its keys or indexes changed; CloudFormation would replace the table: delete the stack locally first (c2c deploy --local --destroy)`,
      );
    }
    if (!previous) {
      const input: CreateTableCommandInput = {
        TableName: name,
        AttributeDefinitions: props.AttributeDefinitions as never,
        KeySchema: props.KeySchema as never,
        BillingMode: (str(props, 'BillingMode', where) ?? 'PROVISIONED') as 'PAY_PER_REQUEST',
        ...(props.ProvisionedThroughput
          ? { ProvisionedThroughput: props.ProvisionedThroughput as never }
          : {}),
        ...(props.GlobalSecondaryIndexes
          ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as never }
          : {}),
        ...(props.LocalSecondaryIndexes
          ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes as never }
          : {}),
        // Encryption at rest (SSESpecification) is recorded, not emulated: dynalite keeps plain files.
      };
      try {
        await env.dynamodb.send(new CreateTableCommand(input));
      } catch (error) {
        if (!isAwsError(error, 'ResourceInUseException')) throw error;
      }
    }
    const table = await waitActive(env, name);
    const ttl = props.TimeToLiveSpecification as Props | undefined;
    if (ttl !== undefined) {
      await env.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: {
            AttributeName: str(ttl, 'AttributeName', `${where}.TimeToLiveSpecification`) ?? '',
            Enabled: bool(ttl, 'Enabled', `${where}.TimeToLiveSpecification`) ?? false,
          },
        }),
      );
    }
    return {
      physicalId: name,
      attributes: { Arn: table.TableArn, StreamArn: table.LatestStreamArn },
    };
  },
  async remove(_logicalId, resource, env) {
    try {
      await env.dynamodb.send(new DeleteTableCommand({ TableName: resource.physicalId }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },
};

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** `GenerateSecretString`, as Secrets Manager's GetRandomPassword generates one. */
export function generateSecretString(spec: Props, where: string): string {
  const length = num(spec, 'PasswordLength', where) ?? 32;
  const exclude = new Set(str(spec, 'ExcludeCharacters', where) ?? '');
  const pools = [
    bool(spec, 'ExcludeLowercase', where) ? '' : 'abcdefghijklmnopqrstuvwxyz',
    bool(spec, 'ExcludeUppercase', where) ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    bool(spec, 'ExcludeNumbers', where) ? '' : '0123456789',
    bool(spec, 'ExcludePunctuation', where) ? '' : PUNCTUATION,
    bool(spec, 'IncludeSpace', where) ? ' ' : '',
  ]
    .map((pool) => [...pool].filter((c) => !exclude.has(c)).join(''))
    .filter((pool) => pool !== '');
  if (pools.length === 0 || !Number.isInteger(length) || length < pools.length || length > 4096) {
    throw new DeployError(
      `${where}: cannot generate a ${length}-character secret from the characters left`,
    );
  }
  const all = pools.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)] as string);
  if (bool(spec, 'RequireEachIncludedType', where) !== false) {
    // One of each kind at distinct random places, as RequireEachIncludedType promises.
    const places = [...chars.keys()];
    for (let i = places.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [places[i], places[j]] = [places[j] as number, places[i] as number];
    }
    pools.forEach((pool, i) => {
      chars[places[i] as number] = pool[randomInt(pool.length)] as string;
    });
  }
  const password = chars.join('');
  const template = str(spec, 'SecretStringTemplate', where);
  const key = str(spec, 'GenerateStringKey', where);
  if (template === undefined || key === undefined) return password;
  return JSON.stringify({ ...(JSON.parse(template) as Props), [key]: password });
}

export const secretHandler: ResourceHandler = {
  async apply({ logicalId, properties: props, previous }, env) {
    const where = `${logicalId}.Properties`;
    const given = str(props, 'SecretString', where);
    const spec = props.GenerateSecretString as Props | undefined;
    if (given !== undefined && spec !== undefined) {
      throw new DeployError(`${where}: give SecretString or GenerateSecretString, not both`);
    }
    const name = str(props, 'Name', where) ?? physicalName(env, logicalId, 256);
    const description = str(props, 'Description', where);
    if (previous) {
      // A generated value stays what it was, as CloudFormation keeps it across updates.
      if (given !== undefined && given !== previous.properties.SecretString) {
        await env.secrets.send(
          new PutSecretValueCommand({ SecretId: previous.physicalId, SecretString: given }),
        );
      }
      return { physicalId: previous.physicalId, attributes: { Id: previous.physicalId } };
    }
    const value = given ?? generateSecretString(spec ?? {}, `${where}.GenerateSecretString`);
    let arn: string;
    try {
      arn = (
        await env.secrets.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: value,
            ...(description === undefined ? {} : { Description: description }),
          }),
        )
      ).ARN as string;
    } catch (error) {
      if (!isAwsError(error, 'ResourceExistsException')) throw error;
      arn = (await env.secrets.send(new DescribeSecretCommand({ SecretId: name }))).ARN as string;
    }
    return { physicalId: arn, attributes: { Id: arn } };
  },
  async remove(_logicalId, resource, env) {
    try {
      await env.secrets.send(
        new DeleteSecretCommand({
          SecretId: resource.physicalId,
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },
};
