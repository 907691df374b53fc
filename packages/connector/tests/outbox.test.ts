import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { fanControl } from '@c2c-kit/matter';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import {
  ConnectorNetworkError,
  ConnectorValidationError,
  PiiInDeviceIdError,
  RetryBudgetExhaustedError,
} from '../src/errors.js';
import { createConnector } from '../src/handler/createConnector.js';
import { MemoryIdempotencyStore } from '../src/idempotency/store.js';
import { silentLogger } from '../src/log/logger.js';
import { isPermanentReplayError, MemoryOutbox, replayOutbox } from '../src/outbox/outbox.js';
import { SqsOutbox } from '../src/outbox/sqsOutbox.js';
import { type SendConnectorEventRequest, ServiceException } from '../src/protocol.js';
import { signedWebhookEvent } from '../src/testing.js';
import { defineTranslator } from '../src/translate/translator.js';
import { standardWebhooks } from '../src/webhooks/verify.js';
import { LOCAL_CREDENTIALS } from './helpers/mi.js';

// The outbox against real parts: the emulator's SQS subset through the real AWS SDK, and the
// real signed client against the emulator's SendConnectorEvent.

const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
let emu: RunningEmulator;
let sqs: SQSClient;
let queues = 0;

beforeAll(async () => {
  emu = await startEmulator({ memory: true, credentials: [LOCAL_CREDENTIALS] });
  sqs = new SQSClient({ ...aws, endpoint: emu.url });
});

afterAll(async () => {
  sqs?.destroy();
  await emu?.close();
});

async function newQueue(fifo = false): Promise<string> {
  const name = `outbox-test-${queues++}${fifo ? '.fifo' : ''}`;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
    }),
  );
  return q.QueueUrl as string;
}

const event = (device: string, n: number): SendConnectorEventRequest => ({
  ConnectorId: 'c1',
  Operation: 'DEVICE_EVENT',
  ConnectorDeviceId: device,
  TraceId: `t-${device}-${n}`,
});

/** A connector whose vendor side these tests never reach (webhooks only). */
const noVendor = {
  resolveUser: async () => 'u',
  listDevices: async () => [],
  executeCommand: async () => [],
};

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
    const queueUrl = await newQueue();
    const foreign: Array<[string, RegExp]> = [
      ['not json {', /not JSON/],
      ['[1,2]', /a JSON object.*an array/],
      ['{"hello":"world"}', /deviceKey/],
      ['{"deviceKey":"dev-x","request":{"ConnectorId":"c1"}}', /request:.*Operation/],
    ];
    const ids: string[] = [];
    for (const [body] of foreign) {
      const res = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      ids.push(res.MessageId as string);
    }
    const outbox = new SqsOutbox({ queueUrl, clientConfig: { ...aws, endpoint: emu.url } });
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
          const queueUrl = await newQueue();
          for (const b of bodies) {
            const text = typeof b === 'string' ? b : JSON.stringify(b);
            await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text }));
          }
          const outbox = new SqsOutbox({ queueUrl, clientConfig: { ...aws, endpoint: emu.url } });
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

/** What an event source mapping hands the function: the queue's visible messages as SQS records. */
async function receiveAsEvent(queueUrl: string) {
  const arn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const res = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return {
    Records: (res.Messages ?? []).map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body as string,
      attributes: m.Attributes ?? {},
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
    })),
  };
}

/** As the mapping does: invoke with what is visible, delete what did not fail. Bounded. */
async function drainOnce(
  handler: (e: unknown) => Promise<unknown>,
  queueUrl: string,
): Promise<number> {
  const event = await receiveAsEvent(queueUrl);
  if (event.Records.length === 0) return 0;
  const { batchItemFailures } = (await handler(event)) as {
    batchItemFailures: Array<{ itemIdentifier: string }>;
  };
  const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
  for (const r of event.Records) {
    if (!failed.has(r.messageId)) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: r.receiptHandle }),
      );
    }
  }
  return event.Records.length;
}

