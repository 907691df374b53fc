import { describe, expect, it } from 'vitest';
import { createConnector } from '../src/handler/createConnector.js';
import {
  activateUserInvocation,
  deactivateUserInvocation,
  discoverDevicesInvocation,
  fakeLambdaContext,
  manualClock,
  sendCommandInvocation,
} from '../src/testing.js';
import { TOKEN, useFanConnector } from './helpers/fanConnector.js';

// createConnector answering the service's invocations (ActivateUser, DiscoverDevices, SendCommand,
// DeactivateUser) and checking its options. Webhooks on the Function URL: handler-webhooks.test.ts.

const setup = useFanConnector();

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
