import { validateSendConnectorEventRequest } from '@c2c-kit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandRejectedError } from '../src/errors.js';
import { createConnector } from '../src/handler/createConnector.js';
import type { ConnectorOptions } from '../src/handler/options.js';
import type { CommandResult, ConnectorCallbacks } from '../src/handler/types.js';
import { MemoryIdempotencyStore } from '../src/idempotency/store.js';
import { createJsonLogger } from '../src/log/logger.js';
import { InProcessWorkQueue } from '../src/queue/workQueue.js';
import { fakeLambdaContext, manualClock, sendCommandInvocation } from '../src/testing.js';
import { clientOnSigV4Server, json } from './helpers/sigv4Server.js';

// What a customer sees of a command: one DEVICE_COMMAND_RESPONSE, success or failure with the
// reason, whatever the vendor does (answers, refuses, hangs) and however often the service and
// SQS deliver the same work. Events go over real HTTP to a SigV4-verifying server and are checked
// against the service model.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const MOVE_TO_LEVEL = [
  { id: '1', clusters: [{ id: '0x0008', commands: { '0x00': { '0x00': 200, '0x01': 0 } } }] },
];

async function setup(
  executeCommand: ConnectorCallbacks['executeCommand'],
  extra: Omit<Partial<ConnectorOptions>, 'vendor'> & { refuseFirst?: boolean } = {},
) {
  let refuse = extra.refuseFirst === true;
  const accepted: string[] = [];
  const { client } = await clientOnSigV4Server((req, res) => {
    if (refuse) {
      refuse = false;
      json(res, 400, { message: 'refused once' }, { 'x-amzn-errortype': 'ValidationException' });
      return;
    }
    accepted.push(req.body);
    json(res, 202, { ConnectorId: 'conn-1' });
  }, closers);
  const queue = new InProcessWorkQueue();
  const calls = { executeCommand: 0 };
  const { refuseFirst: _, ...options } = extra;
  const handler = createConnector({
    ...options,
    runtime: {
      client,
      workQueue: queue,
      idempotency: new MemoryIdempotencyStore(),
      logger: createJsonLogger({ sink: () => {} }),
      ...options.runtime,
    },
    vendor: {
      resolveUser: () => 'user-7',
      listDevices: async () => [],
      executeCommand: (ctx) => {
        calls.executeCommand++;
        return executeCommand(ctx);
      },
    },
  });
  const invoke = (traceId: string, endpoints: unknown[] = MOVE_TO_LEVEL) =>
    handler(
      sendCommandInvocation({
        connectorId: 'conn-1',
        token: 'tok',
        traceId,
        connectorDeviceId: 'light-1',
        endpoints,
      }),
      fakeLambdaContext(),
    );
  /** Every DEVICE_COMMAND_RESPONSE the service accepted, each checked against the model. */
  const responses = () =>
    accepted
      .map((body) => JSON.parse(body) as Record<string, unknown>)
      .filter((b) => b.Operation === 'DEVICE_COMMAND_RESPONSE')
      .map((b) => {
        const checked = validateSendConnectorEventRequest({ ...b, ConnectorId: 'conn-1' });
        expect(checked.ok, JSON.stringify(checked)).toBe(true);
        return b;
      });
  return { handler, queue, calls, invoke, responses };
}

