import type { Server } from 'node:http';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { NotificationHub } from '../src/notifications/hub.js';
import { miClient } from './helpers/mi-client.js';

const ACCOUNT = TEST_CREDENTIALS.accountId;
let kinesisServer: Server;
let kinesisUrl: string;
let kinesis: KinesisClient;
let emu: RunningEmulator;
let mi: ReturnType<typeof miClient>;

beforeAll(async () => {
  // kinesalite's in-memory mode (no path) — a real Kinesis API implementation over HTTP.
  kinesisServer = kinesalite({ createStreamMs: 0 }) as Server;
  await new Promise<void>((resolve) => kinesisServer.listen(0, '127.0.0.1', () => resolve()));
  kinesisUrl = `http://127.0.0.1:${(kinesisServer.address() as { port: number }).port}`;
  kinesis = new KinesisClient({
    endpoint: kinesisUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'mi-notifications', ShardCount: 1 }));
  emu = await startEmulator({
    memory: true,
    credentials: [TEST_CREDENTIALS],
    kinesisEndpoint: kinesisUrl,
  });
  mi = miClient(emu.url);
});

afterAll(async () => {
  await emu?.close();
  kinesis?.destroy();
  await new Promise((r) => kinesisServer?.close(r));
});

/**
 * A hub of its own with no delivery target for any account, so a test sees only what it keeps for
 * reading back (the recent ring, validation stats); `recentLimit` as in NotificationHubOptions.
 */
function hubWithoutDestinations(recentLimit?: number): NotificationHub {
  return new NotificationHub({
    region: 'us-east-1',
    credentials: { ...TEST_CREDENTIALS },
    resolveTarget: () => undefined,
    ...(recentLimit !== undefined ? { recentLimit } : {}),
  });
}

async function readStream(): Promise<Array<Record<string, unknown>>> {
  const d = await kinesis.send(new DescribeStreamCommand({ StreamName: 'mi-notifications' }));
  const shardId = d.StreamDescription?.Shards?.[0]?.ShardId as string;
  const it = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: 'mi-notifications',
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  return (records.Records ?? []).map((r) =>
    JSON.parse(Buffer.from(r.Data as Uint8Array).toString()),
  );
}

