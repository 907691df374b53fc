import { ConnectorConfigError } from '../errors.js';
import type { SendConnectorEventRequest } from '../protocol.js';
import { type Clock, systemClock } from '../util/clock.js';
import { nodeCrypto } from '../util/crypto.js';
import type { Outbox, OutboxEntry, UnreadableOutboxMessage } from './outbox.js';

type Sqs = import('@aws-sdk/client-sqs').SQSClient;
type SqsModule = typeof import('@aws-sdk/client-sqs');

export interface SqsOutboxOptions {
  /** A FIFO queue (`….fifo`) keeps order per device through MessageGroupId. Default env C2C_OUTBOX_QUEUE_URL. */
  readonly queueUrl?: string;
  /** Passed to `new SQSClient(...)`; in Lambda the environment suffices. */
  readonly clientConfig?: Record<string, unknown>;
  /** How long a listed entry stays hidden from other replayers. Default 60 s. */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * A replay usually runs elsewhere (`c2c replay`), so this container never sees its parked
   * events delivered. Once its newest parked event is this old, an empty queue (both approximate
   * counts 0) tells it nothing is pending any more. SQS's approximate counts may lag about a
   * minute behind a send, hence the default 60 s; 0 trusts them at once (the emulator's are exact).
   */
  readonly emptyCheckAfterMs?: number;
  /** Where the outbox reads the time (its parking times, the empty check). Default `systemClock`. */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * The AWS outbox: undeliverable events go to an SQS queue (a FIFO queue grouped by device keeps
 * their order; a standard queue works without that guarantee). `hasPending` counts only what
 * this container parked and saw replayed — SQS cannot be queried by group — which keeps a warm
 * container's later events behind its own parked ones (erring towards parking, never towards loss).
 */
export class SqsOutbox implements Outbox {
  private readonly queueUrl: string;
  private readonly fifo: boolean;
  private readonly visibility: number;
  private readonly clientConfig: Record<string, unknown>;
  private sqs: Promise<{ client: Sqs; mod: SqsModule }> | undefined;
  // Events this container parked and has not seen replayed, per device.
  private readonly parked = new Map<string, number>();
  private lastAddAt = 0;
  private lastEmptyCheckAt = 0;
  private readonly emptyCheckAfterMs: number;
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
    this.fifo = url.endsWith('.fifo');
    this.visibility = options.visibilityTimeoutSeconds ?? 60;
    this.clientConfig = options.clientConfig ?? {};
    this.emptyCheckAfterMs = options.emptyCheckAfterMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  private client() {
    this.sqs ??= import('@aws-sdk/client-sqs').then((mod) => ({
      mod,
      client: new mod.SQSClient(this.clientConfig),
    }));
    return this.sqs;
  }

  async add(
    deviceKey: string,
    request: SendConnectorEventRequest,
    lastError: string,
  ): Promise<void> {
    const { client, mod } = await this.client();
    const body = JSON.stringify({ deviceKey, request, lastError, createdAt: this.clock.now() });
    await client.send(
      new mod.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        ...(this.fifo
          ? {
              MessageGroupId: deviceKey,
              MessageDeduplicationId: nodeCrypto().createHash('sha256').update(body).digest('hex'),
            }
          : {}),
      }),
    );
    this.parked.set(deviceKey, (this.parked.get(deviceKey) ?? 0) + 1);
    this.lastAddAt = this.clock.now();
  }

  async hasPending(deviceKey: string): Promise<boolean> {
    if ((this.parked.get(deviceKey) ?? 0) === 0) return false;
    const now = this.clock.now();
    // Without this, a warm container would park a device's events forever after one outage,
    // even once `c2c replay` emptied the queue. At most one count per second, and only while
    // something is parked, so the normal path costs no SQS call.
    const every = Math.min(1_000, this.emptyCheckAfterMs);
    if (now - this.lastAddAt >= this.emptyCheckAfterMs && now - this.lastEmptyCheckAt >= every) {
      this.lastEmptyCheckAt = now;
      // A failed count proves nothing: keep parking (order over speed).
      if ((await this.count().catch(() => 1)) === 0) {
        this.parked.clear();
        return false;
      }
    }
    return true;
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
    const left = (this.parked.get(entry.deviceKey) ?? 0) - 1;
    if (left > 0) this.parked.set(entry.deviceKey, left);
    else this.parked.delete(entry.deviceKey);
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

interface OutboxMessage {
  deviceKey: string;
  request: SendConnectorEventRequest;
  lastError: string;
  createdAt: number;
}

/** An `add` message body → its fields, or why it is not one (the reason never quotes the body). */
function parseOutboxMessage(body: string | undefined): OutboxMessage | string {
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
  };
}
