import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { fanReport, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { startC2cStack } from './helpers/c2c-stack.js';
import { miClient } from './helpers/mi-client.js';

const ACCOUNT = TEST_CREDENTIALS.accountId;

/** JSON log lines the emulator writes (pino through Fastify's logger option). */
function logSink(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, stream };
}

async function configure(
  mi: ReturnType<typeof miClient>,
  destination: string,
  stream: string,
  eventTypes: string[],
): Promise<void> {
  const dest = await mi('CreateDestination', {
    Name: destination,
    DeliveryDestinationArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${stream}`,
    DeliveryDestinationType: 'KINESIS',
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/mi-to-kinesis`,
  });
  expect(dest.status, dest.text).toBe(201);
  for (const EventType of eventTypes) {
    const config = await mi('CreateNotificationConfiguration', {
      EventType: EventType as 'DEVICE_STATE',
      DestinationName: destination,
    });
    expect(config.status, config.text).toBe(201);
  }
}

describe('Kinesis delivery without a Kinesis endpoint', () => {
  let emu: RunningEmulator;
  const saved = process.env.AWS_ENDPOINT_URL_KINESIS;
  const log = logSink();

  beforeAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_KINESIS;
    emu = await startEmulator({
      memory: true,
      credentials: [TEST_CREDENTIALS],
      logger: { level: 'warn', stream: log.stream },
    });
  });

  afterAll(async () => {
    await emu?.close();
    if (saved !== undefined) process.env.AWS_ENDPOINT_URL_KINESIS = saved;
  });

  it('skips Kinesis with one warning per destination; SSE and the recent list get every message', async () => {
    const mi = miClient(emu.url);
    await configure(mi, 'states', 'state-stream', ['DEVICE_STATE']);
    await configure(mi, 'errors', 'error-stream', ['CONNECTOR_ERROR_REPORT']);

    const sse = await request(`${emu.url}/_local/notifications/stream?account=${ACCOUNT}`);
    const chunks: string[] = [];
    const allSeen = new Promise<void>((resolve) => {
      sse.body.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        if ((chunks.join('').match(/^event: /gm) ?? []).length >= 5) resolve();
      });
    });

    const hub = emu.app.managedIntegrations.hub;
    for (let i = 0; i < 3; i++) hub.publish(ACCOUNT, 'DEVICE_STATE', { n: i }, []);
    for (let i = 0; i < 2; i++) {
      hub.publish(
        ACCOUNT,
        'CONNECTOR_ERROR_REPORT',
        { statusCode: 500, operation: 'AWS.SendCommand', logLevel: 'ERROR', message: `m${i}` },
        [],
      );
    }
    await allSeen;
    sse.body.destroy();
    await emu.app.managedIntegrations.drain();

    expect(hub.stats).toMatchObject({ skipped: 5, delivered: 0, failed: 0, pending: 0 });
    const warnings = log.lines.filter((l) => String(l.msg).includes('Kinesis delivery'));
    expect(warnings.map((w) => w.destination).sort()).toEqual(['errors', 'states']);
    for (const w of warnings) expect(String(w.msg)).toContain('--kinesis-endpoint');

    const state = (await (await request(`${emu.url}/_local/state`)).body.json()) as {
      notificationDelivery: Record<string, number>;
    };
    expect(state.notificationDelivery).toMatchObject({ skipped: 5, delivered: 0, failed: 0 });
    const recent = (await (
      await request(`${emu.url}/_local/notifications?account=${ACCOUNT}`)
    ).body.json()) as { Items: unknown[] };
    expect(recent.Items).toHaveLength(5);
  });
});

describe('Kinesis delivery to an unreachable endpoint', () => {
  // Accepts connections and never answers: a Kinesis endpoint that hangs.
  let blackHole: Server;
  const sockets = new Set<Socket>();
  let stack: Awaited<ReturnType<typeof startC2cStack>>;
  const log = logSink();

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', () => r()));
    const port = (blackHole.address() as { port: number }).port;
    stack = await startC2cStack({
      kinesisEndpoint: `http://127.0.0.1:${port}`,
      notificationDelivery: { timeoutMs: 1000, attempts: 2, backoffMs: 10 },
      logger: { level: 'warn', stream: log.stream },
    });
  });

  afterEach(() => {
    for (const s of sockets) s.destroy();
  });

  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => blackHole?.close(r));
  });

  it('never holds up SendConnectorEvent or other notifications; bounded attempts, counted', async () => {
    const { mi, link, discover, register, connectorId } = stack;
    const association = await link();
    const discovery = await discover(association, [
      { id: 'fan-1', name: 'Fan', report: fanReport() },
    ]);
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${discovery}:fan-1`,
    });
    expect(thing.status, thing.text).toBe(201);
    await register(thing.json.Id as string, association, discovery);
    await configure(mi, 'device-stream', 'devices', ['DEVICE_EVENT', 'DEVICE_STATE']);

    const hub = stack.emu.app.managedIntegrations.hub;
    for (let speed = 1; speed <= 3; speed++) {
      const res = await mi('SendConnectorEvent', {
        ConnectorId: connectorId,
        Operation: 'DEVICE_EVENT',
        UserId: 'user-1',
        ConnectorDeviceId: 'fan-1',
        MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0002': speed } }] },
      });
      expect(res.status, res.text).toBe(202);
      // The response came back while this event's two Kinesis deliveries (DEVICE_EVENT,
      // DEVICE_STATE) were still hanging on the black hole (each attempt waits up to 1 s).
      expect(hub.stats.pending).toBeGreaterThanOrEqual(2);
    }
    // The local notifications already have everything.
    expect(hub.recent({ eventType: 'DEVICE_EVENT' })).toHaveLength(3);
    expect(hub.recent({ eventType: 'DEVICE_STATE' })).toHaveLength(3);
    // A notification type without Kinesis configuration is not queued behind them.
    hub.publish(
      ACCOUNT,
      'CONNECTOR_ERROR_REPORT',
      { statusCode: 500, operation: 'AWS.SendCommand', logLevel: 'ERROR', message: 'x' },
      [],
    );
    expect(hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' })).toHaveLength(1);

    // Each delivery ends after its bounded attempts (2 × 1 s), failed and counted.
    await stack.emu.app.managedIntegrations.drain();
    expect(hub.stats).toMatchObject({ delivered: 0, failed: 6, retried: 6, pending: 0 });
    const failures = log.lines.filter((l) => l.msg === 'Kinesis notification delivery failed');
    expect(failures).toHaveLength(6);
  }, 20_000);
});