describe('command outcome', () => {
  it('MoveToLevel answered status-only reaches the service (a response carries no request fields)', async () => {
    const { handler, queue, invoke, responses } = await setup(async () => undefined);
    await invoke('moveLevel000001=_1');
    expect(await handler(queue.drainAsSqsEvent())).toEqual({ batchItemFailures: [] });
    expect(responses()).toEqual([
      expect.objectContaining({
        StatusCode: 200,
        TraceId: 'moveLevel000001=_1',
        MatterEndpoint: {
          id: '1',
          clusters: [{ id: '0x0008', commands: { '0x00': { responseCode: 200 } } }],
        },
      }),
    ]);
  });

  it('ACKs SendCommand before the vendor is called, even when the vendor never answers', async () => {
    const { invoke, calls, queue } = await setup(() => new Promise<never>(() => {}));
    const ack = await invoke('ackFirst000001=_1');
    expect(ack).toEqual({
      header: { responseCode: 200 },
      payload: { responseMessage: 'Command received.' },
    });
    expect(calls.executeCommand).toBe(0);
    expect(queue.items).toHaveLength(1);
  });

  it('re-delivered SendCommand invocations and SQS retries call the vendor once per traceId', async () => {
    const { handler, queue, invoke, calls, responses } = await setup(async () => undefined, {
      refuseFirst: true, // the first answer is refused, so the work is retried by SQS
    });
    for (let i = 0; i < 6; i++) {
      expect(await invoke('redeliver00001=_1')).toMatchObject({ header: { responseCode: 200 } });
    }
    expect(queue.items).toHaveLength(1);
    const batch = queue.drainAsSqsEvent();
    expect(await handler(batch)).toEqual({
      batchItemFailures: [{ itemIdentifier: batch.Records[0]?.messageId }],
    });
    const again = {
      Records: batch.Records.map((r) => ({ ...r, attributes: { ApproximateReceiveCount: '2' } })),
    };
    expect(await handler(again)).toEqual({ batchItemFailures: [] });
    expect(calls.executeCommand).toBe(1);
    expect(responses()).toHaveLength(1);
  });

  it('a vendor refusal fails the command once, with the reason in Message', async () => {
    const { handler, queue, invoke, calls, responses } = await setup(async () => {
      throw new CommandRejectedError(404, 'device light-1 is not this users device');
    });
    await invoke('rejected00001=_1');
    const batch = queue.drainAsSqsEvent();
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await handler(batch)).toEqual({ batchItemFailures: [] }); // SQS delivers twice
    expect(calls.executeCommand).toBe(1);
    expect(responses()).toEqual([
      expect.objectContaining({
        StatusCode: 404,
        Message: 'device light-1 is not this users device',
        MatterEndpoint: {
          id: '1',
          clusters: [
            {
              id: '0x0008',
              commands: {
                '0x00': {
                  responseCode: 404,
                  errors: { code: '404', message: 'device light-1 is not this users device' },
                },
              },
            },
          ],
        },
      }),
    ]);
  });

  it('per-command failures set StatusCode and say why in Message', async () => {
    const result: CommandResult = {
      endpointId: '1',
      clusterId: '0x0008',
      commandId: '0x00',
      status: 409,
      message: 'device_busy light is updating',
    };
    const { handler, queue, invoke, responses } = await setup(async () => [result]);
    await invoke('perCommand0001=_1');
    await handler(queue.drainAsSqsEvent());
    expect(responses()).toEqual([
      expect.objectContaining({
        StatusCode: 409,
        Message: '0x0008 0x00 409 device_busy light is updating',
      }),
    ]);
  });

  it('a vendor call that hangs past the deadline fails the command once (504)', async () => {
    const clock = manualClock();
    let called: () => void = () => {};
    const vendorCalled = new Promise<void>((resolve) => {
      called = resolve;
    });
    const { handler, queue, invoke, calls, responses } = await setup(
      () => {
        called();
        return new Promise<never>(() => {});
      },
      { policy: { commandDeadlineMs: 1_500 }, runtime: { clock } },
    );
    await invoke('hangingVendor01=_1');
    const batch = queue.drainAsSqsEvent();
    const first = handler(batch);
    await vendorCalled; // the vendor hangs; the deadline's timer is set
    clock.advance(1_499);
    expect(responses()).toEqual([]);
    clock.advance(1);
    expect(await first).toEqual({ batchItemFailures: [] });
    expect(await handler(batch)).toEqual({ batchItemFailures: [] }); // a redelivery adds nothing
    expect(calls.executeCommand).toBe(1);
    expect(responses()).toEqual([
      expect.objectContaining({ StatusCode: 504, Message: 'command deadline of 1500 ms passed' }),
    ]);
  });

  it('work still retried when the deadline passes fails the command instead of calling the vendor', async () => {
    const clock = manualClock();
    const { handler, queue, invoke, calls, responses } = await setup(async () => undefined, {
      policy: { commandDeadlineMs: 1 },
      runtime: { clock },
    });
    await invoke('lateWork000001=_1');
    clock.advance(5); // the 1 ms deadline is behind us
    expect(await handler(queue.drainAsSqsEvent())).toEqual({ batchItemFailures: [] });
    expect(calls.executeCommand).toBe(0);
    expect(responses()).toEqual([expect.objectContaining({ StatusCode: 504 })]);
  });

  it('refuses a bad deadline option with a config error naming it', () => {
    expect(() =>
      createConnector({
        vendor: {
          resolveUser: () => 'u',
          listDevices: async () => [],
          executeCommand: async () => undefined,
        },
        policy: { commandDeadlineMs: 0 },
      }),
    ).toThrow(/commandDeadlineMs: expected a positive integer/);
  });
});