describe('the outbox drainer (createConnector on its own outbox queue)', () => {
  it('retries parked events with backoff, in order per device, then dead-letters a permanent failure', async () => {
    const queueUrl = await newQueue(true);
    const dlqUrl = await newQueue(true);
    const store = new MemoryIdempotencyStore();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    let refuse: ServiceException | undefined = new ServiceException({
      name: 'ThrottlingException',
      message: 'slow down',
      statusCode: 429,
    });
    const delivered: string[] = [];
    const sender = {
      sendConnectorEvent: async (r: SendConnectorEventRequest) => {
        if (refuse && r.ConnectorDeviceId !== 'fan-ok') throw refuse;
        if (r.ConnectorDeviceId === 'bad') {
          throw new ServiceException({
            name: 'ValidationException',
            message: 'no',
            statusCode: 400,
          });
        }
        // Device and fan mode: which of the device's webhooks this was.
        const fan = r.MatterEndpoint?.clusters?.[0]?.attributes as Record<string, unknown>;
        delivered.push(`${r.ConnectorDeviceId}:${String(fan?.['0x0000'])}`);
      },
      listCloudConnectors: async () => ({ Items: [] }),
      getCloudConnector: async () => ({}),
    };
    const outbox = new SqsOutbox({
      queueUrl,
      deadLetterQueueUrl: dlqUrl,
      clientConfig: { ...aws, endpoint: emu.url },
    });
    const handler = createConnector<{ deviceId: string; n: number }>({
      connectorId: 'c1',
      runtime: { client: sender as never, idempotency: store, outbox, logger: silentLogger },
      vendor: noVendor,
      webhooks: {
        verifier: standardWebhooks({ secrets: [secret] }),
        translate: (e) => ({
          connectorDeviceId: e.deviceId,
          clusters: [fanControl.fanMode((['Low', 'Medium', 'High'] as const)[e.n] ?? 'Off')],
        }),
      },
    });
    const webhook = async (deviceId: string, n: number) =>
      handler(signedWebhookEvent({ secret, body: { deviceId, n } }));

    for (let n = 0; n < 3; n++) {
      for (const deviceId of ['fan-1', 'fan-2']) {
        expect(await webhook(deviceId, n)).toMatchObject({ statusCode: 202 });
      }
    }
    // fan-ok was never refused: its events go straight out, nothing parks behind them.
    expect(await webhook('fan-ok', 0)).toMatchObject({
      statusCode: 202,
      body: JSON.stringify({ status: 'accepted', events: 1 }),
    });
    expect(handler.stats).toMatchObject({ eventsOutboxed: 6, eventsSent: 1 });
    expect(await store.isParked('fan-1', Date.now())).toBe(true);

    // Still throttled: each device's head fails, and is hidden for its backoff.
    expect(await drainOnce(handler, queueUrl)).toBeGreaterThan(0);
    expect(handler.stats.outboxRetried).toBeGreaterThanOrEqual(1);
    expect(handler.stats.outboxDelivered).toBe(0);

    refuse = undefined; // healthy again: no new webhook, no replay — the drainer delivers
    for (let round = 0; round < 200 && handler.stats.outboxDelivered < 6; round++) {
      if ((await drainOnce(handler, queueUrl)) === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(handler.stats.outboxDelivered).toBe(6);
    // Low = 1, Medium = 2, High = 3: each device's events in the order they were acknowledged.
    for (const device of ['fan-1', 'fan-2']) {
      expect(delivered.filter((d) => d.startsWith(`${device}:`))).toEqual([
        `${device}:1`,
        `${device}:2`,
        `${device}:3`,
      ]);
    }
    expect(delivered).toHaveLength(7);
    expect(await store.isParked('fan-1', Date.now())).toBe(false);
    expect(await store.isParked('fan-2', Date.now())).toBe(false);

    // A permanent refusal: parked, then dead-lettered on its first drain, its marker removed.
    expect(await webhook('bad', 0)).toMatchObject({ statusCode: 202 });
    for (let round = 0; round < 50 && handler.stats.eventsDeadLettered < 1; round++) {
      if ((await drainOnce(handler, queueUrl)) === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(handler.stats.eventsDeadLettered).toBe(1);
    expect(await store.isParked('bad', Date.now())).toBe(false);
    const dlq = new SqsOutbox({ queueUrl: dlqUrl, clientConfig: { ...aws, endpoint: emu.url } });
    const [dead] = await dlq.list();
    expect(dead).toMatchObject({ deviceKey: 'bad', request: { ConnectorDeviceId: 'bad' } });
    expect(dead?.lastError).toMatch(/^ValidationException/);
    await dlq.close();
    await outbox.close();
  }, 60_000);
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
    const client = new ConnectorEventsClient({ ...aws, endpoint: emu.url, maxAttempts: 1 });
    const faults = emu.app.emulatorConfig.faults as { throttle: number };
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

describe('createConnector and C2C_OUTBOX_QUEUE_URL', () => {
  it('parks an undeliverable webhook event in an SqsOutbox on that queue and answers 202', async () => {
    const queueUrl = await newQueue(true);
    const env = {
      C2C_OUTBOX_QUEUE_URL: queueUrl,
      AWS_ENDPOINT_URL: emu.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const faults = emu.app.emulatorConfig.faults as { error: number };
    const client = new ConnectorEventsClient({ ...aws, endpoint: emu.url, maxAttempts: 1 });
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    try {
      // No `outbox` option: the environment variable alone turns parking on.
      const handler = createConnector<{ deviceId: string }>({
        connectorId: 'c1',
        runtime: { client, logger: silentLogger },
        vendor: noVendor,
        webhooks: {
          verifier: standardWebhooks({ secrets: [secret] }),
          translate: defineTranslator<{ deviceId: string }>({
            typeOf: () => 'fan',
            rules: {
              fan: (e) => ({
                connectorDeviceId: e.deviceId,
                clusters: [fanControl.fanMode('High')],
              }),
            },
          }),
        },
      });
      faults.error = 1; // every SendConnectorEvent answers 503
      const answer = await handler(signedWebhookEvent({ secret, body: { deviceId: 'fan-9' } }));
      expect(answer).toMatchObject({
        statusCode: 202,
        body: JSON.stringify({ status: 'accepted', events: 1, parked: 1 }),
      });
      expect(handler.stats.eventsOutboxed).toBe(1);
      const replayer = new SqsOutbox({ queueUrl, clientConfig: { ...aws, endpoint: emu.url } });
      const [entry] = await replayer.list();
      expect(entry).toMatchObject({
        deviceKey: 'fan-9',
        request: { Operation: 'DEVICE_EVENT', ConnectorDeviceId: 'fan-9' },
      });
      expect(entry?.lastError).toMatch(/^ServiceUnavailableException/);
      await replayer.close();
    } finally {
      faults.error = 0;
      await client.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
