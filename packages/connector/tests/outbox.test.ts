import { SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import {
  ConnectorNetworkError,
  ConnectorValidationError,
  PiiInDeviceIdError,
  RetryBudgetExhaustedError,
} from '../src/errors.js';
import { isPermanentReplayError, MemoryOutbox, replayOutbox } from '../src/outbox/outbox.js';
import { SqsOutbox } from '../src/outbox/sqsOutbox.js';
import { type SendConnectorEventRequest, ServiceException } from '../src/protocol.js';
import { useEmulatorQueues } from './helpers/emulatorQueues.js';

// The outbox against real parts: the emulator's SQS subset through the real AWS SDK, and the
// real signed client against the emulator's SendConnectorEvent. Draining the outbox queue through
// createConnector: outbox-drain.test.ts.

const queues = useEmulatorQueues();

const event = (device: string, n: number): SendConnectorEventRequest => ({
  ConnectorId: 'c1',
  Operation: 'DEVICE_EVENT',
  ConnectorDeviceId: device,
  TraceId: `t-${device}-${n}`,
});

const recorder = () => {
  const sent: string[] = [];
  return {
    sent,
    sender: {
      sendConnectorEvent: async (r: SendConnectorEventRequest) => {
        sent.push(r.TraceId ?? '');
      },
    },
  };
};

describe('SqsOutbox: messages that are not outbox entries', () => {
  it('reports each with its MessageId, leaves it in the queue, and still replays the rest', async () => {
    const queueUrl = await queues.newQueue();
    const foreign: Array<[string, RegExp]> = [
      ['not json {', /not JSON/],
      ['[1,2]', /a JSON object.*an array/],
      ['{"hello":"world"}', /deviceKey/],
      ['{"deviceKey":"dev-x","request":{"ConnectorId":"c1"}}', /request:.*Operation/],
    ];
    const ids: string[] = [];
    for (const [body] of foreign) {
      const res = await queues.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
      );
      ids.push(res.MessageId as string);
    }
    const outbox = new SqsOutbox({
      queueUrl,
      clientConfig: { ...queues.aws, endpoint: queues.emu.url },
    });
    await outbox.add('dev-a', event('dev-a', 0), 'ThrottlingException: slow');
    await outbox.add('dev-a', event('dev-a', 1), 'queued behind');

    const { sent, sender } = recorder();
    const report = await replayOutbox(outbox, sender);
    expect(sent).toEqual(['t-dev-a-0', 't-dev-a-1']);
    expect(report).toMatchObject({ sent: 2, failed: 0, rejected: 0, failures: [] });
    expect(report.unreadable.map((m) => m.messageId).sort()).toEqual([...ids].sort());
    for (const [i, [, reason]] of foreign.entries()) {
      const found = report.unreadable.find((m) => m.messageId === ids[i]);
      expect(found?.reason, foreign[i]?.[0]).toMatch(reason);
    }
    // Skipped, never deleted: the four are still in the queue (in flight until their timeout).
    expect(report.remaining).toBe(4);
    expect(await outbox.count()).toBe(4);
    // The reason never quotes the body.
    expect(JSON.stringify(report.unreadable)).not.toContain('hello');
    await outbox.close();
  });

  it('property: any message body is either listed as an entry or reported, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
            fc.json({ maxDepth: 2 }),
            fc.record({
              deviceKey: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
              request: fc.oneof(
                fc.constant(null),
                fc.record({ Operation: fc.constantFrom('DEVICE_EVENT', 7) }),
              ),
            }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (bodies) => {
          const queueUrl = await queues.newQueue();
          for (const b of bodies) {
            const text = typeof b === 'string' ? b : JSON.stringify(b);
            await queues.sqs.send(
              new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text }),
            );
          }
          const outbox = new SqsOutbox({
            queueUrl,
            clientConfig: { ...queues.aws, endpoint: queues.emu.url },
          });
          try {
            const listed = await outbox.list();
            expect(listed.length + outbox.unreadable().length).toBe(bodies.length);
            for (const e of listed) {
              expect(typeof e.deviceKey).toBe('string');
              expect(typeof e.request.Operation).toBe('string');
            }
          } finally {
            await outbox.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('replayOutbox with concurrency', () => {
  it('replays devices side by side, each device in order, and stops a device at its failure', async () => {
    const outbox = new MemoryOutbox();
    const event = (device: string, seq: number): SendConnectorEventRequest => ({
      ConnectorId: 'conn-1',
      Operation: 'DEVICE_EVENT',
      ConnectorDeviceId: device,
      TraceId: `t-${device}-${seq}`,
    });
    for (let seq = 0; seq < 3; seq++) {
      for (const device of ['a', 'b', 'c']) await outbox.add(device, event(device, seq), 'parked');
    }
    // The first send of each device waits until all three devices are in flight at once (a
    // replay that went one at a time never gets there: the bound then releases them and the
    // test fails); c's second event fails once.
    const inFlight = new Set<string>();
    const waiting: Array<() => void> = [];
    let overlapped = false;
    let failedOnce = false;
    const sent: string[] = [];
    const timer = setTimeout(() => {
      for (const go of waiting.splice(0)) go();
    }, 5_000);
    const sender = {
      async sendConnectorEvent(request: SendConnectorEventRequest) {
        const device = request.ConnectorDeviceId as string;
        if (!overlapped) {
          inFlight.add(device);
          if (inFlight.size === 3) {
            overlapped = true;
            clearTimeout(timer);
            for (const go of waiting.splice(0)) go();
          } else {
            await new Promise<void>((resolve) => waiting.push(resolve));
          }
        }
        if (request.TraceId === 't-c-1' && !failedOnce) {
          failedOnce = true;
          throw new ServiceException({
            name: 'ThrottlingException',
            message: 'Rate exceeded',
            statusCode: 429,
          });
        }
        sent.push(request.TraceId as string);
      },
    };
    const first = await replayOutbox(outbox, sender, { concurrency: 3 });
    expect(overlapped).toBe(true);
    // c stopped at its failure, its later event kept behind it; the next replay sends both.
    expect(first).toMatchObject({ sent: 7, failed: 1, remaining: 2 });
    expect(await replayOutbox(outbox, sender, { concurrency: 3 })).toMatchObject({
      sent: 2,
      remaining: 0,
    });
    for (const device of ['a', 'b', 'c']) {
      expect(sent.filter((t) => t.startsWith(`t-${device}-`))).toEqual(
        [0, 1, 2].map((seq) => `t-${device}-${seq}`),
      );
    }
  });
});

describe('replay failures: permanent vs transient', () => {
  it('classifies errors by what a retry can change', () => {
    const service = (name: string, statusCode: number) =>
      new ServiceException({ name, message: 'x', statusCode });
    expect(isPermanentReplayError(new ConnectorValidationError('request', ['StatusCode']))).toBe(
      true,
    );
    expect(isPermanentReplayError(new PiiInDeviceIdError('e-mail address', 'x'))).toBe(true);
    expect(isPermanentReplayError(service('ValidationException', 400))).toBe(true);
    expect(isPermanentReplayError(service('ResourceNotFoundException', 404))).toBe(true);
    expect(isPermanentReplayError(service('AccessDeniedException', 403))).toBe(true);
    expect(isPermanentReplayError(service('ThrottlingException', 429))).toBe(false);
    expect(isPermanentReplayError(service('InternalFailureException', 500))).toBe(false);
    expect(isPermanentReplayError(service('ServiceUnavailableException', 503))).toBe(false);
    expect(isPermanentReplayError(new ConnectorNetworkError('refused', 3))).toBe(false);
    expect(isPermanentReplayError(new RetryBudgetExhaustedError('empty'))).toBe(false);
    expect(isPermanentReplayError(new Error('anything else'))).toBe(false);
  });

  it('with the real client: its own validation error and a 404 are rejected, throttling is retryable', async () => {
    const client = new ConnectorEventsClient({
      ...queues.aws,
      endpoint: queues.emu.url,
      maxAttempts: 1,
    });
    const faults = queues.emu.app.emulatorConfig.faults as { throttle: number };
    try {
      const outbox = new MemoryOutbox();
      // Fails the model before it is sent: StatusCode must be 100–550.
      await outbox.add('bad', { ...event('bad', 0), StatusCode: 999 }, 'x');
      // Well-formed, but no such connector: the service answers 404.
      await outbox.add('ghost', event('ghost', 0), 'x');
      const report = await replayOutbox(outbox, client);
      expect(report).toMatchObject({ sent: 0, failed: 0, rejected: 2, remaining: 2 });
      expect(report.failures.map((f) => [f.deviceKey, f.errorName, f.permanent])).toEqual([
        ['bad', 'ConnectorValidationError', true],
        ['ghost', 'ResourceNotFoundException', true],
      ]);
      expect(report.failures[0]?.error).toMatch(/StatusCode/);

      const throttled = new MemoryOutbox();
      await throttled.add('fan-1', event('fan-1', 0), 'x');
      faults.throttle = 1;
      const again = await replayOutbox(throttled, client);
      expect(again).toMatchObject({ sent: 0, failed: 1, rejected: 0, remaining: 1 });
      expect(again.failures[0]).toMatchObject({
        errorName: 'ThrottlingException',
        permanent: false,
      });
    } finally {
      faults.throttle = 0;
      await client.close();
    }
  });
});
