import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCredential, RunningEmulator } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import { TEST_CREDENTIALS } from './helpers/credentials.js';
import { eventually } from './helpers/eventually.js';
import { miClient } from './helpers/mi-client.js';

// Lambda, SQS and Secrets Manager resources live per account AND region, as on AWS: the region
// of the request's SigV4 scope decides which region's resources it sees, ARNs carry the region
// they were created in, and the managed-integrations service invokes a connector's function in
// the connector's region. Real SDK clients over a socket; state kept across a restart.

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const ACCOUNT = TEST_CREDENTIALS.accountId;
const OTHER: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITOTHER00001',
  secretAccessKey: 'c2c-kit-other-secret-access-key-00000001',
  accountId: '444455556666',
};

const fixture = (path: string): string =>
  fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'c2c-regions-'));
let emu: RunningEmulator;

function clientConfig(region: string, credentials: EmulatorCredential = TEST_CREDENTIALS) {
  return {
    endpoint: emu.url,
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
  };
}

/** SDK clients of one region (and account), destroyed after the test file. */
const opened: Array<{ destroy(): void }> = [];
function clients(region: string, credentials?: EmulatorCredential) {
  const set = {
    lambda: new LambdaClient(clientConfig(region, credentials)),
    sqs: new SQSClient(clientConfig(region, credentials)),
    sm: new SecretsManagerClient(clientConfig(region, credentials)),
  };
  opened.push(set.lambda, set.sqs, set.sm);
  return set;
}

