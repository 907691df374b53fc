// End to end against the running emulator (not a mock of it) and the simulated vendor cloud:
// the test connector is bundled with esbuild and runs in the emulator's Lambda host; the
// service invokes it, its work queue is the emulator's SQS with an event source mapping, and
// the vendor's signed webhooks arrive on its Function URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { type StartedVendorCloud, startVendorCloud } from '@c2c-kit/vendor-cloud';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { createConnector } from '../src/handler/createConnector.js';
import { SecretsManagerReader } from '../src/handler/secrets.js';
import { createJsonLogger } from '../src/log/logger.js';
import { replayOutbox } from '../src/outbox/outbox.js';
import { SqsOutbox } from '../src/outbox/sqsOutbox.js';
import { InProcessWorkQueue } from '../src/queue/workQueue.js';
import { lambdaFunctionArnLookup, resolveConnectorId } from '../src/resolve/connectorId.js';
import { SqliteOutbox } from '../src/sqlite.js';
import { signStandardWebhook } from '../src/webhooks/verify.js';
import { bundleFixture } from './helpers/bundle.js';
import { drainWork } from './helpers/drain.js';
import { eventually, LOCAL_CREDENTIALS, miCaller, vendorLogin } from './helpers/mi.js';

const FUNCTION = 'acme-fan-connector';
const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };

let emu: RunningEmulator;
let vendor: StartedVendorCloud;
let mi: ReturnType<typeof miCaller>;
let lambda: LambdaClient;
let dir: string;
let functionUrl: string;
let functionArn: string;
const state: Record<string, string> = {};

