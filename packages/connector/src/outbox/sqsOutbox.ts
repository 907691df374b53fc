import { nodeCrypto } from '@c2c-kit/protocol';
import { ConnectorConfigError } from '../errors.js';
import type { SendConnectorEventRequest } from '../protocol.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Outbox, OutboxEntry, UnreadableOutboxMessage } from './outbox.js';

type Sqs = import('@aws-sdk/client-sqs').SQSClient;
type SqsModule = typeof import('@aws-sdk/client-sqs');

export interface SqsOutboxOptions {
  /** A FIFO queue (`….fifo`) keeps order per device through MessageGroupId. Default env C2C_OUTBOX_QUEUE_URL. */
  readonly queueUrl?: string;
  /**
   * Where the connector's drainer moves an event that failed for good (permanent error, too many
   * attempts, too old): a queue `c2c replay --queue-url` serves (FIFO when the outbox is).
   * Default env C2C_OUTBOX_DLQ_URL; without one such an event stays in the outbox and is retried.
   */
  readonly deadLetterQueueUrl?: string;
  /** Passed to `new SQSClient(...)`; in Lambda the environment suffices. */
  readonly clientConfig?: Record<string, unknown>;
  /** How long a listed entry stays hidden from other replayers. Default 60 s. */
  readonly visibilityTimeoutSeconds?: number;
  /** Where the outbox reads the time (an entry's `createdAt`). Default `systemClock`. */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * The AWS outbox: undeliverable events go to an SQS queue (a FIFO queue grouped by device keeps
 * their order; a standard queue works without that guarantee). The connector consumes the queue
 * itself (an event source mapping to the same function) and retries each device's oldest event
 * with backoff until it is delivered or dead-lettered. SQS cannot say whether a device's message
 * group is empty, so "has this device parked events" is the connector store's parked markers.
 */
export class SqsOutbox implements Outbox {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string | undefined;
  private readonly visibility: number;
  private readonly clientConfig: Record<string, unknown>;
  private sqs: Promise<{ client: Sqs; mod: SqsModule }> | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly receipts = new Map<number, { receipt: string; deviceKey: string }>();
  // Messages `list` skipped because they are not outbox entries, by MessageId.
  private readonly skipped = new Map<string, string>();
  private nextId = 1;

  constructor(options: SqsOutboxOptions = {}) {
    const url = options.queueUrl ?? process.env.C2C_OUTBOX_QUEUE_URL;
    if (!url) {
      throw new ConnectorConfigError(
        'SqsOutbox queueUrl: expected the option or C2C_OUTBOX_QUEUE_URL, got nothing',
      );
    }
    this.queueUrl = url;
    this.deadLetterQueueUrl =
      options.deadLetterQueueUrl ?? (process.env.C2C_OUTBOX_DLQ_URL || undefined);
    this.visibility = options.visibilityTimeoutSeconds ?? 60;
    this.clientConfig = options.clientConfig ?? {};
    this.clock = options.clock ?? systemClock;
  }

  private client() {
    this.sqs ??= import('@aws-sdk/client-sqs').then((mod) => ({
      mod,
      client: new mod.SQSClient(this.clientConfig),
    }));
    return this.sqs;
  }

  /** Whether an SQS record's `eventSourceARN` is this outbox's queue (same queue name). */
  isQueueArn(arn: string | undefined): boolean {
    return arn !== undefined && arn.split(':').at(-1) === this.queueUrl.split('/').at(-1);
  }

  async add(
    deviceKey: string,
    request: SendConnectorEventRequest,
    lastError: string,
    parkId?: string,
  ): Promise<void> {
    const message: OutboxMessage = {
      deviceKey,
      request,
      lastError,
      createdAt: this.clock.now(),
      ...(parkId === undefined ? {} : { parkId }),
    };
    await this.send(this.queueUrl, message);
  }

  /** Moves a message to the dead-letter queue (same body, `lastError` updated). */
  async deadLetter(message: OutboxMessage): Promise<void> {
    if (!this.deadLetterQueueUrl) {
      throw new ConnectorConfigError(
        'SqsOutbox deadLetterQueueUrl: expected the option or C2C_OUTBOX_DLQ_URL, got nothing',
      );
    }
    await this.send(this.deadLetterQueueUrl, message);
  }