/** Registers a function through the emulator's unsigned tool API, as `c2c dev` does. */
async function register(body: Record<string, unknown>): Promise<Record<string, string>> {
  const res = await fetch(`${emu.url}/_local/functions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, string>;
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

async function invoke(lambda: LambdaClient, name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
  return JSON.parse(Buffer.from(out.Payload ?? []).toString()) as {
    env: Record<string, string | undefined>;
    context: { invokedFunctionArn: string };
  };
}

const lines = (file: string): Array<Record<string, unknown>> =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

beforeAll(async () => {
  emu = await startEmulator({ dataDir: join(dir, 'data'), credentials: [TEST_CREDENTIALS, OTHER] });
});

afterAll(async () => {
  for (const c of opened) c.destroy();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Lambda functions are regional', () => {
  it('a function of eu-west-1 exists there only; the same name in us-east-1 is another function', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    const registered = await register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'west' },
      region: WEST,
    });
    await register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'east' },
    });
    const westArn = `arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo`;
    // Act
    const got = await west.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const fromWest = await invoke(west.lambda, 'echo');
    const fromEast = await invoke(east.lambda, 'echo');
    const byArn = await invoke(west.lambda, westArn);
    // Assess
    expect(registered).toMatchObject({ arn: westArn, region: WEST });
    expect(got.Configuration?.FunctionArn).toBe(westArn);
    expect(fromWest.env).toMatchObject({ GREETING: 'west', AWS_REGION: WEST });
    expect(fromWest.context.invokedFunctionArn).toBe(westArn);
    expect(fromEast.env).toMatchObject({ GREETING: 'east', AWS_REGION: EAST });
    expect(fromEast.context.invokedFunctionArn).toBe(
      `arn:aws:lambda:${EAST}:${ACCOUNT}:function:echo`,
    );
    expect(byArn.env.GREETING).toBe('west');
  });

  it('a name of another region is 404; an ARN of another region is not reachable, as on AWS', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    await register({ name: 'west-only', handler: fixture('functions/echo.mjs'), region: WEST });
    const westArn = `arn:aws:lambda:${WEST}:${ACCOUNT}:function:west-only`;
    // Act + Assess
    await expect(
      east.lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${EAST}:${ACCOUNT}:function:west-only`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: westArn, Payload: '{}' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Functions from '${WEST}' are not reachable in this region ('${EAST}')`,
    });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: westArn, InvocationType: 'DryRun' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // A partial ARN naming the region is held to the same rule.
    await expect(
      east.lambda.send(
        new GetFunctionCommand({ FunctionName: `${WEST}:${ACCOUNT}:function:west-only` }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Another account of the same region has no such function either.
    await expect(
      clients(WEST, OTHER).lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({
      message: `Function not found: arn:aws:lambda:${WEST}:${OTHER.accountId}:function:west-only`,
    });
    const dry = await west.lambda.send(
      new InvokeCommand({ FunctionName: westArn, InvocationType: 'DryRun' }),
    );
    expect(dry.StatusCode).toBe(204);
    // A registration names a real region or is refused, naming the field.
    const bad = await fetch(`${emu.url}/_local/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', handler: fixture('functions/echo.mjs'), region: 'mars' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('region: expected a region name such as us-east-1');
  });

  it('versions and aliases belong to the function of their region', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    // Act
    const published = await west.lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    const alias = await west.lambda.send(
      new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }),
    );
    const eastVersions = await east.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'echo' }),
    );
    const viaAlias = await invoke(west.lambda, 'echo:live');
    // Assess
    expect(published.FunctionArn).toBe(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo:1`);
    expect(alias.AliasArn).toBe(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo:live`);
    expect(eastVersions.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    await expect(
      east.lambda.send(new GetAliasCommand({ FunctionName: 'echo', Name: 'live' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: 'echo:live', Payload: '{}' })),
    ).rejects.toMatchObject({
      message: `Function not found: arn:aws:lambda:${EAST}:${ACCOUNT}:function:echo:live`,
    });
    expect(viaAlias.env).toMatchObject({ GREETING: 'west', AWS_LAMBDA_FUNCTION_VERSION: '1' });
    expect(viaAlias.context.invokedFunctionArn).toBe(alias.AliasArn);
  });

  it('each region and account has its own Function URL', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    await register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'other account' },
      accountId: OTHER.accountId,
      region: WEST,
    });
    // Act
    const westUrl = (
      await west.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }))
    ).FunctionUrl as string;
    const eastUrl = (
      await east.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }))
    ).FunctionUrl as string;
    const otherUrl = (
      await clients(WEST, OTHER).lambda.send(
        new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }),
      )
    ).FunctionUrl as string;
    const greeting = async (url: string) => {
      const res = await fetch(`${url}hello`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { env: Record<string, string> }).env;
    };
    // Assess
    expect(eastUrl).toBe(`${emu.url}/lambda-url/echo/`);
    expect(westUrl).toBe(`${emu.url}/lambda-url/echo.${WEST}.${ACCOUNT}/`);
    expect(otherUrl).toBe(`${emu.url}/lambda-url/echo.${WEST}.${OTHER.accountId}/`);
    expect(await greeting(eastUrl)).toMatchObject({ GREETING: 'east', AWS_REGION: EAST });
    expect(await greeting(westUrl)).toMatchObject({ GREETING: 'west', AWS_REGION: WEST });
    expect(await greeting(otherUrl)).toMatchObject({ GREETING: 'other account' });
    for (const missing of [`echo.ap-south-1.${ACCOUNT}`, 'west-only', 'echo.eu-west-1', 'a.b.c']) {
      const res = await fetch(`${emu.url}/lambda-url/${missing}/`);
      expect(res.status, missing).toBe(404);
    }
  });
});

