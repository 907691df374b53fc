import { ConnectorEventsClient, InProcessWorkQueue, silentLogger } from '@c2c-kit/connector';
import {
  activateUserInvocation,
  deactivateUserInvocation,
  discoverDevicesInvocation,
  sendCommandInvocation,
  signedWebhookEvent,
} from '@c2c-kit/connector/testing';
import {
  generateWebhookSecret,
  type StartedVendorCloud,
  startVendorCloud,
  userIdFor,
} from '@c2c-kit/vendor-cloud';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeConnector } from '../src/index.js';
import { startEventReceiver, startFunctionUrl } from './harness.js';

const CONNECTOR_ID = 'acme-connector-1';
const REDIRECT = 'http://127.0.0.1:1/_local/oauth/callback';

let cloud: StartedVendorCloud;
let receiver: Awaited<ReturnType<typeof startEventReceiver>>;
let fnUrl: Awaited<ReturnType<typeof startFunctionUrl>>;
let queue: InProcessWorkQueue;
let handler: ReturnType<typeof createAcmeConnector>;
let token: string;
const secret = generateWebhookSecret();

/** The account-linking code flow a customer's browser and managed integrations perform. */
async function linkAccount(username: string, password: string): Promise<string> {
  const form = new URLSearchParams({
    response_type: 'code',
    client_id: 'c2c-kit-connector',
    redirect_uri: REDIRECT,
    state: 's',
    username,
    password,
    allowed: 'true',
  });
  const auth = await request(`${cloud.url}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  await auth.body.dump();
  const code = new URL(String(auth.headers.location)).searchParams.get('code') ?? '';
  const tok = await request(`${cloud.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('c2c-kit-connector:c2c-kit-connector-secret').toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
    }).toString(),
  });
  return ((await tok.body.json()) as { access_token: string }).access_token;
}

/** Runs queued work the way the SQS event source mapping would: one batch into the same handler. */
async function drain() {
  const batch = queue.drainAsSqsEvent();
  if (batch.Records.length === 0) return { batchItemFailures: [] };
  return handler(batch);
}

beforeAll(async () => {
  cloud = await startVendorCloud({
    tickIntervalMs: 0,
    webhookSecret: secret,
    webhookRetry: { maxAttempts: 2, baseDelayMs: 10 },
  });
  receiver = await startEventReceiver();
  queue = new InProcessWorkQueue();
  handler = createAcmeConnector(
    {
      apiUrl: cloud.url,
      webhookSecrets: [secret],
      clientId: 'c2c-kit-connector',
      clientSecret: 'c2c-kit-connector-secret',
    },
    {
      connectorId: CONNECTOR_ID,
      runtime: {
        logger: silentLogger,
        workQueue: queue,
        client: new ConnectorEventsClient({
          endpoint: receiver.url,
          region: 'us-east-1',
          credentials: {
            accessKeyId: 'AKIAACMETEST00000001',
            secretAccessKey: 'acme-test-secret-key',
          },
          logger: silentLogger,
        }),
      },
    },
  );
  fnUrl = await startFunctionUrl(handler);
  cloud.setWebhookTarget(`${fnUrl.url}/webhook`);
  token = await linkAccount('alice', 'alice-password');
});

afterAll(async () => {
  await cloud?.close();
  await fnUrl?.close();
  await receiver?.close();
});