  /** Hides a received message for `seconds` (the drainer's backoff before the next attempt). */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    const { client, mod } = await this.client();
    await client.send(
      new mod.ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(43_200, Math.ceil(seconds))),
      }),
    );
  }

  private async send(queueUrl: string, message: OutboxMessage): Promise<void> {
    const { client, mod } = await this.client();
    const body = JSON.stringify(message);
    await client.send(
      new mod.SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        ...(queueUrl.endsWith('.fifo')
          ? {
              MessageGroupId: message.deviceKey,
              MessageDeduplicationId: nodeCrypto().createHash('sha256').update(body).digest('hex'),
            }
          : {}),
      }),
    );
  }

  async list(limit = 100): Promise<OutboxEntry[]> {
    const { client, mod } = await this.client();
    const out: OutboxEntry[] = [];
    for (let round = 0; out.length < limit && round < 100; round++) {
      const res = await client.send(
        new mod.ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - out.length),
          VisibilityTimeout: this.visibility,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        const parsed = parseOutboxMessage(m.Body);
        if (typeof parsed === 'string') {
          // Not ours (a work queue's DLQ message, a hand-sent test message): never crash the
          // replay over it and never delete it. It stays invisible for the visibility timeout,
          // so later passes of this replay do not see it again.
          this.skipped.set(m.MessageId ?? '(no MessageId)', parsed);
          continue;
        }
        const id = this.nextId++;
        this.receipts.set(id, { receipt: m.ReceiptHandle ?? '', deviceKey: parsed.deviceKey });
        out.push({
          id,
          deviceKey: parsed.deviceKey,
          request: parsed.request,
          attempts: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
          lastError: parsed.lastError,
          createdAt: parsed.createdAt,
          ...(parsed.parkId === undefined ? {} : { parkId: parsed.parkId }),
        });
      }
    }
    return out;
  }

  async remove(id: number): Promise<void> {
    const entry = this.receipts.get(id);
    if (!entry) return;
    const { client, mod } = await this.client();
    await client.send(
      new mod.DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: entry.receipt }),
    );
    this.receipts.delete(id);
  }

  /** The message becomes visible again when its visibility timeout ends; nothing else to do. */
  recordFailure(id: number): Promise<void> {
    this.receipts.delete(id);
    return Promise.resolve();
  }

  async count(): Promise<number> {
    const { client, mod } = await this.client();
    const res = await client.send(
      new mod.GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Messages `list` skipped since this outbox was created (not JSON, not an outbox entry). */
  unreadable(): readonly UnreadableOutboxMessage[] {
    return [...this.skipped].map(([messageId, reason]) => ({ messageId, reason }));
  }

  /** Releases the SDK client. */
  async close(): Promise<void> {
    if (this.sqs) (await this.sqs).client.destroy();
  }
}

/** The body of an outbox (and dead-letter queue) message. */
export interface OutboxMessage {
  readonly deviceKey: string;
  readonly request: SendConnectorEventRequest;
  readonly lastError: string;
  readonly createdAt: number;
  /** The parked marker left in the connector store for this event. */
  readonly parkId?: string;
}

/** An `add` message body → its fields, or why it is not one (the reason never quotes the body). */
export function parseOutboxMessage(body: string | undefined): OutboxMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return `body: expected an SqsOutbox entry (JSON), got ${body === undefined || body === '' ? 'an empty body' : `${body.length} characters that are not JSON`}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `body: expected an SqsOutbox entry (a JSON object), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.deviceKey !== 'string' || v.deviceKey === '') {
    return 'deviceKey: expected a non-empty string (is this the connector outbox?)';
  }
  const request = v.request as { Operation?: unknown } | null | undefined;
  if (typeof request !== 'object' || request === null || typeof request.Operation !== 'string') {
    return 'request: expected a SendConnectorEvent request with an Operation (is this the connector outbox?)';
  }
  return {
    deviceKey: v.deviceKey,
    request: v.request as SendConnectorEventRequest,
    lastError: typeof v.lastError === 'string' ? v.lastError : '',
    createdAt: typeof v.createdAt === 'number' ? v.createdAt : Number.NaN,
    ...(typeof v.parkId === 'string' ? { parkId: v.parkId } : {}),
  };
}