type Note = { messageType: string; payload: Record<string, unknown> };
const notes = (type: string): Note[] =>
  emu.app.managedIntegrations.hub.recent({ eventType: type }) as unknown as Note[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2c-connector-e2e-'));
  const bundle = await bundleFixture('fan-connector');
  emu = await startEmulator({
    memory: true,
    credentials: [LOCAL_CREDENTIALS],
    invoke: { backoffMs: 5, timeoutMs: 5000 },
  });
  mi = miCaller(emu.url);
  const cfg = { ...aws, endpoint: emu.url };
  lambda = new LambdaClient(cfg);
  const sqs = new SQSClient(cfg);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'acme-work-dlq' }));
  const dlqArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'acme-work',
      Attributes: {
        VisibilityTimeout: '5',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '3' }),
      },
    }),
  );
  state.workQueueUrl = work.QueueUrl as string;
  const workArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: work.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  sqs.destroy();
  functionUrl = `${emu.url}/lambda-url/${FUNCTION}/`;
  vendor = await startVendorCloud({
    webhookUrl: functionUrl,
    tickIntervalMs: 0,
    seed: 7,
    webhookRetry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
  });
  functionArn = emu.app.lambdaHost.registerFunction({
    name: FUNCTION,
    handler: bundle,
    exportName: 'handler',
    timeoutSeconds: 30,
    environment: {
      ACME_API_URL: vendor.url,
      ACME_WEBHOOK_SECRETS: vendor.webhooks.secret,
      C2C_WORK_QUEUE_URL: work.QueueUrl as string,
      C2C_TEST_STATE_DIR: dir,
    },
  }).arn;
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: FUNCTION,
      EventSourceArn: workArn,
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }),
  );
  const sm = new SecretsManagerClient(cfg);
  const secret = await sm.send(
    new CreateSecretCommand({
      Name: 'acme/oauth',
      SecretString: JSON.stringify({
        clientId: 'c2c-kit-connector',
        clientSecret: 'c2c-kit-connector-secret',
      }),
    }),
  );
  sm.destroy();
  const connector = await mi('CreateCloudConnector', {
    Name: 'acme-fans',
    EndpointConfig: { lambda: { arn: functionArn } },
  });
  state.connectorId = connector.json.Id as string;
  const dest = await mi('CreateConnectorDestination', {
    CloudConnectorId: state.connectorId,
    AuthType: 'OAUTH',
    AuthConfig: {
      oAuth: {
        authUrl: `${vendor.url}/oauth/authorize`,
        tokenUrl: `${vendor.url}/oauth/token`,
        scope: 'devices:read devices:write',
        tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
      },
    },
    SecretsManager: { arn: secret.ARN as string, versionId: secret.VersionId as string },
  });
  expect(dest.status, dest.text).toBe(201);
  state.destinationId = dest.json.Id as string;
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await vendor?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('connector runtime against the emulator', () => {
  it('links an account: ActivateUser resolves the vendor user through the connector', async () => {
    const assoc = await mi('CreateAccountAssociation', {
      ConnectorDestinationId: state.destinationId as string,
      Name: 'alice-home',
    });
    expect(assoc.status, assoc.text).toBe(201);
    state.associationId = assoc.json.AccountAssociationId as string;
    await vendorLogin(assoc.json.OAuthAuthorizationUrl as string, 'alice', 'alice-password');
    const got = await mi('GetAccountAssociation', { AccountAssociationId: state.associationId });
    expect(got.json.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
  });

  it('discovery round trip: ACK, SQS work, DEVICE_DISCOVERY with the deviceDiscoveryId', async () => {
    const started = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: state.associationId as string,
    });
    expect(started.status, started.text).toBe(201);
    const id = started.json.Id as string;
    const done = await eventually(async () => {
      const got = await mi('GetDeviceDiscovery', { Identifier: id });
      return got.json.Status === 'SUCCEEDED' ? got : undefined;
    }, 'discovery to succeed');
    expect(done.json.Status).toBe('SUCCEEDED');
    const devices = await mi('ListDiscoveredDevices', { Identifier: id });
    expect(devices.json.Items).toEqual([
      expect.objectContaining({
        ConnectorDeviceId: 'fan-1',
        ConnectorDeviceName: 'Living room fan',
      }),
    ]);
    const status = notes('DEVICE_DISCOVERY_STATUS').at(-1);
    expect(status?.payload).toMatchObject({
      deviceDiscoveryId: id,
      status: 'SUCCEEDED',
      deviceCount: 1,
    });
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${id}:fan-1`,
      Name: 'Fan',
    });
    expect(thing.status, thing.text).toBe(201);
    state.thingId = thing.json.Id as string;
    // A new thing is UNASSOCIATED until the customer registers it to the link.
    const registered = await mi('RegisterAccountAssociation', {
      ManagedThingId: state.thingId,
      AccountAssociationId: state.associationId as string,
      DeviceDiscoveryId: id,
    });
    expect(registered.status, registered.text).toBe(201);
  });

  it('command round trip: FanMode High → vendor setMode → DEVICE_COMMAND_RESPONSE (succeeded) with the traceId', async () => {
    const sent = await mi('SendManagedThingCommand', {
      ManagedThingId: state.thingId as string,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            {
              id: 'matter.FanControl@1.4',
              name: 'Fan Control',
              version: '4',
              actions: [{ name: 'FanMode', parameters: { FanMode: 3 } }],
            },
          ],
        },
      ],
    });
    expect(sent.status, sent.text).toBe(202);
    const traceId = sent.json.TraceId as string;
    const result = await eventually(
      () => notes('DEVICE_COMMAND').find((n) => n.payload.traceId === traceId),
      'DEVICE_COMMAND notification',
    );
    expect(result.payload.result).toBe('succeeded');
    const fan = vendor.simulation
      .allDevices()
      .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as
      | { state: { mode: string } }
      | undefined;
    expect(fan?.state.mode).toBe('high');
    state.traceId = traceId;
  });

  it("the seed's fan example: vendor webhook → DEVICE_EVENT → customer notification with FanMode High", async () => {
    // The command above made the vendor cloud emit a signed device.state webhook (source "command").
    await vendor.webhooks.idle();
    const event = await eventually(
      () =>
        notes('DEVICE_EVENT').find((n) =>
          JSON.stringify(n.payload).includes('"name":"FanMode","value":3'),
        ),
      'DEVICE_EVENT notification with FanMode 3',
    );
    expect(JSON.stringify(event.payload)).toContain('matter.FanControl@1.4');
    const log = vendor.webhooks.log() as Array<{
      state: string;
      type: string;
      deviceId: string;
      attempts: Array<{ status?: number }>;
    }>;
    const delivery = log.find((d) => d.type === 'device.state' && d.deviceId === 'fan-1');
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.at(-1)?.status).toBe(202); // accepted by the connector's Function URL
    const stateNow = await mi('GetManagedThingState', { ManagedThingId: state.thingId as string });
    expect(JSON.stringify(stateNow.json)).toContain('"name":"FanMode","value":3');
  });

  it('forged, expired and unsigned webhooks are rejected at the Function URL; a replay is not re-sent', async () => {
    const body = JSON.stringify({
      eventId: 'evt_x',
      type: 'device.state',
      deviceId: 'fan-1',
      kind: 'fan',
      userId: 'u',
      data: { mode: 'low' },
    });
    const post = async (headers: Record<string, string>) => {
      const res = await request(functionUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const now = Math.floor(Date.now() / 1000);
    const forged = signStandardWebhook({
      secret: 'whsec_Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0',
      id: 'evt_forged',
      timestamp: now,
      body,
    });
    expect((await post(forged)).status).toBe(401);
    const expired = signStandardWebhook({
      secret: vendor.webhooks.secret,
      id: 'evt_old',
      timestamp: now - 3600,
      body,
    });
    const expiredRes = await post(expired);
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.text).toContain('too old');
    expect((await post({})).status).toBe(400);
    // A genuine delivery replayed: the second copy is acknowledged but not sent again.
    const before = notes('DEVICE_EVENT').length;
    const users = (
      await mi('GetAccountAssociation', { AccountAssociationId: state.associationId as string })
    ).json;
    expect(users.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
    const alice = vendor.simulation
      .allDevices()
      .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as { ownerId: string };
    const real = JSON.stringify({
      eventId: 'evt_replay',
      type: 'device.state',
      deviceId: 'fan-1',
      kind: 'fan',
      userId: alice.ownerId,
      data: { mode: 'medium' },
    });
    const signed = signStandardWebhook({
      secret: vendor.webhooks.secret,
      id: 'evt_replay',
      timestamp: now,
      body: real,
    });
    const first = await request(functionUrl, { method: 'POST', headers: signed, body: real });
    expect(first.statusCode, await first.body.text()).toBe(202);
    const second = await request(functionUrl, { method: 'POST', headers: signed, body: real });
    expect(second.statusCode).toBe(200);
    expect(await second.body.json()).toEqual({ status: 'duplicate', events: 1 });
    await eventually(
      () => notes('DEVICE_EVENT').length > before || undefined,
      'the replayed event once',
    );
    expect(notes('DEVICE_EVENT').length).toBe(before + 1);
  });

  it('duplicate SendCommand invocations (service retries) do not repeat vendor work or events', async () => {
    const commandsBefore = notes('DEVICE_COMMAND').length;
    const webhooksBefore = (vendor.webhooks.log() as unknown[]).length;
    const envelope = {
      header: { auth: { type: 'OAuth2.0', token: 'not-used-because-deduplicated' } },
      payload: {
        operationName: 'AWS.SendCommand',
        operationVersion: '1.0',
        connectorId: state.connectorId,
        traceId: state.traceId,
        connectorDeviceId: 'fan-1',
        endpoints: [{ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }],
      },
    };
    for (let i = 0; i < 2; i++) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: FUNCTION, Payload: JSON.stringify(envelope) }),
      );
      expect(JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString())).toMatchObject({
        header: { responseCode: 200 },
      });
    }
    await drainWork(emu, state.workQueueUrl as string, vendor); // a wrong duplicate has run by now
    expect(notes('DEVICE_COMMAND').length).toBe(commandsBefore);
    expect((vendor.webhooks.log() as unknown[]).length).toBe(webhooksBefore);
  });

  it('malformed invocations get the error reply, not a crash', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: FUNCTION,
        Payload: JSON.stringify({ payload: { operationName: 'AWS.Explode' } }),
      }),
    );
    expect(out.FunctionError).toBeUndefined();
    const reply = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString());
    expect(reply.header.responseCode).toBe(400);
    expect(reply.payload.responseMessage).toContain('payload.operationName');
  });

  it('resolves its connectorId at run time: GetFunctionUrlConfig → ListCloudConnectors → GetCloudConnector', async () => {
    const client = new ConnectorEventsClient({ ...aws, endpoint: emu.url });
    try {
      const id = await resolveConnectorId({
        directory: client,
        functionName: FUNCTION,
        lookupFunctionArn: lambdaFunctionArnLookup({ ...aws, endpoint: emu.url }),
        env: {},
      });
      expect(id).toBe(state.connectorId);
      await expect(
        resolveConnectorId({
          directory: client,
          functionName: 'no-such-fn',
          lookupFunctionArn: async () => `${functionArn}-other`,
          env: {},
        }),
      ).rejects.toThrow(/no CloudConnector/);
    } finally {
      await client.close();
    }
  });

  it('General Authorization: reads the secret from Secrets Manager by arn + versionId, cached per container', async () => {
    const cfg = { ...aws, endpoint: emu.url };
    const sm = new SecretsManagerClient(cfg);
    const created = await sm.send(
      new CreateSecretCommand({
        Name: 'acme/ga-user',
        SecretString: JSON.stringify({ apiKey: 'k-123', user: 'ga-user-1' }),
      }),
    );
    const seen: string[] = [];
    const handler = createConnector({
      connectorId: state.connectorId as string,
      runtime: {
        secrets: new SecretsManagerReader({ clientConfig: cfg }),
        workQueue: new InProcessWorkQueue(),
        logger: createJsonLogger({ sink: () => {} }),
      },
      vendor: {
        resolveUser: ({ auth }) => {
          if (auth.type !== 'GeneralAuthorization') {
            throw new Error('expected General Authorization');
          }
          seen.push(auth.arn);
          return (JSON.parse(auth.secret) as { user: string }).user;
        },
        listDevices: async () => [],
        executeCommand: async () => undefined,
      },
    });
    const invocation = {
      header: {
        auth: {
          type: 'GeneralAuthorization',
          secretsManager: { arn: created.ARN, versionId: created.VersionId },
        },
      },
      payload: {
        operationName: 'AWS.ActivateUser',
        operationVersion: '1.0.0',
        connectorId: state.connectorId,
      },
    };
    expect(await handler(invocation)).toMatchObject({
      header: { responseCode: 200 },
      payload: { userId: 'ga-user-1' },
    });
    // Deleted upstream, still served from the per-container cache (a versionId names immutable content).
    await sm.send(
      new DeleteSecretCommand({ SecretId: created.ARN, ForceDeleteWithoutRecovery: true }),
    );
    expect(await handler(invocation)).toMatchObject({
      header: { responseCode: 200 },
      payload: { userId: 'ga-user-1' },
    });
    const missing = {
      ...invocation,
      header: {
        auth: {
          type: 'GeneralAuthorization',
          secretsManager: { arn: `${created.ARN}x`, versionId: created.VersionId },
        },
      },
    };
    const failed = (await handler(missing)) as {
      header: { responseCode: number };
      payload: { responseMessage: string };
    };
    expect(failed.header.responseCode).toBe(500);
    expect(failed.payload.responseMessage).toContain('SecretResolutionError');
    expect(seen).toHaveLength(2);
    sm.destroy();
  });

  it('SQS outbox (FIFO, per-device groups): parked events replay in order per device, nothing lost', async () => {
    const cfg = { ...aws, endpoint: emu.url };
    const sqs = new SQSClient(cfg);
    const q = await sqs.send(
      new CreateQueueCommand({ QueueName: 'acme-outbox.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    sqs.destroy();
    const outbox = new SqsOutbox({
      queueUrl: q.QueueUrl as string,
      clientConfig: cfg,
      visibilityTimeoutSeconds: 1,
    });
    const ev = (device: string, n: number) => ({
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EVENT' as const,
      ConnectorDeviceId: device,
      TraceId: `outbox-${device}-${n}`,
    });
    for (let n = 0; n < 3; n++) {
      await outbox.add('dev-a', ev('dev-a', n), 'ThrottlingException');
      await outbox.add('dev-b', ev('dev-b', n), 'ThrottlingException');
    }
    expect(await outbox.count()).toBe(6);
    const delivered: string[] = [];
    let failB = true;
    const sender = {
      sendConnectorEvent: async (r: { ConnectorDeviceId?: string; TraceId?: string }) => {
        if (r.ConnectorDeviceId === 'dev-b' && failB) throw new Error('still throttled');
        delivered.push(r.TraceId ?? '');
      },
    };
    const first = await replayOutbox(outbox, sender);
    expect(first.sent).toBe(3);
    expect(delivered).toEqual(['outbox-dev-a-0', 'outbox-dev-a-1', 'outbox-dev-a-2']);
    failB = false;
    await eventually(async () => {
      await replayOutbox(outbox, sender);
      return (await outbox.count()) === 0 || undefined;
    }, 'the outbox to drain');
    expect(delivered.filter((t) => t.includes('dev-b'))).toEqual([
      'outbox-dev-b-0',
      'outbox-dev-b-1',
      'outbox-dev-b-2',
    ]);
    await outbox.close();
  });

  it('a webhook event that still fails after retries is parked in the outbox (202), then replayed: nothing lost', async () => {
    const faults = emu.app.emulatorConfig.faults as { throttle: number };
    const alice = vendor.simulation
      .allDevices()
      .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as { ownerId: string };
    const body = JSON.stringify({
      eventId: 'evt_parked',
      type: 'device.state',
      deviceId: 'fan-1',
      kind: 'fan',
      userId: alice.ownerId,
      data: { mode: 'low' },
    });
    const headers = signStandardWebhook({
      secret: vendor.webhooks.secret,
      id: 'evt_parked',
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    const outbox = new SqliteOutbox(join(dir, 'outbox.db')); // the connector's own outbox file
    const before = await outbox.count();
    faults.throttle = 1; // every SendConnectorEvent is throttled
    let status: number;
    try {
      const res = await request(functionUrl, { method: 'POST', headers, body });
      status = res.statusCode;
      await res.body.dump();
    } finally {
      faults.throttle = 0;
    }
    expect(status).toBe(202); // durably parked, so the vendor need not retry
    expect(await outbox.count()).toBe(before + 1);
    const parked = (await outbox.list()).at(-1);
    expect(parked?.lastError).toContain('ThrottlingException');
    const events = notes('DEVICE_EVENT').length;
    const client = new ConnectorEventsClient({ ...aws, endpoint: emu.url });
    const report = await replayOutbox(outbox, client);
    await client.close();
    outbox.close();
    expect(report).toMatchObject({ sent: before + 1, remaining: 0 });
    expect(notes('DEVICE_EVENT').length).toBe(events + 1);
    expect(JSON.stringify(notes('DEVICE_EVENT').at(-1)?.payload)).toContain(
      '"name":"FanMode","value":1',
    );
  }, 30_000);

  it('retries under injected throttling: every event is accepted, some only after retries', async () => {
    const faults = emu.app.emulatorConfig.faults as { throttle: number };
    const lines: string[] = [];
    const client = new ConnectorEventsClient({
      ...aws,
      endpoint: emu.url,
      maxAttempts: 10,
      random: () => 0.01, // keep the full-jitter sleeps short in a test
      logger: createJsonLogger({ sink: (l) => lines.push(l) }),
    });
    const alice = vendor.simulation
      .allDevices()
      .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as { ownerId: string };
    // 30 events, 30 % throttled per attempt, 10 attempts each: the chance that some event is
    // throttled ten times running (30 × 0.3¹⁰) or that none is throttled at all (0.7³⁰) is
    // ~2 in 10,000 runs. (It was 2 in 100 with 20 events at 50 %.)
    faults.throttle = 0.3;
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          client.sendConnectorEvent({
            ConnectorId: state.connectorId as string,
            Operation: 'DEVICE_EVENT',
            UserId: alice.ownerId,
            ConnectorDeviceId: 'fan-1',
            TraceId: `throttle-test-${i}`,
            MatterEndpoint: {
              id: '1',
              clusters: [{ id: '0x0202', attributes: { '0x0000': i % 2 ? 1 : 3 } }],
            },
          }),
        ),
      );
      expect(results.every((r) => r.ConnectorId === state.connectorId)).toBe(true);
    } finally {
      faults.throttle = 0;
      await client.close();
    }
    const retries = lines.filter(
      (l) => l.includes('"retrying"') && l.includes('ThrottlingException'),
    );
    expect(retries.length).toBeGreaterThan(0);
  });
});