describe('SQS queues and event source mappings are regional', () => {
  it('the same queue name in two regions: two URLs, two ARNs, two sets of messages', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    const eastUrl = (await east.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' })))
      .QueueUrl as string;
    const westUrl = (await west.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' })))
      .QueueUrl as string;
    // Act
    await west.sqs.send(new SendMessageCommand({ QueueUrl: westUrl, MessageBody: 'for west' }));
    const eastGot = await east.sqs.send(new ReceiveMessageCommand({ QueueUrl: eastUrl }));
    const westGot = await west.sqs.send(new ReceiveMessageCommand({ QueueUrl: westUrl }));
    const westArn = await west.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: westUrl, AttributeNames: ['QueueArn'] }),
    );
    const eastList = await east.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'jobs' }));
    // Assess
    expect(eastUrl).toBe(`${emu.url}/queue/${EAST}/${ACCOUNT}/jobs`);
    expect(westUrl).toBe(`${emu.url}/queue/${WEST}/${ACCOUNT}/jobs`);
    expect(eastGot.Messages).toBeUndefined();
    expect(westGot.Messages?.map((m) => m.Body)).toEqual(['for west']);
    expect(westArn.Attributes?.QueueArn).toBe(`arn:aws:sqs:${WEST}:${ACCOUNT}:jobs`);
    expect(eastList.QueueUrls).toEqual([eastUrl]);
    // A URL of another region names no queue where the request is signed for.
    await expect(
      east.sqs.send(new SendMessageCommand({ QueueUrl: westUrl, MessageBody: 'lost' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    // A malformed escape in the URL is the caller's error, not the emulator's.
    await expect(
      east.sqs.send(new SendMessageCommand({ QueueUrl: `${eastUrl}%zz`, MessageBody: 'x' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('a dead-letter queue must be of the same region', async () => {
    const west = clients(WEST);
    await expect(
      west.sqs.send(
        new CreateQueueCommand({
          QueueName: 'with-east-dlq',
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:${EAST}:${ACCOUNT}:jobs`,
              maxReceiveCount: 2,
            }),
          },
        }),
      ),
    ).rejects.toThrow(/Dead letter target does not exist/);
  });

  it('a mapping polls a queue of its function region, and is invisible from another region', async () => {
    // Prepare
    const east = clients(EAST);
    const west = clients(WEST);
    const out = join(dir, 'west-worker.jsonl');
    await register({
      name: 'worker',
      handler: fixture('functions/sqs-worker.mjs'),
      environment: { OUTPUT_FILE: out },
      region: WEST,
    });
    const url = (await west.sqs.send(new CreateQueueCommand({ QueueName: 'work' })))
      .QueueUrl as string;
    const queueArn = `arn:aws:sqs:${WEST}:${ACCOUNT}:work`;
    // Act
    const mapping = await west.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: queueArn }),
    );
    await west.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello west' }));
    const seen = await eventually(
      () => lines(out),
      (l) => l.length > 0,
    );
    // Assess
    expect(mapping.FunctionArn).toBe(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:worker`);
    expect(mapping.EventSourceMappingArn).toBe(
      `arn:aws:lambda:${WEST}:${ACCOUNT}:event-source-mapping:${mapping.UUID}`,
    );
    expect(seen[0]).toMatchObject({
      body: 'hello west',
      awsRegion: WEST,
      eventSourceARN: queueArn,
    });
    await expect(
      east.lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const eastList = await east.lambda.send(new ListEventSourceMappingsCommand({}));
    expect(eastList.EventSourceMappings?.map((m) => m.UUID)).not.toContain(mapping.UUID);
    const westList = await west.lambda.send(new ListEventSourceMappingsCommand({}));
    expect(westList.EventSourceMappings?.map((m) => m.UUID)).toContain(mapping.UUID);
    // A queue of another region than the function's is refused.
    await expect(
      west.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'worker',
          EventSourceArn: `arn:aws:sqs:${EAST}:${ACCOUNT}:jobs`,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining(`event source region must match Lambda region ${WEST}`),
    });
  });
});

describe('Secrets Manager secrets are regional', () => {
  it('a secret of eu-west-1 is not found from us-east-1, by name or by ARN', async () => {
    const east = clients(EAST);
    const west = clients(WEST);
    const created = await west.sm.send(
      new CreateSecretCommand({ Name: 'acme/oauth', SecretString: 'west secret' }),
    );
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${WEST}:${ACCOUNT}:secret:`));
    for (const SecretId of ['acme/oauth', created.ARN as string]) {
      await expect(east.sm.send(new GetSecretValueCommand({ SecretId }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      const got = await west.sm.send(new GetSecretValueCommand({ SecretId }));
      expect(got.SecretString).toBe('west secret');
    }
  });
});

describe('the managed-integrations service invokes a connector in its region', () => {
  it('a bare function name and an ARN both run the function of the connector region', async () => {
    // Prepare: the same function name in both regions; the us-east-1 one refuses ActivateUser,
    // so an invocation that resolved in the wrong region fails the association.
    const westRecord = join(dir, 'west-connector.jsonl');
    const eastRecord = join(dir, 'east-connector.jsonl');
    await register({
      name: 'connector',
      handler: fixture('connectors/recording-connector.mjs'),
      environment: { RECORD_FILE: westRecord, USER_ID: 'west-user' },
      region: WEST,
    });
    await register({
      name: 'connector',
      handler: fixture('connectors/recording-connector.mjs'),
      environment: { RECORD_FILE: eastRecord, FAIL_OPS: 'AWS.ActivateUser' },
    });
    const mi = miClient(emu.url, TEST_CREDENTIALS, WEST);
    const associationVia = async (lambdaArn: string): Promise<Record<string, unknown>> => {
      const connector = await mi('CreateCloudConnector', {
        Name: `via-${lambdaArn.length}`,
        EndpointConfig: { lambda: { arn: lambdaArn } },
      });
      expect(connector.status, connector.text).toBe(201);
      const destination = await mi('CreateConnectorDestination', {
        CloudConnectorId: connector.json.Id as string,
        AuthConfig: {
          GeneralAuthorization: [
            {
              AuthMaterialName: 'key',
              SecretsManager: {
                arn: `arn:aws:secretsmanager:${WEST}:${ACCOUNT}:secret:key-AbCdEf`,
                versionId: '00000000-0000-0000-0000-000000000001',
              },
            },
          ],
        },
      });
      expect(destination.status, destination.text).toBe(201);
      const association = await mi('CreateAccountAssociation', {
        ConnectorDestinationId: destination.json.Id as string,
      });
      expect(association.status, association.text).toBe(201);
      await emu.app.managedIntegrations.drain();
      const got = await mi('GetAccountAssociation', {
        AccountAssociationId: association.json.AccountAssociationId as string,
      });
      return got.json;
    };
    // Act
    const byName = await associationVia('connector');
    const byArn = await associationVia(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:connector`);
    // Assess
    expect(byName).toMatchObject({ AssociationState: 'ASSOCIATION_SUCCEEDED' });
    expect(byArn).toMatchObject({ AssociationState: 'ASSOCIATION_SUCCEEDED' });
    const ops = lines(westRecord).map(
      (l) => (l.event as { payload: { operationName: string } }).payload.operationName,
    );
    expect(ops).toEqual(['AWS.ActivateUser', 'AWS.ActivateUser']);
    expect(lines(eastRecord)).toEqual([]);
  });
});

describe('after a restart', () => {
  it('every region keeps its own functions, queues and secrets', async () => {
    // Act
    await emu.close();
    emu = await startEmulator({
      dataDir: join(dir, 'data'),
      credentials: [TEST_CREDENTIALS, OTHER],
    });
    const east = clients(EAST);
    const west = clients(WEST);
    // Assess
    expect((await invoke(west.lambda, 'echo')).env.GREETING).toBe('west');
    expect((await invoke(east.lambda, 'echo')).env.GREETING).toBe('east');
    await expect(
      east.lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const alias = await west.lambda.send(
      new GetAliasCommand({ FunctionName: 'echo', Name: 'live' }),
    );
    expect(alias.FunctionVersion).toBe('1');
    const westUrl = `${emu.url}/queue/${WEST}/${ACCOUNT}/jobs`;
    await west.sqs.send(new SendMessageCommand({ QueueUrl: westUrl, MessageBody: 'again' }));
    const got = await west.sqs.send(new ReceiveMessageCommand({ QueueUrl: westUrl }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['again']);
    await expect(
      east.sm.send(new GetSecretValueCommand({ SecretId: 'acme/oauth' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const mappings = await west.lambda.send(new ListEventSourceMappingsCommand({}));
    expect(mappings.EventSourceMappings?.map((m) => m.FunctionArn)).toEqual([
      `arn:aws:lambda:${WEST}:${ACCOUNT}:function:worker`,
    ]);
  });
});