describe('Acme connector against the running vendor cloud', () => {
  it("ActivateUser returns the vendor's stable user id", async () => {
    const reply = await handler(activateUserInvocation({ connectorId: CONNECTOR_ID, token }));
    expect(reply).toMatchObject({
      header: { responseCode: 200 },
      payload: { userId: userIdFor('alice') },
    });
  });

  it('DiscoverDevices ACKs, then reports every device with a capability report', async () => {
    const ack = await handler(
      discoverDevicesInvocation({
        connectorId: CONNECTOR_ID,
        token,
        deviceDiscoveryId: 'disc0001',
      }),
    );
    expect(ack).toMatchObject({ header: { responseCode: 200 } });
    expect(receiver.sent).toHaveLength(0); // nothing happens before the queued work runs
    expect(await drain()).toEqual({ batchItemFailures: [] });
    const discovery = receiver.sent.at(-1)?.request as {
      Operation: string;
      UserId: string;
      DeviceDiscoveryId: string;
      Devices: {
        ConnectorDeviceId: string;
        ConnectorDeviceName: string;
        CapabilityReport: { endpoints: { deviceTypes: string[] }[] };
      }[];
    };
    expect(discovery).toMatchObject({
      Operation: 'DEVICE_DISCOVERY',
      UserId: userIdFor('alice'),
      DeviceDiscoveryId: 'disc0001',
    });
    expect(discovery.Devices.map((d) => d.ConnectorDeviceId).sort()).toEqual([
      'cam-1',
      'contact-1',
      'fan-1',
      'light-1',
      'lock-1',
      'thermo-1',
    ]);
    const fan = discovery.Devices.find((d) => d.ConnectorDeviceId === 'fan-1');
    expect(fan?.ConnectorDeviceName).toBe('Living room fan');
    expect(fan?.CapabilityReport.endpoints[0]?.deviceTypes).toContain('Fan');
    expect(receiver.sent.at(-1)?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAACMETEST00000001\//,
    );
  });

  it('SendCommand FanMode High changes the vendor fan and answers DEVICE_COMMAND_RESPONSE', async () => {
    const endpoints = [{ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }];
    await handler(
      sendCommandInvocation({
        connectorId: CONNECTOR_ID,
        token,
        traceId: '9b75f3839b6140f=_1',
        connectorDeviceId: 'fan-1',
        endpoints,
      }),
    );
    await drain();
    expect(cloud.simulation.getDevice(undefined, 'fan-1').state).toEqual({
      mode: 'high',
      speedPercent: 100,
    });
    const response = receiver.sent.find(
      (s) => s.request.Operation === 'DEVICE_COMMAND_RESPONSE',
    )?.request;
    expect(response).toMatchObject({
      TraceId: '9b75f3839b6140f=_1',
      StatusCode: 200,
      UserId: userIdFor('alice'),
      MatterEndpoint: {
        id: '1',
        clusters: [{ id: '0x0202', attributes: { '0x0000': 3, '0x0002': 100, '0x0003': 100 } }],
      },
    });
  });

  it('a command the device refuses is reported per command, not retried', async () => {
    cloud.simulation.trigger('lock-1', 'jam');
    const endpoints = [{ id: '1', clusters: [{ id: '0x0101', commands: { '0x01': {} } }] }];
    await handler(
      sendCommandInvocation({
        connectorId: CONNECTOR_ID,
        token,
        traceId: 'a1b2c3d4e5f6a7b=_1',
        connectorDeviceId: 'lock-1',
        endpoints,
      }),
    );
    expect(await drain()).toEqual({ batchItemFailures: [] });
    const response = receiver.sent.find((s) => s.request.TraceId === 'a1b2c3d4e5f6a7b=_1')?.request;
    expect(response).toMatchObject({
      StatusCode: 409,
      MatterEndpoint: { clusters: [{ id: '0x0101', commands: { '0x01': { responseCode: 409 } } }] },
    });
    cloud.simulation.trigger('lock-1', 'unjam');
  });

  it('camera motion at the vendor arrives as a DEVICE_EVENT via the signed webhook', async () => {
    const before = receiver.sent.length;
    cloud.simulation.trigger('cam-1', 'motion');
    await cloud.webhooks.idle();
    expect(cloud.webhooks.log()[0]).toMatchObject({ state: 'delivered', type: 'device.motion' });
    // Other devices' events (the lock's unjam above) may arrive too; pick the camera's.
    const event = receiver.sent
      .slice(before)
      .find(
        (s) => s.request.Operation === 'DEVICE_EVENT' && s.request.ConnectorDeviceId === 'cam-1',
      )?.request;
    expect(event).toMatchObject({
      ConnectorDeviceId: 'cam-1',
      UserId: userIdFor('alice'),
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0406', attributes: { '0x0000': 1 } }] },
    });
  });

  it('rejects a webhook signed with another secret and sends nothing', async () => {
    const before = receiver.sent.length;
    cloud.setWebhookTarget(`${fnUrl.url}/webhook`, generateWebhookSecret());
    cloud.simulation.trigger('contact-1', 'open');
    await cloud.webhooks.idle();
    const [last] = cloud.webhooks.log();
    expect(last?.state).toBe('failed');
    expect(last?.attempts[0]?.status).toBe(401);
    expect(receiver.sent.length).toBe(before);
    cloud.setWebhookTarget(`${fnUrl.url}/webhook`, secret);
  });

  it('answers unknown vendor events and unknown state members with 422, sending nothing', async () => {
    const before = receiver.sent.length;
    const base = {
      eventId: 'evt_x',
      deviceId: 'cam-1',
      kind: 'camera',
      userId: userIdFor('alice'),
      occurredAt: new Date().toISOString(),
      source: 'device',
    };
    const unknownType = (await handler(
      signedWebhookEvent({ secret, body: { ...base, type: 'device.exploded', data: {} } }),
    )) as { statusCode: number; body: string };
    expect(unknownType.statusCode).toBe(422);
    expect(unknownType.body).toContain('device.exploded');
    const unknownMember = (await handler(
      signedWebhookEvent({
        secret,
        body: { ...base, type: 'device.motion', data: { smell: 'smoke' } },
      }),
    )) as { statusCode: number; body: string };
    expect(unknownMember.statusCode).toBe(422);
    expect(unknownMember.body).toContain('smell');
    const badValue = (await handler(
      signedWebhookEvent({
        secret,
        body: { ...base, type: 'device.battery', data: { battery: 'full' } },
      }),
    )) as { statusCode: number };
    expect(badValue.statusCode).toBe(422);
    const badShape = (await handler(
      signedWebhookEvent({
        secret,
        body: { ...base, kind: 'toaster', type: 'device.motion', data: {} },
      }),
    )) as {
      statusCode: number;
    };
    expect(badShape.statusCode).toBe(400);
    expect(receiver.sent.length).toBe(before);
    expect(handler.stats.unknownVendorEvents).toBeGreaterThanOrEqual(2);
  });

  it('every event sent matched the service model', () => {
    expect(receiver.rejected).toEqual([]);
  });

  it('DeactivateUser revokes the access and refresh tokens at the vendor', async () => {
    const reply = await handler(deactivateUserInvocation({ connectorId: CONNECTOR_ID, token }));
    expect(reply).toMatchObject({ header: { responseCode: 200 } });
    const res = await request(`${cloud.url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(await (await request(`${cloud.url}/_sim/oauth`)).body.json()).toMatchObject({
      refreshTokens: 0,
    });
  });

  it('a discovery with a token Acme refuses fails at once with 401, never 0 devices', async () => {
    // The token above is revoked: Acme answers 401 to it.
    const before = receiver.sent.length;
    await handler(
      discoverDevicesInvocation({
        connectorId: CONNECTOR_ID,
        token,
        deviceDiscoveryId: 'disc0401',
      }),
    );
    // First receive, no redelivery: retrying with the same token cannot help.
    expect(await drain()).toEqual({ batchItemFailures: [] });
    const sent = receiver.sent.slice(before).map((s) => s.request);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      Operation: 'DEVICE_DISCOVERY',
      DeviceDiscoveryId: 'disc0401',
      StatusCode: 401,
      Message: expect.stringMatching(/^Acme refused the access token/),
      Devices: [],
    });
    expect(receiver.rejected).toEqual([]);
  });
});
