import { randomBytes } from 'node:crypto';
import { fanControl } from '@c2c-kit/matter';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { createConnector } from '../src/handler/createConnector.js';
import type { ConnectorOptions } from '../src/handler/options.js';
import type { ConnectorCallbacks } from '../src/handler/types.js';
import { MemoryIdempotencyStore } from '../src/idempotency/store.js';
import { createJsonLogger } from '../src/log/logger.js';
import { MemoryOutbox } from '../src/outbox/outbox.js';
import { InProcessWorkQueue } from '../src/queue/workQueue.js';
import {
  activateUserInvocation,
  deactivateUserInvocation,
  discoverDevicesInvocation,
  fakeLambdaContext,
  functionUrlEvent,
  manualClock,
  sendCommandInvocation,
  signedWebhookEvent,
} from '../src/testing.js';
import { defineTranslator } from '../src/translate/translator.js';
import { standardWebhooks } from '../src/webhooks/verify.js';
import { json, type Received, startSigV4Server, TEST_CREDENTIALS } from './helpers/sigv4Server.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TOKEN = 'vendor-access-token-SECRET-123';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

type FanEvent = { type: string; deviceId: string; owner: string; mode: 'low' | 'high' | 'turbo' };
const FAN_MODE = { low: 'Low', high: 'High' } as const;

type Extra = Omit<Partial<ConnectorOptions<FanEvent>>, 'vendor'> & {
  vendor?: Partial<ConnectorCallbacks>;
};

async function setup(extra: Extra = {}, respond?: (r: Received) => [number, unknown]) {
  const server = await startSigV4Server((req, res) => {
    const [status, body] = respond?.(req) ?? [202, { ConnectorId: 'conn-1' }];
    json(
      res,
      status,
      body,
      status >= 400
        ? { 'x-amzn-errortype': (body as { __type?: string }).__type ?? 'InternalServerException' }
        : {},
    );
  });
  const client = new ConnectorEventsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: TEST_CREDENTIALS,
    random: () => 0,
  });
  closers.push(server.close, () => client.close());
  const lines: string[] = [];
  const queue = new InProcessWorkQueue();
  const calls = { listDevices: 0, executeCommand: 0, revoke: 0 };
  const handler = createConnector<FanEvent>({
    ...extra,
    runtime: {
      client,
      workQueue: queue,
      idempotency: new MemoryIdempotencyStore(),
      logger: createJsonLogger({ sink: (l) => lines.push(l), level: 'debug' }),
      ...extra.runtime,
    },
    vendor: {
      resolveUser: ({ auth }) =>
        auth.type === 'OAuth2.0' && auth.accessToken === TOKEN ? 'user-7' : 'other',
      listDevices: async () => {
        calls.listDevices++;
        return [
          {
            connectorDeviceId: 'fan-42',
            name: 'Living room fan',
            capabilityReport: {
              version: '1.0.0',
              endpoints: [
                { id: '1', deviceTypes: ['0x002B'], clusters: [{ id: '0x0202', revision: 4 }] },
              ],
            },
          },
        ];
      },
      executeCommand: async () => {
        calls.executeCommand++;
        return [
          {
            endpointId: '1',
            clusterId: '0x0006',
            commandId: '0x01',
            attributes: { '0x0000': true },
          },
        ];
      },
      revokeTokens: async () => {
        calls.revoke++;
      },
      ...extra.vendor,
    },
    webhooks: {
      verifier: standardWebhooks({ secrets: [SECRET] }),
      translate: defineTranslator<FanEvent>({
        typeOf: (e) => e.type,
        rules: {
          'fan.mode_changed': (e) => ({
            connectorDeviceId: e.deviceId,
            userId: e.owner,
            clusters:
              e.mode === 'turbo'
                ? [{ id: '0x0202', attributes: { '0x0000': 9 } }] // a buggy translation
                : [fanControl.fanMode(FAN_MODE[e.mode])],
          }),
        },
      }),
    },
  });
  return { server, handler, queue, calls, lines };
}

const CMD_ENDPOINTS = [{ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }];

