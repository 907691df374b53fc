import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  ListEventSourceMappingsCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from './helpers/eventually.js';
import { miClient } from './helpers/mi-client.js';
import {
  ACCOUNT,
  EAST,
  fixture,
  invokeEcho,
  jsonLines,
  useRegionalEmulator,
  WEST,
} from './helpers/regions.js';

// SQS queues, event source mappings and Secrets Manager secrets live per account AND region, as
// on AWS, and the managed-integrations service invokes a connector's function in the connector's
// region. Real SDK clients over a socket; state kept across a restart. Lambda functions, versions
// and Function URLs: lambda-regions.test.ts.

const regional = useRegionalEmulator();

describe('SQS queues and event source mappings are regional', () => {
  it('the same queue name in two regions: two URLs, two ARNs, two sets of messages', async () => {
    // Prepare
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
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
    expect(eastUrl).toBe(`${regional.emu.url}/queue/${EAST}/${ACCOUNT}/jobs`);
    expect(westUrl).toBe(`${regional.emu.url}/queue/${WEST}/${ACCOUNT}/jobs`);
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
    const west = regional.clients(WEST);
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
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    const out = join(regional.dir, 'west-worker.jsonl');
    await regional.register({
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
      () => jsonLines(out),
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
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
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
    const westRecord = join(regional.dir, 'west-connector.jsonl');
    const eastRecord = join(regional.dir, 'east-connector.jsonl');
    await regional.register({
      name: 'connector',
      handler: fixture('connectors/recording-connector.mjs'),
      environment: { RECORD_FILE: westRecord, USER_ID: 'west-user' },
      region: WEST,
    });
    await regional.register({
      name: 'connector',
      handler: fixture('connectors/recording-connector.mjs'),
      environment: { RECORD_FILE: eastRecord, FAIL_OPS: 'AWS.ActivateUser' },
    });
    const mi = miClient(regional.emu.url, TEST_CREDENTIALS, WEST);
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
      await regional.emu.app.managedIntegrations.drain();
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
    const ops = jsonLines(westRecord).map(
      (l) => (l.event as { payload: { operationName: string } }).payload.operationName,
    );
    expect(ops).toEqual(['AWS.ActivateUser', 'AWS.ActivateUser']);
    expect(jsonLines(eastRecord)).toEqual([]);
  });
});

describe('after a restart', () => {
  it('every region keeps its own functions, queues and secrets', async () => {
    // Prepare: a function of each region under one name, and an alias of the eu-west-1 one (the
    // queues, the secret and the mapping are the ones created above).
    for (const [region, greeting] of [
      [WEST, 'west'],
      [EAST, 'east'],
    ] as const) {
      await regional.register({
        name: 'echo',
        handler: fixture('functions/echo.mjs'),
        environment: { GREETING: greeting },
        region,
      });
    }
    await regional.register({
      name: 'west-only',
      handler: fixture('functions/echo.mjs'),
      region: WEST,
    });
    const before = regional.clients(WEST);
    await before.lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    await before.lambda.send(
      new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }),
    );
    // Act
    await regional.restart();
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    // Assess
    expect((await invokeEcho(west.lambda, 'echo')).env.GREETING).toBe('west');
    expect((await invokeEcho(east.lambda, 'echo')).env.GREETING).toBe('east');
    await expect(
      east.lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const alias = await west.lambda.send(
      new GetAliasCommand({ FunctionName: 'echo', Name: 'live' }),
    );
    expect(alias.FunctionVersion).toBe('1');
    const westUrl = `${regional.emu.url}/queue/${WEST}/${ACCOUNT}/jobs`;
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
