import type { ServerResponse } from 'node:http';
import { validateSendConnectorEventRequest } from '@c2c-kit/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorConfigError } from '../src/errors.js';
import { deviceDiscoveryEvents } from '../src/events/builders.js';
import { createConnector } from '../src/handler/createConnector.js';
import type { DiscoveredDevice } from '../src/handler/types.js';
import { MemoryIdempotencyStore } from '../src/idempotency/store.js';
import { createJsonLogger } from '../src/log/logger.js';
import { SendConnectorEventBinding, serializeRequest } from '../src/protocol.js';
import { InProcessWorkQueue } from '../src/queue/workQueue.js';
import {
  discoverDevicesInvocation,
  fakeLambdaContext,
  signedWebhookEvent,
} from '../src/testing.js';
import { standardWebhooks } from '../src/webhooks/verify.js';
import { clientOnSigV4Server, json, type Received } from './helpers/sigv4Server.js';

// A connector with many devices: DEVICE_DISCOVERY split under a request-size limit, and a
// webhook of many devices' events sent side by side, each device's in order.

const SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldC1tYW55LWRldmljZXMtMTIz';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

/** A device with `endpoints` endpoints (capability reports are what makes devices large). */
function device(i: number, endpoints = 1): DiscoveredDevice {
  return {
    connectorDeviceId: `fan-${i}`,
    name: `Fan ${i}`,
    capabilityReport: {
      version: '1.0.0',
      endpoints: Array.from({ length: endpoints }, (_, e) => ({
        id: String(e + 1),
        deviceTypes: ['Fan'],
        clusters: [{ id: '0x0202', revision: 4, attributes: [{ id: '0x0000' }] }],
      })),
    },
  } as DiscoveredDevice;
}

/** The body the client sends for `request` (ConnectorId goes in the path), in bytes. */
const bodyBytes = (request: Parameters<typeof serializeRequest>[1]) =>
  Buffer.byteLength(serializeRequest(SendConnectorEventBinding, request).body ?? '');

async function connectorOn(
  respond: (r: Received, res: ServerResponse) => void,
  policy: { maxDiscoveryRequestBytes?: number } = {},
  devices: DiscoveredDevice[] = [],
) {
  const { server, client } = await clientOnSigV4Server(respond, closers);
  const queue = new InProcessWorkQueue();
  const handler = createConnector<{ events: Array<{ deviceId: string; seq: number }> }>({
    connectorId: 'conn-1',
    policy: { ...policy, validateEndpoint: false },
    runtime: {
      client,
      workQueue: queue,
      idempotency: new MemoryIdempotencyStore(),
      logger: createJsonLogger({ sink: () => {} }),
    },
    vendor: {
      resolveUser: () => 'user-7',
      listDevices: async () => devices,
      executeCommand: async () => undefined,
    },
    webhooks: {
      verifier: standardWebhooks({ secrets: [SECRET] }),
      translate: (e) =>
        e.events.map((x) => ({
          connectorDeviceId: x.deviceId,
          traceId: `t-${x.deviceId}-${x.seq}`,
          clusters: [{ id: '0x0202', attributes: { '0x0000': x.seq % 4 } }],
        })),
    },
  });
  return { server, handler, queue };
}

