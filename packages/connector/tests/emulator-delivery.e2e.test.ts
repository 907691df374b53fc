// End to end against the running emulator and the simulated vendor cloud, as in
// emulator.e2e.test.ts, on a linked user's registered fan: the connector finds its own id, reads
// General Authorization secrets, parks and replays events in its outboxes, and rides out
// throttling.
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@c2c-kit/testing';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { createConnector } from '../src/handler/createConnector.js';
import { SecretsManagerReader } from '../src/handler/secrets.js';
import { createJsonLogger } from '../src/log/logger.js';
import { replayOutbox } from '../src/outbox/outbox.js';
import { SqsOutbox } from '../src/outbox/sqsOutbox.js';
import { InProcessWorkQueue } from '../src/queue/workQueue.js';
import { lambdaFunctionArnLookup, resolveConnectorId } from '../src/resolve/connectorId.js';
import { SqliteOutbox } from '../src/sqlite.js';
import { useConnectorOnEmulator } from './helpers/connectorOnEmulator.js';

const e2e = useConnectorOnEmulator();

beforeAll(async () => {
  e2e.state.associationId = await e2e.link('alice', 'alice-password');
  const discoveryId = await e2e.discover(e2e.state.associationId);
  e2e.state.thingId = await e2e.register(e2e.state.associationId, discoveryId, 'fan-1');
}, 60_000);

describe('connector runtime against the emulator: connectorId, secrets, outbox, throttling', () => {
  it('resolves its connectorId at run time: GetFunctionUrlConfig → ListCloudConnectors → GetCloudConnector', async () => {
    const client = new ConnectorEventsClient({ ...e2e.aws, endpoint: e2e.emu.url });
    try {
      const id = await resolveConnectorId({
        directory: client,
        functionName: e2e.FUNCTION,
        lookupFunctionArn: lambdaFunctionArnLookup({ ...e2e.aws, endpoint: e2e.emu.url }),
        env: {},
      });
      expect(id).toBe(e2e.state.connectorId);
      await expect(
        resolveConnectorId({
          directory: client,
          functionName: 'no-such-fn',
          lookupFunctionArn: async () => `${e2e.functionArn}-other`,
          env: {},
        }),
      ).rejects.toThrow(/no CloudConnector/);
    } finally {
      await client.close();
    }
  });

  it('General Authorization: reads the secret from Secrets Manager by arn + versionId, cached per container', async () => {
    const cfg = { ...e2e.aws, endpoint: e2e.emu.url };
    const sm = new SecretsManagerClient(cfg);
    const created = await sm.send(
      new CreateSecretCommand({
        Name: 'acme/ga-user',
        SecretString: JSON.stringify({ apiKey: 'k-123', user: 'ga-user-1' }),
      }),
    );
    const seen: string[] = [];
    const handler = createConnector({
      connectorId: e2e.state.connectorId as string,
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
        connectorId: e2e.state.connectorId,
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
    const cfg = { ...e2e.aws, endpoint: e2e.emu.url };
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
      ConnectorId: e2e.state.connectorId as string,
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
    await until('the outbox to drain', async () => {
      await replayOutbox(outbox, sender);
      return (await outbox.count()) === 0 || undefined;
    });
    expect(delivered.filter((t) => t.includes('dev-b'))).toEqual([
      'outbox-dev-b-0',
      'outbox-dev-b-1',
      'outbox-dev-b-2',
    ]);
    await outbox.close();
  });

  it('a webhook event that still fails after retries is parked in the outbox (202), then replayed: nothing lost', async () => {
    const faults = e2e.emu.app.emulatorConfig.faults as { throttle: number };
    const { body, headers } = e2e.fanWebhook('evt_parked', { mode: 'low' });
    const outbox = new SqliteOutbox(join(e2e.dir, 'outbox.db')); // the connector's own outbox file
    const before = await outbox.count();
    faults.throttle = 1; // every SendConnectorEvent is throttled
    let status: number;
    try {
      const res = await request(e2e.functionUrl, { method: 'POST', headers, body });
      status = res.statusCode;
      await res.body.dump();
    } finally {
      faults.throttle = 0;
    }
    expect(status).toBe(202); // durably parked, so the vendor need not retry
    expect(await outbox.count()).toBe(before + 1);
    const parked = (await outbox.list()).at(-1);
    expect(parked?.lastError).toContain('ThrottlingException');
    const events = e2e.notes('DEVICE_EVENT').length;
    const client = new ConnectorEventsClient({ ...e2e.aws, endpoint: e2e.emu.url });
    const report = await replayOutbox(outbox, client);
    await client.close();
    outbox.close();
    expect(report).toMatchObject({ sent: before + 1, remaining: 0 });
    expect(e2e.notes('DEVICE_EVENT').length).toBe(events + 1);
    expect(JSON.stringify(e2e.notes('DEVICE_EVENT').at(-1)?.payload)).toContain(
      '"name":"FanMode","value":1',
    );
  }, 30_000);

  it('retries under injected throttling: every event is accepted, some only after retries', async () => {
    const faults = e2e.emu.app.emulatorConfig.faults as { throttle: number };
    const lines: string[] = [];
    const client = new ConnectorEventsClient({
      ...e2e.aws,
      endpoint: e2e.emu.url,
      maxAttempts: 10,
      random: () => 0.01, // keep the full-jitter sleeps short in a test
      logger: createJsonLogger({ sink: (l) => lines.push(l) }),
    });
    const alice = e2e.vendor.simulation
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
            ConnectorId: e2e.state.connectorId as string,
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
      expect(results.every((r) => r.ConnectorId === e2e.state.connectorId)).toBe(true);
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