describe('customer notifications', () => {
  it('CreateDestination + CreateNotificationConfiguration deliver to Kinesis with PutRecord', async () => {
    const dest = await mi('CreateDestination', {
      Name: 'stream-dest',
      DeliveryDestinationArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/mi-notifications`,
      DeliveryDestinationType: 'KINESIS',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/mi-to-kinesis`,
    });
    expect(dest.status, dest.text).toBe(201);
    const config = await mi('CreateNotificationConfiguration', {
      EventType: 'CONNECTOR_ERROR_REPORT',
      DestinationName: 'stream-dest',
    });
    expect(config.status, config.text).toBe(201);
    expect(config.json).toEqual({ EventType: 'CONNECTOR_ERROR_REPORT' });
    const dup = await mi('CreateNotificationConfiguration', {
      EventType: 'CONNECTOR_ERROR_REPORT',
      DestinationName: 'stream-dest',
    });
    expect(dup.status).toBe(409);
    const missing = await mi('CreateNotificationConfiguration', {
      EventType: 'DEVICE_EVENT',
      DestinationName: 'nope',
    });
    expect(missing.status).toBe(404);

    // Publish directly (the flow test covers how error reports arise); this checks delivery only.
    const hub = emu.app.managedIntegrations.hub;
    hub.publish(
      ACCOUNT,
      'CONNECTOR_ERROR_REPORT',
      { statusCode: 500, operation: 'AWS.SendCommand', logLevel: 'ERROR', message: 'probe' },
      [],
    );
    hub.publish(ACCOUNT, 'DEVICE_EVENT', { endpoints: [] }, []); // not configured → not delivered
    await emu.app.managedIntegrations.drain();
    expect(hub.stats).toMatchObject({ delivered: 1, failed: 0 });
    const records = await readStream();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      messageType: 'CONNECTOR_ERROR_REPORT',
      source: 'aws.iotmanagedintegrations',
      customerAccountId: ACCOUNT,
      region: 'us-east-1',
      payload: { operation: 'AWS.SendCommand', message: 'probe' },
    });

    const listed = await mi('ListNotificationConfigurations', {});
    expect(listed.json.NotificationConfigurationList).toEqual([
      { EventType: 'CONNECTOR_ERROR_REPORT', DestinationName: 'stream-dest' },
    ]);
    const got = await mi('GetDestination', { Name: 'stream-dest' });
    expect(got.json).toMatchObject({ DeliveryDestinationType: 'KINESIS', Name: 'stream-dest' });
    expect(typeof got.json.CreatedAt).toBe('number');
  });

  it("streams an account's notifications as Server-Sent Events and lists recent ones", async () => {
    const res = await request(`${emu.url}/_local/notifications/stream?account=${ACCOUNT}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const chunks: string[] = [];
    const got = new Promise<string>((resolve) => {
      res.body.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        const all = chunks.join('');
        if (all.includes('event: DEVICE_STATE')) resolve(all);
      });
    });
    emu.app.managedIntegrations.hub.publish('999988887777', 'DEVICE_STATE', { other: true }, []);
    emu.app.managedIntegrations.hub.publish(ACCOUNT, 'DEVICE_STATE', { mine: true }, ['arn:x']);
    const text = await got;
    res.body.destroy();
    const data = text
      .split('\n')
      .find((l) => l.startsWith('data: ') && l.includes('DEVICE_STATE')) as string;
    expect(JSON.parse(data.slice(6))).toMatchObject({
      messageType: 'DEVICE_STATE',
      payload: { mine: true },
    });
    expect(text).not.toContain('"other":true');

    const recent = await request(
      `${emu.url}/_local/notifications?account=${ACCOUNT}&eventType=DEVICE_STATE`,
    );
    const body = (await recent.body.json()) as { Items: Array<{ payload: unknown }> };
    expect(body.Items.map((i) => i.payload)).toEqual([{ mine: true }]);
    const bad = await request(`${emu.url}/_local/notifications/stream?account=abc`);
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });
});

describe('notification validation sampling', () => {
  it('unvalidated ring-only messages have exactly the validated envelope shape', async () => {
    const { validateNotification } = await import('@c2c-kit/protocol');
    const hub = hubWithoutDestinations();
    const payload = { deviceCount: 1, deviceDiscoveryId: 'd1', status: 'SUCCEEDED' };
    for (let i = 0; i < 1100; i++) hub.publish(ACCOUNT, 'DEVICE_DISCOVERY_STATUS', payload, []);
    const all = hub.recent({ eventType: 'DEVICE_DISCOVERY_STATUS' });
    expect(all).toHaveLength(1000);
    for (const m of all) expect(validateNotification(m).ok).toBe(true);
    expect(hub.stats.invalid).toBe(0);
    await hub.close();
  });

  it('the recent ring keeps the newest messages, oldest first, across wrap-arounds', async () => {
    const hub = hubWithoutDestinations(5);
    const ids = (ms: { payload: unknown }[]) =>
      ms.map((m) => (m.payload as { deviceDiscoveryId: string }).deviceDiscoveryId);
    const publish = (i: number) =>
      hub.publish(
        ACCOUNT,
        'DEVICE_DISCOVERY_STATUS',
        { deviceCount: 1, deviceDiscoveryId: `d${i}`, status: 'SUCCEEDED' },
        [],
      );
    for (let i = 0; i < 3; i++) publish(i);
    expect(ids(hub.recent())).toEqual(['d0', 'd1', 'd2']);
    for (let i = 3; i < 12; i++) publish(i);
    expect(ids(hub.recent())).toEqual(['d7', 'd8', 'd9', 'd10', 'd11']);
    expect(ids(hub.recent({ limit: 2 }))).toEqual(['d10', 'd11']);
    publish(12);
    expect(ids(hub.recent())).toEqual(['d8', 'd9', 'd10', 'd11', 'd12']);
    await hub.close();
  });

  it('ring-only messages built on first read keep their order, publish time and id across reads', async () => {
    const { validateNotification } = await import('@c2c-kit/protocol');
    const hub = hubWithoutDestinations(6);
    const OTHER = '999988887777';
    const before = Date.now();
    // Past the always-validated first 1000, so the newest messages are mostly stored unbuilt.
    for (let i = 0; i < 1100; i++) {
      const returned = hub.publish(
        i % 3 === 0 ? OTHER : ACCOUNT,
        'DEVICE_DISCOVERY_STATUS',
        { deviceCount: 1, deviceDiscoveryId: `d${i}`, status: 'SUCCEEDED' },
        [`arn:thing/${i}`],
      );
      if (i >= 1000 && (i + 1) % 64 !== 0) expect(returned).toBeUndefined();
    }
    const after = Date.now();
    const first = hub.recent();
    expect(
      first.map((m) => (m.payload as { deviceDiscoveryId: string }).deviceDiscoveryId),
    ).toEqual(['d1094', 'd1095', 'd1096', 'd1097', 'd1098', 'd1099']);
    for (const m of first) {
      expect(validateNotification(m).ok).toBe(true);
      // Epoch milliseconds of the publish call, as the eager path writes it.
      const t = Number(m.timestamp);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    }
    expect(new Set(first.map((m) => m.messageId)).size).toBe(6);
    // Built once: the same ids and timestamps on every later read, and filters see the same.
    expect(hub.recent()).toEqual(first);
    expect(hub.recent({ account: OTHER }).map((m) => m.messageId)).toEqual(
      first.filter((m) => m.customerAccountId === OTHER).map((m) => m.messageId),
    );
    expect(hub.recent({ account: OTHER })).toHaveLength(2);
    await hub.close();
  });

  it('publishLazy builds the payload only when needed, once, and records what publish would', async () => {
    const hub = hubWithoutDestinations(2000);
    const payload = (i: number) => ({
      deviceCount: i,
      deviceDiscoveryId: `d${i}`,
      status: 'SUCCEEDED',
    });
    let built = 0;
    const lazy = (i: number) => () => {
      built++;
      return payload(i);
    };
    // The first 1000 of a type are validated, so built at once; later ring-only ones are not.
    for (let i = 0; i < 1000; i++) hub.publishLazy(ACCOUNT, 'DEVICE_DISCOVERY_STATUS', lazy(i), []);
    expect(built).toBe(1000);
    for (let i = 1000; i < 1010; i++)
      hub.publishLazy(ACCOUNT, 'DEVICE_DISCOVERY_STATUS', lazy(i), []);
    expect(built).toBe(1000);
    // A live SSE listener needs the message now: built at once and delivered.
    const heard: unknown[] = [];
    const stop = hub.subscribe(ACCOUNT, (m) => heard.push(m.payload));
    hub.publishLazy(ACCOUNT, 'DEVICE_DISCOVERY_STATUS', lazy(1010), []);
    expect(built).toBe(1001);
    expect(heard).toEqual([payload(1010)]);
    stop();
    const recent = hub.recent();
    expect(built).toBe(1011);
    expect(recent.slice(-11).map((m) => m.payload)).toEqual(
      Array.from({ length: 11 }, (_, k) => payload(1000 + k)),
    );
    hub.recent();
    expect(built).toBe(1011);
    await hub.close();
  });
});