describe('DEVICE_DISCOVERY under a request-size limit', () => {
  it('splits into parts in order, each under the limit unless one device alone is larger', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 60 }),
        fc.integer({ min: 600, max: 20_000 }),
        (sizes, limit) => {
          const devices = sizes.map((endpoints, i) => device(i, endpoints));
          const target = { connectorId: 'conn-1', deviceDiscoveryId: 'disc1' };
          const parts = deviceDiscoveryEvents(target, 'user-7', devices, limit);
          // Every device once, in order, across parts of the same discovery.
          expect(parts.flatMap((p) => (p.Devices ?? []).map((d) => d.ConnectorDeviceId))).toEqual(
            devices.map((d) => d.connectorDeviceId),
          );
          for (const [i, part] of parts.entries()) {
            expect(part).toMatchObject({ DeviceDiscoveryId: 'disc1', UserId: 'user-7' });
            expect(validateSendConnectorEventRequest(part).ok).toBe(true);
            const size = bodyBytes(part);
            if ((part.Devices ?? []).length > 1) expect(size).toBeLessThanOrEqual(limit);
            // Greedy: the next part's first device would not have fitted in this one.
            const next = parts[i + 1]?.Devices?.[0];
            if (next !== undefined) {
              expect(
                bodyBytes({ ...part, Devices: [...(part.Devices ?? []), next] }),
              ).toBeGreaterThan(limit - Buffer.byteLength('"ConnectorId":"conn-1",'));
            }
          }
          if (devices.length === 0)
            expect(parts).toEqual([expect.objectContaining({ Devices: [] })]);
        },
      ),
    );
  });

  it('the discovery work sends every part, in order, under policy.maxDiscoveryRequestBytes', async () => {
    const devices = Array.from({ length: 60 }, (_, i) => device(i, 2));
    const { server, handler, queue } = await connectorOn(
      (_r, res) => json(res, 202, { ConnectorId: 'conn-1' }),
      { maxDiscoveryRequestBytes: 4096 },
      devices,
    );
    const ack = await handler(
      discoverDevicesInvocation({ connectorId: 'conn-1', token: 'tok', deviceDiscoveryId: 'd1' }),
      fakeLambdaContext(),
    );
    expect(ack).toMatchObject({ header: { responseCode: 200 } });
    expect(await handler(queue.drainAsSqsEvent(), fakeLambdaContext(30_000))).toEqual({
      batchItemFailures: [],
    });
    const bodies = server.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies.length).toBeGreaterThan(1);
    for (const r of server.received) expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(4096);
    expect(
      bodies.every((b) => b.DeviceDiscoveryId === 'd1' && b.Operation === 'DEVICE_DISCOVERY'),
    ).toBe(true);
    expect(
      bodies.flatMap((b) =>
        (b.Devices as Array<{ ConnectorDeviceId: string }>).map((d) => d.ConnectorDeviceId),
      ),
    ).toEqual(devices.map((d) => d.connectorDeviceId));
  });

  it.each([0, 1023, 1.5, Number.NaN])('refuses policy.maxDiscoveryRequestBytes %s', (bytes) => {
    expect(() =>
      createConnector({
        policy: { maxDiscoveryRequestBytes: bytes },
        vendor: {
          resolveUser: () => 'u',
          listDevices: async () => [],
          executeCommand: async () => undefined,
        },
      }),
    ).toThrow(ConnectorConfigError);
  });
});

describe('a webhook carrying many devices’ events', () => {
  it('sends the devices side by side and each device’s events in order', async () => {
    const devicesInFlight = new Set<string>();
    const held: Array<() => void> = [];
    let waitedTooLong = false;
    // The first requests are held until one of every device is in flight at once: a connector
    // that sent the devices one after another would never get there (the 5 s bound then
    // releases them and the test fails).
    let released = false;
    const release = () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    };
    const timer = setTimeout(() => {
      waitedTooLong = true;
      release();
    }, 5_000);
    closers.push(async () => clearTimeout(timer));
    const { server, handler } = await connectorOn((r, res) => {
      const answer = () => json(res, 202, { ConnectorId: 'conn-1' });
      if (released) return answer();
      devicesInFlight.add(String(JSON.parse(r.body).ConnectorDeviceId));
      held.push(answer);
      if (devicesInFlight.size === 3) {
        clearTimeout(timer);
        release();
      }
    });
    const events = ['fan-a', 'fan-b', 'fan-c'].flatMap((deviceId) =>
      [0, 1, 2].map((seq) => ({ deviceId, seq })),
    );
    const response = await handler(
      signedWebhookEvent({ secret: SECRET, body: JSON.stringify({ events }), id: 'msg_many' }),
    );
    expect(response).toMatchObject({ statusCode: 202 });
    expect(JSON.parse((response as { body: string }).body)).toEqual({
      status: 'accepted',
      events: 9,
    });
    expect(waitedTooLong).toBe(false);
    for (const deviceId of ['fan-a', 'fan-b', 'fan-c']) {
      expect(
        server.received
          .map((r) => JSON.parse(r.body) as { ConnectorDeviceId: string; TraceId: string })
          .filter((b) => b.ConnectorDeviceId === deviceId)
          .map((b) => b.TraceId),
      ).toEqual([0, 1, 2].map((seq) => `t-${deviceId}-${seq}`));
    }
  });

  it('a device that fails does not stop the others; the vendor is asked to retry', async () => {
    const { server, handler } = await connectorOn((r, res) => {
      const body = JSON.parse(r.body) as { ConnectorDeviceId: string };
      if (body.ConnectorDeviceId === 'fan-b') {
        json(
          res,
          400,
          { __type: 'ValidationException', message: 'no' },
          {
            'x-amzn-errortype': 'ValidationException',
          },
        );
      } else {
        json(res, 202, { ConnectorId: 'conn-1' });
      }
    });
    const events = ['fan-a', 'fan-b', 'fan-c'].flatMap((deviceId) =>
      [0, 1].map((seq) => ({ deviceId, seq })),
    );
    const response = await handler(
      signedWebhookEvent({ secret: SECRET, body: JSON.stringify({ events }), id: 'msg_fail' }),
    );
    expect(response).toMatchObject({ statusCode: 503 });
    const sent = server.received.map((r) => (JSON.parse(r.body) as { TraceId: string }).TraceId);
    // fan-b stops at its first refused event; fan-a and fan-c send both of theirs.
    expect(sent.sort()).toEqual(['t-fan-a-0', 't-fan-a-1', 't-fan-b-0', 't-fan-c-0', 't-fan-c-1']);
  });
});