describe('createConnector: service invocations', () => {
  it('ActivateUser replies with the userId from resolveUser', async () => {
    const { handler } = await setup();
    const out = await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(out).toEqual({
      header: { responseCode: 200 },
      payload: {
        responseMessage: 'Successfully activated user with connector-id conn-1.',
        userId: 'user-7',
      },
    });
  });

  it('DiscoverDevices ACKs, enqueues once, and the queued work sends DEVICE_DISCOVERY with the deviceDiscoveryId', async () => {
    const { handler, queue, server, calls } = await setup();
    const inv = discoverDevicesInvocation({
      connectorId: 'conn-1',
      token: TOKEN,
      deviceDiscoveryId: 'disc123',
    });
    const ack = await handler(inv, fakeLambdaContext());
    const again = await handler(inv, fakeLambdaContext()); // the service's retry
    expect(ack).toMatchObject({ header: { responseCode: 200 } });
    expect(again).toMatchObject({ header: { responseCode: 200 } });
    expect(queue.items).toHaveLength(1);
    expect(server.received).toHaveLength(0); // ACK does no vendor work and sends nothing
    const sqs = queue.drainAsSqsEvent();
    const dup = { Records: [...sqs.Records, { ...sqs.Records[0], messageId: 'redelivered' }] };
    expect(await handler(dup, fakeLambdaContext(30_000))).toEqual({ batchItemFailures: [] });
    expect(calls.listDevices).toBe(1);
    expect(server.received).toHaveLength(1);
    const body = JSON.parse(server.received[0]?.body ?? '{}');
    expect(body).toMatchObject({
      Operation: 'DEVICE_DISCOVERY',
      DeviceDiscoveryId: 'disc123',
      UserId: 'user-7',
      StatusCode: 200,
    });
    expect(body.Devices[0]).toMatchObject({
      ConnectorDeviceId: 'fan-42',
      ConnectorDeviceName: 'Living room fan',
    });
  });

  it('SendCommand ACKs fast and the worker sends DEVICE_COMMAND_RESPONSE with traceId and per-command status', async () => {
    const { handler, queue, server, calls } = await setup();
    const inv = sendCommandInvocation({
      connectorId: 'conn-1',
      token: TOKEN,
      traceId: '9b75f3839b6140f=_1',
      connectorDeviceId: 'fan-42',
      endpoints: CMD_ENDPOINTS,
    });
    expect(await handler(inv)).toMatchObject({
      header: { responseCode: 200 },
      payload: { responseMessage: 'Command received.' },
    });
    await handler(inv);
    await handler(queue.drainAsSqsEvent());
    expect(calls.executeCommand).toBe(1);
    const body = JSON.parse(server.received[0]?.body ?? '{}');
    expect(body).toMatchObject({
      Operation: 'DEVICE_COMMAND_RESPONSE',
      TraceId: '9b75f3839b6140f=_1',
      StatusCode: 200,
      MatterEndpoint: {
        id: '1',
        clusters: [
          {
            id: '0x0006',
            commands: { '0x01': { responseCode: 200 } },
            attributes: { '0x0000': true },
          },
        ],
      },
    });
  });

  it('a vendor failure is retried through SQS, then reported as a 500 command response on the final receive', async () => {
    const { handler, queue, server } = await setup({
      vendor: {
        executeCommand: async () => {
          throw new Error('vendor cloud timeout');
        },
      },
    });
    await handler(
      sendCommandInvocation({
        connectorId: 'conn-1',
        token: TOKEN,
        traceId: 'abcDEF123456789=_2',
        connectorDeviceId: 'fan-42',
        endpoints: CMD_ENDPOINTS,
      }),
    );
    const sqs = queue.drainAsSqsEvent();
    expect(await handler(sqs)).toEqual({
      batchItemFailures: [{ itemIdentifier: sqs.Records[0]?.messageId }],
    });
    expect(server.received).toHaveLength(0);
    const final = {
      Records: [{ ...sqs.Records[0], attributes: { ApproximateReceiveCount: '3' } }],
    };
    expect(await handler(final)).toEqual({ batchItemFailures: [] });
    const body = JSON.parse(server.received[0]?.body ?? '{}');
    expect(body).toMatchObject({ Operation: 'DEVICE_COMMAND_RESPONSE', StatusCode: 500 });
    expect(body.MatterEndpoint.clusters[0].commands['0x01'].responseCode).toBe(500);
  });

  it('a throwing callback becomes a 502 error reply naming VendorCallbackError (no crash, no token)', async () => {
    const { handler, lines } = await setup({
      vendor: {
        resolveUser: () => {
          throw new Error(`vendor said no to ${TOKEN}`);
        },
      },
    });
    const out = await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(out).toEqual({
      header: { responseCode: 502 },
      payload: { responseMessage: 'AWS.ActivateUser failed: VendorCallbackError' },
    });
    expect(lines.some((l) => l.includes('VendorCallbackError'))).toBe(true);
    // The vendor's own message quoted the token; the invocation logger masks it anyway.
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('a stuck enqueue is abandoned inside the ACK budget: error reply, then a retry is not blocked', async () => {
    let calls = 0;
    const clock = manualClock();
    let signal: AbortSignal | undefined;
    let stuck: () => void = () => {};
    const enqueued = new Promise<void>((resolve) => {
      stuck = resolve;
    });
    const { handler } = await setup({
      runtime: {
        clock,
        workQueue: {
          enqueue: (_item, options) => {
            calls++;
            if (calls > 1) return Promise.resolve();
            signal = options?.signal;
            stuck();
            return new Promise<void>((_resolve, reject) => {
              options?.signal?.addEventListener('abort', () => reject(options.signal?.reason));
            });
          },
        },
      },
    });
    const inv = discoverDevicesInvocation({
      connectorId: 'conn-1',
      token: TOKEN,
      deviceDiscoveryId: 'slow1',
    });
    const pending = handler(inv, fakeLambdaContext(600, 'test-request', clock));
    await enqueued;
    // 600 ms left in the invocation, less a 250 ms margin for the reply.
    clock.advance(349);
    expect(signal?.aborted).toBe(false);
    clock.advance(1);
    expect(signal?.aborted).toBe(true);
    const out = (await pending) as { header: { responseCode: number } };
    expect(out.header.responseCode).toBe(500);
    // The failed ACK released its key: the service's retry enqueues and is acknowledged.
    expect(await handler(inv, fakeLambdaContext(2000))).toMatchObject({
      header: { responseCode: 200 },
    });
    expect(calls).toBe(2);
  });

  it('DeactivateUser revokes tokens', async () => {
    const { handler, calls } = await setup();
    expect(
      await handler(deactivateUserInvocation({ connectorId: 'conn-1', token: TOKEN })),
    ).toMatchObject({ header: { responseCode: 200 } });
    expect(calls.revoke).toBe(1);
  });

  it.each([
    ['not an object', 'hello'],
    [
      'unknown operation',
      {
        header: { auth: { type: 'OAuth2.0', token: 't' } },
        payload: { operationName: 'AWS.Reboot', connectorId: 'c' },
      },
    ],
    [
      'missing token',
      {
        header: { auth: { type: 'OAuth2.0' } },
        payload: { operationName: 'AWS.ActivateUser', connectorId: 'c' },
      },
    ],
    [
      'no deviceDiscoveryId',
      {
        header: { auth: { type: 'OAuth2.0', token: 't' } },
        payload: { operationName: 'AWS.DiscoverDevices', connectorId: 'c' },
      },
    ],
    ['null', null],
  ])(
    'malformed envelope (%s) → 400 error reply naming the field, never a crash',
    async (_name, event) => {
      const { handler } = await setup();
      const out = (await handler(event)) as {
        header: { responseCode: number };
        payload: { responseMessage: string };
      };
      expect(out.header.responseCode).toBe(400);
      expect(out.payload.responseMessage).toMatch(/invalid invocation: /);
    },
  );

  it('refuses the options of the old, flat shape with a config error naming the group', () => {
    const flat = {
      resolveUser: () => 'u',
      listDevices: async () => [],
      executeCommand: async () => {},
    };
    expect(() => createConnector(flat as never)).toThrow(
      /vendor\.resolveUser: expected a function, got no vendor callbacks/,
    );
  });

  it('cross-checks connectorId against the configured one', async () => {
    const { handler } = await setup({ connectorId: 'conn-1' });
    const out = await handler(
      activateUserInvocation({ connectorId: 'someone-else', token: TOKEN }),
    );
    expect(out).toMatchObject({ header: { responseCode: 400 } });
  });
});

describe('createConnector: webhooks on the Function URL', () => {
  const fanHigh = { type: 'fan.mode_changed', deviceId: 'fan-42', owner: 'user-7', mode: 'high' };

  it('verifies, translates and sends DEVICE_EVENT (FanMode High = 3); a replayed delivery is not re-sent', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh, id: 'msg_1', base64: true });
    expect(await handler(event)).toMatchObject({ statusCode: 202 });
    expect(await handler(event)).toMatchObject({
      statusCode: 200,
      body: JSON.stringify({ status: 'duplicate', events: 1 }),
    });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.signatureValid).toBe(true);
    expect(JSON.parse(server.received[0]?.body ?? '{}')).toEqual({
      UserId: 'user-7',
      Operation: 'DEVICE_EVENT',
      OperationVersion: '1.0',
      StatusCode: 200,
      ConnectorDeviceId: 'fan-42',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
    });
  });

  it('a connectorId resolver runs when a webhook needs the id first, once, and again after a failure', async () => {
    // Prepare
    let calls = 0;
    const { handler, server } = await setup({
      connectorId: async () => {
        calls++;
        if (calls === 1) throw new Error('ListCloudConnectors unavailable');
        return 'conn-resolved';
      },
    });
    const delivery = (id: string) => signedWebhookEvent({ secret: SECRET, body: fanHigh, id });
    // Act, Assess: a failed resolution is not cached
    expect(await handler(delivery('msg_r1'))).toMatchObject({ statusCode: 503 });
    expect(await handler(delivery('msg_r2'))).toMatchObject({ statusCode: 202 });
    expect(await handler(delivery('msg_r3'))).toMatchObject({ statusCode: 202 });
    expect(calls).toBe(2);
    expect(server.received.map((r) => r.url)).toEqual([
      '/connector-event/conn-resolved',
      '/connector-event/conn-resolved',
    ]);
    // The resolved id is the function's from now on: an invocation for another is refused.
    const other = await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(other).toMatchObject({ header: { responseCode: 400 } });
  });

  it('rejects forged (401), expired (401) and unsigned (400) deliveries and sends nothing', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const forged = signedWebhookEvent({
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      body: fanHigh,
    });
    const expired = signedWebhookEvent({
      secret: SECRET,
      body: fanHigh,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    const unsigned = functionUrlEvent({ method: 'POST', body: JSON.stringify(fanHigh) });
    expect(await handler(forged)).toMatchObject({ statusCode: 401 });
    expect(await handler(expired)).toMatchObject({ statusCode: 401 });
    expect(await handler(unsigned)).toMatchObject({ statusCode: 400 });
    expect(server.received).toHaveLength(0);
    expect(handler.stats.webhooksRejected).toBe(3);
  });

  it('reports an unknown vendor event (422, logged, counted), never drops it silently', async () => {
    const { handler, lines } = await setup({ connectorId: 'conn-1' });
    const out = await handler(
      signedWebhookEvent({ secret: SECRET, body: { type: 'fan.exploded', deviceId: 'x' } }),
    );
    expect(out).toMatchObject({ statusCode: 422 });
    expect(handler.stats.unknownVendorEvents).toBe(1);
    expect(
      lines.some((l) => l.includes('"unknown vendor event"') && l.includes('fan.exploded')),
    ).toBe(true);
  });

  it('validates the Matter values before sending: FanMode 9 is refused with the field path (422)', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const out = (await handler(
      signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'turbo' } }),
    )) as { statusCode: number; body: string };
    expect(out.statusCode).toBe(422);
    expect(out.body).toContain('MatterEndpoint.clusters[0].attributes');
    expect(out.body).toContain('FanModeEnum');
    expect(server.received).toHaveLength(0);
  });

  it('takes a custom endpoint check, synchronous or not, in place of the Matter one', async () => {
    for (const check of [
      (e: { id?: string }) => (e.id === '1' ? ['endpoint 1 is reserved here'] : []),
      async (e: { id?: string }) => (e.id === '1' ? ['endpoint 1 is reserved here'] : []),
    ]) {
      const { handler, server } = await setup({
        connectorId: 'conn-1',
        policy: { validateEndpoint: check },
      });
      const out = (await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))) as {
        statusCode: number;
        body: string;
      };
      expect(out.statusCode).toBe(422);
      expect(out.body).toContain('endpoint 1 is reserved here');
      expect(server.received).toHaveLength(0);
    }
    // Switched off: FanMode 9 is the model's business only, and the model allows it.
    const { handler, server } = await setup({
      connectorId: 'conn-1',
      policy: { validateEndpoint: false },
    });
    const turbo = signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'turbo' } });
    expect(await handler(turbo)).toMatchObject({ statusCode: 202 });
    expect(server.received).toHaveLength(1);
  });

  it('reads webhook headers whatever their case', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh });
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([k, v]) => [
        k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()),
        v,
      ]),
    );
    expect(Object.keys(headers)).toContain('Webhook-Signature');
    expect(await handler({ ...event, headers })).toMatchObject({ statusCode: 202 });
    expect(server.received).toHaveLength(1);
  });

  it('refuses a ConnectorDeviceId that is an e-mail address (422)', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    const out = await handler(
      signedWebhookEvent({
        secret: SECRET,
        body: { ...fanHigh, deviceId: 'jane.doe@example.com' },
      }),
    );
    expect(out).toMatchObject({ statusCode: 422 });
    expect(server.received).toHaveLength(0);
  });

  it('parks events in the outbox when the service keeps failing, keeps device order, and answers 202', async () => {
    let fail = true;
    const outbox = new MemoryOutbox();
    const { handler, server } = await setup({ connectorId: 'conn-1', runtime: { outbox } }, () =>
      fail
        ? [503, { __type: 'ServiceUnavailableException', Message: 'down' }]
        : [202, { ConnectorId: 'conn-1' }],
    );
    // Parked durably: the vendor gets 202 (no retry) and learns how many events were parked.
    expect(await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))).toMatchObject({
      statusCode: 202,
      body: JSON.stringify({ status: 'accepted', events: 1, parked: 1 }),
    });
    fail = false;
    // The service is back, but this device has a parked event: the new one must queue behind it.
    expect(
      await handler(signedWebhookEvent({ secret: SECRET, body: { ...fanHigh, mode: 'low' } })),
    ).toMatchObject({ statusCode: 202 });
    const attempts = server.received.length;
    expect(await outbox.count()).toBe(2);
    expect(attempts).toBe(3); // 3 attempts for the first event, none for the second
  });

  it('without an outbox, a delivery failure answers 503 so the vendor retries (nothing lost)', async () => {
    const { handler } = await setup({ connectorId: 'conn-1' }, () => [
      503,
      { __type: 'ServiceUnavailableException' },
    ]);
    const event = signedWebhookEvent({ secret: SECRET, body: fanHigh, id: 'msg_retry' });
    expect(await handler(event)).toMatchObject({ statusCode: 503 });
    // Failed work released its idempotency key: the retry is processed, not treated as a duplicate.
    expect(await handler(event)).toMatchObject({ statusCode: 503 });
  });

  it('after DeactivateUser, events for that user are no longer sent; ActivateUser re-enables them', async () => {
    const { handler, server } = await setup({ connectorId: 'conn-1' });
    await handler(deactivateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    expect(await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }))).toMatchObject({
      statusCode: 202,
    });
    expect(server.received).toHaveLength(0);
    expect(handler.stats.eventsDroppedDeactivated).toBe(1);
    await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }));
    expect(server.received).toHaveLength(1);
  });

  it('never writes the access token, webhook secret or request signatures to the logs', async () => {
    const { handler, lines, server } = await setup({ connectorId: 'conn-1' });
    await handler(activateUserInvocation({ connectorId: 'conn-1', token: TOKEN }));
    await handler(
      discoverDevicesInvocation({ connectorId: 'conn-1', token: TOKEN, deviceDiscoveryId: 'd1' }),
    );
    await handler(signedWebhookEvent({ secret: SECRET, body: fanHigh }));
    await handler(
      signedWebhookEvent({ secret: `whsec_${randomBytes(24).toString('base64')}`, body: fanHigh }),
    );
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET.slice(6));
    const signature =
      /Signature=([0-9a-f]+)/.exec(String(server.received[0]?.headers.authorization))?.[1] ??
      'none';
    expect(all).not.toContain(signature);
    expect(all).not.toContain('"user-7"'); // hashed
    expect(all).toContain('userIdHash');
  });
});
