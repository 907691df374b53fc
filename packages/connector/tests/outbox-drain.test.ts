import { randomBytes } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { fanControl } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { ConnectorEventsClient } from '../src/client/ConnectorEventsClient.js';
import { createConnector } from '../src/handler/createConnector.js';
import { MemoryIdempotencyStore } from '../src/idempotency/store.js';
import { silentLogger } from '../src/log/logger.js';
import { SqsOutbox } from '../src/outbox/sqsOutbox.js';
import { type SendConnectorEventRequest, ServiceException } from '../src/protocol.js';
import { signedWebhookEvent } from '../src/testing.js';
import { defineTranslator } from '../src/translate/translator.js';
import { standardWebhooks } from '../src/webhooks/verify.js';
import { noVendor, useEmulatorQueues } from './helpers/emulatorQueues.js';
import { LOCAL_CREDENTIALS } from './helpers/mi.js';

// The outbox drained by createConnector on its own queue (as its event source mapping would
// hand it the messages), and parking on C2C_OUTBOX_QUEUE_URL, against the emulator's SQS subset
// through the real AWS SDK. The outboxes themselves: outbox.test.ts.

const queues = useEmulatorQueues();

/** What an event source mapping hands the function: the queue's visible messages as SQS records. */
async function receiveAsEvent(queueUrl: string) {
  const arn = (
    await queues.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const res = await queues.sqs.send(
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
      await queues.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: r.receiptHandle }),
      );
    }
  }
  return event.Records.length;
}

describe('the outbox drainer (createConnector on its own outbox queue)', () => {
  it('retries parked events with backoff, in order per device, then dead-letters a permanent failure', async () => {
    const queueUrl = await queues.newQueue(true);
    const dlqUrl = await queues.newQueue(true);
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
      clientConfig: { ...queues.aws, endpoint: queues.emu.url },
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
    const dlq = new SqsOutbox({
      queueUrl: dlqUrl,
      clientConfig: { ...queues.aws, endpoint: queues.emu.url },
    });
    const [dead] = await dlq.list();
    expect(dead).toMatchObject({ deviceKey: 'bad', request: { ConnectorDeviceId: 'bad' } });
    expect(dead?.lastError).toMatch(/^ValidationException/);
    await dlq.close();
    await outbox.close();
  }, 60_000);
});

describe('createConnector and C2C_OUTBOX_QUEUE_URL', () => {
  it('parks an undeliverable webhook event in an SqsOutbox on that queue and answers 202', async () => {
    const queueUrl = await queues.newQueue(true);
    const env = {
      C2C_OUTBOX_QUEUE_URL: queueUrl,
      AWS_ENDPOINT_URL: queues.emu.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const faults = queues.emu.app.emulatorConfig.faults as { error: number };
    const client = new ConnectorEventsClient({
      ...queues.aws,
      endpoint: queues.emu.url,
      maxAttempts: 1,
    });
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
      const replayer = new SqsOutbox({
        queueUrl,
        clientConfig: { ...queues.aws, endpoint: queues.emu.url },
      });
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
