import { createHash } from 'node:crypto';
import { ConnectorConfigError } from '../errors.js';
import type { SendConnectorEventRequest } from '../protocol.js';
import type { Outbox, OutboxEntry } from './outbox.js';

type Sqs = import('@aws-sdk/client-sqs').SQSClient;
type SqsModule = typeof import('@aws-sdk/client-sqs');

export interface SqsOutboxOptions {
  /** A FIFO queue (`….fifo`) keeps order per device through MessageGroupId. Default env C2C_OUTBOX_QUEUE_URL. */
  readonly queueUrl?: string;
  /** Passed to `new SQSClient(...)`; in Lambda the environment suffices. */
  readonly clientConfig?: Record<string, unknown>;
  /** How long a listed entry stays hidden from other replayers. Default 60 s. */
  readonly visibilityTimeoutSeconds?: number;
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
  private readonly receipts = new Map<number, { receipt: string; deviceKey: string }>();
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
    const body = JSON.stringify({ deviceKey, request, lastError, createdAt: Date.now() });
    await client.send(
      new mod.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        ...(this.fifo
          ? {
              MessageGroupId: deviceKey,
              MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
            }
          : {}),
      }),
    );
    this.parked.set(deviceKey, (this.parked.get(deviceKey) ?? 0) + 1);
  }

  hasPending(deviceKey: string): Promise<boolean> {
    return Promise.resolve((this.parked.get(deviceKey) ?? 0) > 0);
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
        const parsed = JSON.parse(m.Body ?? '{}') as {
          deviceKey: string;
          request: SendConnectorEventRequest;
          lastError: string;
          createdAt: number;
        };
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

  /** Releases the SDK client. */
  async close(): Promise<void> {
    if (this.sqs) (await this.sqs).client.destroy();
  }
}
