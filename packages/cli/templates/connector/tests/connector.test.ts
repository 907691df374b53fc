import {
  type ConnectorHandler,
  InProcessWorkQueue,
  MemoryIdempotencyStore,
  silentLogger,
} from '@c2c-kit/connector';
import {
  activateUserInvocation,
  deactivateUserInvocation,
  discoverDevicesInvocation,
  functionUrlEvent,
  sendCommandInvocation,
  signedWebhookEvent,
} from '@c2c-kit/connector/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.js';
import { createVendorConnector } from '../src/connector.js';
import { KINDS } from '../src/devices/index.js';
import { MemoryVendor } from './memoryVendor.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CONNECTOR_ID = 'test-connector';

/** A Matter command each kind that takes commands understands. */
const SAMPLE_COMMANDS: Record<string, { clusters: unknown[]; vendorCommand: string }> = {
  fan: { clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }], vendorCommand: 'setMode' },
  light: { clusters: [{ id: '0x0006', commands: { '0x01': {} } }], vendorCommand: 'turnOn' },
  lock: { clusters: [{ id: '0x0101', commands: { '0x01': {} } }], vendorCommand: 'unlock' },
  thermostat: {
    clusters: [{ id: '0x0201', attributes: { '0x0012': 2200 } }],
    vendorCommand: 'setSetpoints',
  },
};

let vendor: MemoryVendor;
let queue: InProcessWorkQueue;
let sent: Array<Record<string, unknown>>;
let handler: ConnectorHandler;

beforeEach(() => {
  vendor = MemoryVendor.withKinds(KINDS.map((k) => k.kind));
  queue = new InProcessWorkQueue();
  sent = [];
  handler = createVendorConnector(
    { apiUrl: 'http://vendor.test', webhookSecrets: [SECRET] },
    vendor,
    {
      connectorId: CONNECTOR_ID,
      runtime: {
        workQueue: queue,
        idempotency: new MemoryIdempotencyStore(),
        logger: silentLogger,
        // Records what would go to SendConnectorEvent.
        client: {
          sendConnectorEvent: async (request: Record<string, unknown>) => {
            sent.push(request);
            return {};
          },
        } as never,
      },
    },
  );
});

const auth = { connectorId: CONNECTOR_ID, token: 'token-1' };

describe('the four operations', () => {
  it('AWS.ActivateUser answers the vendor user id', async () => {
    const reply = (await handler(activateUserInvocation(auth))) as {
      header: { responseCode: number };
      payload: { userId?: string };
    };
    expect(reply.header.responseCode).toBe(200);
    expect(reply.payload.userId).toBe('user-1');
  });

  it('AWS.DiscoverDevices is ACKed, then DEVICE_DISCOVERY lists every supported device', async () => {
    const reply = await handler(
      discoverDevicesInvocation({ ...auth, deviceDiscoveryId: 'discovery1' }),
    );
    expect(reply).toMatchObject({ header: { responseCode: 200 } });
    expect(await handler(queue.drainAsSqsEvent())).toEqual({ batchItemFailures: [] });
    const discovery = sent.find((r) => r.Operation === 'DEVICE_DISCOVERY') as {
      Devices: Array<{ ConnectorDeviceId: string }>;
    };
    expect(discovery.Devices.map((d) => d.ConnectorDeviceId).sort()).toEqual(
      KINDS.map((k) => `${k.kind}-1`).sort(),
    );
  });

  const commandKinds = KINDS.map((k) => k.kind).filter((k) => SAMPLE_COMMANDS[k]);
  it.each(commandKinds)('AWS.SendCommand reaches the vendor for a %s', async (kind) => {
    const sample = SAMPLE_COMMANDS[kind] as (typeof SAMPLE_COMMANDS)[string];
    await handler(
      sendCommandInvocation({
        ...auth,
        traceId: `trace-${kind}`,
        connectorDeviceId: `${kind}-1`,
        endpoints: [{ id: '1', clusters: sample.clusters }],
      }),
    );
    await handler(queue.drainAsSqsEvent());
    expect(vendor.commands.map((c) => c.command)).toEqual([sample.vendorCommand]);
    const response = sent.find((r) => r.Operation === 'DEVICE_COMMAND_RESPONSE');
    expect(response?.StatusCode).toBe(200);
  });

  it('AWS.DeactivateUser revokes the tokens', async () => {
    const reply = await handler(deactivateUserInvocation(auth));
    expect(reply).toMatchObject({ header: { responseCode: 200 } });
    expect(vendor.revoked).toBe(true);
  });
});

describe('webhooks', () => {
  const kind = KINDS[0]?.kind ?? 'light';
  const event = {
    eventId: 'evt-1',
    type: 'device.connectivity',
    deviceId: `${kind}-1`,
    kind,
    userId: 'user-1',
    data: { online: false },
  };

  it('a signed event becomes a DEVICE_EVENT', async () => {
    const reply = await handler(signedWebhookEvent({ secret: SECRET, body: event }));
    expect(reply).toMatchObject({ statusCode: 202 });
    expect(sent.map((r) => r.Operation)).toEqual(['DEVICE_EVENT']);
  });

  it('a forged signature is refused with 401 and nothing is sent', async () => {
    const forged = signedWebhookEvent({
      secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      body: event,
    });
    expect(await handler(forged)).toMatchObject({ statusCode: 401 });
    expect(sent).toEqual([]);
  });

  it('an event of a kind this connector does not support is answered 422', async () => {
    const other = { ...event, eventId: 'evt-2', kind: 'toaster', deviceId: 'toaster-1' };
    expect(await handler(signedWebhookEvent({ secret: SECRET, body: other }))).toMatchObject({
      statusCode: 422,
    });
  });

  it('GET /health answers 200', async () => {
    expect(await handler(functionUrlEvent({ method: 'GET', path: '/health' }))).toMatchObject({
      statusCode: 200,
    });
  });
});

describe('configuration', () => {
  it('names a missing or empty variable', () => {
    expect(() => configFromEnv({ VENDOR_WEBHOOK_SECRET: SECRET })).toThrow(
      /^VENDOR_API_URL: required/,
    );
    expect(() =>
      configFromEnv({ VENDOR_API_URL: 'http://x', VENDOR_WEBHOOK_SECRET: ' , ' }),
    ).toThrow(/^VENDOR_WEBHOOK_SECRET: required and not empty/);
    expect(
      configFromEnv({ VENDOR_API_URL: 'http://x', VENDOR_WEBHOOK_SECRET: `${SECRET},` }),
    ).toEqual({
      apiUrl: 'http://x',
      webhookSecrets: [SECRET],
    });
  });
});
