// `c2c deploy --local`: the synthesized stack applied into a running emulator with AWS SDK clients
// pointed at it, and the record of what it made kept for the next deploy (or --destroy).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ensurePrivateDir, writePrivateFile } from '@c2c-kit/local-guard';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DeployError } from '../errors.js';
import {
  ApplyError,
  type ApplyOptions,
  applyTemplate,
  destroyStack,
  type StackRecord,
} from './apply.js';
import type { AssemblyStack } from './assembly.js';
import type { SecretReader } from './dynamicReferences.js';
import { type ApplyEnv, isAwsError } from './handlers/types.js';
import { recordFileOf } from './records.js';
import { startResponseServer } from './responseServer.js';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface LocalDeployOptions {
  readonly stack: AssemblyStack;
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Directory of the stack records (one JSON file per endpoint, account, region and stack). */
  readonly recordDir: string;
  /** Tear the recorded stack down instead of deploying. */
  readonly destroy?: boolean;
  /** Default 5 minutes. */
  readonly customResourceTimeoutMs?: number;
  readonly onProgress?: ApplyOptions['onProgress'];
}

export interface LocalDeployResult {
  readonly record: StackRecord | undefined;
  readonly recordFile: string;
}

/** The earlier deploy's record, unless the emulator no longer has its functions (a restart in memory). */
async function previousRecord(
  file: string,
  lambda: LambdaClient,
): Promise<StackRecord | undefined> {
  if (!existsSync(file)) return undefined;
  let record: StackRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as StackRecord;
  } catch (error) {
    throw new DeployError(
      `stack record ${file}: ${(error as Error).message} (delete it to deploy afresh)`,
    );
  }
  for (const resource of Object.values(record.resources ?? {})) {
    if (resource.type !== 'AWS::Lambda::Function') continue;
    try {
      await lambda.send(new GetFunctionCommand({ FunctionName: resource.physicalId }));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }
  return record;
}

/** Deploys (or with `destroy`, tears down) one stack of a cloud assembly in the emulator. */
export async function deployLocal(o: LocalDeployOptions): Promise<LocalDeployResult> {
  const config = {
    endpoint: o.endpoint,
    region: o.region,
    credentials: o.credentials,
    // Custom resources and first invocations may take a while on a loaded machine.
    requestHandler: new NodeHttpHandler({ requestTimeout: 120_000 }),
    maxAttempts: 2,
  };
  const clients = {
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    secrets: new SecretsManagerClient(config),
  };
  const sts = new STSClient(config);
  const responses = await startResponseServer();
  try {
    let accountId: string;
    try {
      accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
    } catch (error) {
      const e = error as { name?: string; message?: string; code?: string };
      throw new DeployError(
        `the emulator at ${o.endpoint} did not answer GetCallerIdentity (${e.name ?? e.code ?? 'error'}: ${e.message ?? ''}); is it running, and are these its credentials?`,
        { cause: error },
      );
    }
    const recordFile = recordFileOf(o.recordDir, o.endpoint, {
      accountId,
      region: o.region,
      stackName: o.stack.name,
    });
    const previous = await previousRecord(recordFile, clients.lambda);
    const env: ApplyEnv = {
      ...clients,
      stack: o.stack,
      stackName: o.stack.name,
      stackId:
        previous?.stackId ??
        `arn:aws:cloudformation:${o.region}:${accountId}:stack/${o.stack.name}/${crypto.randomUUID()}`,
      accountId,
      region: o.region,
      responses,
      customResourceTimeoutMs: o.customResourceTimeoutMs ?? 300_000,
    };
    if (o.destroy) {
      if (previous) await destroyStack(previous, env, o.onProgress);
      rmSync(recordFile, { force: true });
      return { record: undefined, recordFile };
    }
    const readSecret: SecretReader = async (ref) => {
      const got = await clients.secrets.send(
        new GetSecretValueCommand({
          SecretId: ref.secretId,
          ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}),
          ...(ref.versionId ? { VersionId: ref.versionId } : {}),
        }),
      );
      if (got.SecretString === undefined)
        throw new DeployError(`secret ${ref.secretId} has no SecretString`);
      return got.SecretString;
    };
    const save = (record: StackRecord) => {
      ensurePrivateDir(join(recordFile, '..'));
      writePrivateFile(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    };
    try {
      const record = await applyTemplate({
        template: o.stack.template,
        env,
        ...(o.parameters ? { parameters: o.parameters } : {}),
        ...(previous ? { previous } : {}),
        readSecret,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
      save(record);
      return { record, recordFile };
    } catch (error) {
      // What was applied before the failure is kept, so the next deploy updates it in place.
      if (error instanceof ApplyError) save(error.partial);
      throw error;
    }
  } finally {
    await responses.close();
    for (const c of [...Object.values(clients), sts]) c.destroy();
  }
}
