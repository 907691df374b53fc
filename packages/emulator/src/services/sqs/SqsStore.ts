import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { SqsError, sqsErrors } from './errors.js';
import { LongPollSignals } from './longPoll.js';
import { type MessageAttributeValue, md5Hex, md5OfMessageAttributes } from './md5.js';
import {
  encodeAttributes,
  type MessageRow,
  parseReceiptHandle,
  toStoredMessage,
} from './messageRows.js';
import {
  normalizeQueueAttributes,
  QUEUE_NAME_PATTERN,
  type RedrivePolicy,
} from './queueAttributes.js';
import { openSqsTables, type SqsStatements } from './statements.js';

/**
 * SQS state in SQLite (`sqs_queues`, `sqs_messages`). Visibility is a timestamp (`visible_at`, ms):
 * a message is receivable when `visible_at <= now`, so visibility timeouts and delays need no
 * timers; long polling waits on an in-process signal plus the next `visible_at`.
 */

export interface QueueRecord {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  /** Attributes as SQS reports them (all values are strings on the wire). */
  attributes: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
}

export interface StoredMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  /** System attributes: SenderId, SentTimestamp, ApproximateReceiveCount, … (strings). */
  attributes: Record<string, string>;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  systemAttributes?: Record<string, MessageAttributeValue>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  senderId: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  sequenceNumber?: string;
}

export interface ReceiveInput {
  maxMessages: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
  signal?: AbortSignal;
}

const DEDUP_WINDOW_MS = 5 * 60_000;

function nowMs(): number {
  return Date.now();
}

interface QueueRow {
  account_id: string;
  region: string;
  name: string;
  arn: string;
  attributes: string;
  created_at: number;
  modified_at: number;
}

export class SqsStore {
  readonly #db: Database;
  readonly #polls = new LongPollSignals();
  readonly #expiredAt = new Map<string, number>();
  #closed = false;
  readonly #stmt: SqsStatements;

  constructor(db: Database) {
    this.#db = db;
    this.#stmt = openSqsTables(db);
  }

  // ---- queues -------------------------------------------------------------------------------

  #toQueue(row: QueueRow): QueueRecord {
    return {
      accountId: row.account_id,
      region: row.region,
      name: row.name,
      arn: row.arn,
      attributes: JSON.parse(row.attributes) as Record<string, string>,
      createdAt: row.created_at,
      modifiedAt: row.modified_at,
    };
  }

  /** A dead-letter queue must be of the same account and region as its source queue. */
  #attributes(
    owner: { accountId: string; region: string },
    name: string,
    input: Record<string, string>,
    base?: Record<string, string>,
  ): Record<string, string> {
    return normalizeQueueAttributes(name, input, {
      ...(base ? { base } : {}),
      deadLetterTargetExists: (arn) => {
        const dlq = this.#stmt.queueByArn.get(arn) as QueueRow | undefined;
        return dlq?.account_id === owner.accountId && dlq.region === owner.region;
      },
    });
  }

  createQueue(
    accountId: string,
    region: string,
    name: string,
    attributes: Record<string, string>,
  ): QueueRecord {
    const baseName = name.endsWith('.fifo') ? name.slice(0, -5) : name;
    if (!QUEUE_NAME_PATTERN.test(baseName) || name.length > 80) {
      throw sqsErrors.invalidParameter(
        `QueueName: expected 1-80 characters of A-Z, a-z, 0-9, "-" and "_" (and ".fifo" for FIFO queues), got ${JSON.stringify(name.slice(0, 90))}`,
      );
    }
    const attrs = this.#attributes({ accountId, region }, name, attributes);
    return this.#db.transaction(() => {
      const existing = this.#stmt.queueByName.get(accountId, region, name) as QueueRow | undefined;
      if (existing) {
        const q = this.#toQueue(existing);
        for (const [k, v] of Object.entries(attributes)) {
          const normal = attrs[k];
          if (q.attributes[k] !== normal) throw sqsErrors.queueNameExists(name);
          void v;
        }
        return q;
      }
      const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
      const t = nowMs();
      this.#stmt.insertQueue.run(accountId, region, name, arn, JSON.stringify(attrs), t, t);
      return this.#toQueue(this.#stmt.queueByArn.get(arn) as QueueRow);
    })();
  }

  getQueue(accountId: string, region: string, name: string): QueueRecord {
    const row = this.#stmt.queueByName.get(accountId, region, name) as QueueRow | undefined;
    if (!row) throw sqsErrors.queueDoesNotExist();
    return this.#toQueue(row);
  }

  getQueueByArn(arn: string): QueueRecord | undefined {
    const row = this.#stmt.queueByArn.get(arn) as QueueRow | undefined;
    return row ? this.#toQueue(row) : undefined;
  }

  listQueues(accountId: string, region: string, prefix = ''): QueueRecord[] {
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (this.#stmt.listQueues.all(accountId, region, like) as QueueRow[]).map((r) =>
      this.#toQueue(r),
    );
  }

  setQueueAttributes(queue: QueueRecord, attributes: Record<string, string>): void {
    const attrs = this.#attributes(queue, queue.name, attributes, queue.attributes);
    this.#stmt.updateQueueAttrs.run(JSON.stringify(attrs), nowMs(), queue.arn);
  }

  deleteQueue(queue: QueueRecord): void {
    this.#db.transaction(() => {
      this.#stmt.purge.run(queue.arn);
      this.#stmt.deleteQueue.run(queue.arn);
    })();
    this.#polls.notify(queue.arn);
  }

  purgeQueue(queue: QueueRecord): void {
    this.#stmt.purge.run(queue.arn);
  }

  queueCounts(queue: QueueRecord): { visible: number; inflight: number; delayed: number } {
    const r = this.#stmt.counts.get({ now: nowMs(), arn: queue.arn }) as {
      visible: number | null;
      inflight: number | null;
      delayed: number | null;
    };
    return { visible: r.visible ?? 0, inflight: r.inflight ?? 0, delayed: r.delayed ?? 0 };
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Sends a batch in one transaction (one commit), so SendMessageBatch is all-or-nothing on disk. */
  send(queue: QueueRecord, inputs: SendInput[]): SendResult[] {
    const fifo = queue.attributes.FifoQueue === 'true';
    const contentDedup = queue.attributes.ContentBasedDeduplication === 'true';
    const queueDelay = Number(queue.attributes.DelaySeconds ?? 0);
    const results = this.#db.transaction(() =>
      inputs.map((input): SendResult => {
        const t = nowMs();
        const md5Body = md5Hex(Buffer.from(input.body, 'utf8'));
        const attrs = input.messageAttributes ?? {};
        const md5Attrs = md5OfMessageAttributes(attrs);
        let dedupId: string | undefined;
        let sequenceNumber: string | undefined;
        if (fifo) {
          dedupId = input.messageDeduplicationId ?? (contentDedup ? md5Hex(input.body) : undefined);
          if (dedupId === undefined) {
            throw sqsErrors.invalidParameter(
              'MessageDeduplicationId: the queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
            );
          }
          const dup = this.#stmt.dedupGet.get(queue.arn, dedupId, t) as
            | { message_id: string; sequence_number: string | null }
            | undefined;
          if (dup) {
            return {
              messageId: dup.message_id,
              md5OfBody: md5Body,
              ...(md5Attrs ? { md5OfMessageAttributes: md5Attrs } : {}),
              ...(dup.sequence_number ? { sequenceNumber: dup.sequence_number } : {}),
            };
          }
        }
        const messageId = randomUUID();
        const delay = fifo ? queueDelay : (input.delaySeconds ?? queueDelay);
        const info = this.#stmt.insertMessage.run(
          messageId,
          queue.arn,
          input.body,
          md5Body,
          encodeAttributes(attrs),
          md5Attrs ?? null,
          encodeAttributes(input.systemAttributes ?? {}),
          input.senderId,
          t,
          t + delay * 1000,
          fifo ? (input.messageGroupId ?? null) : null,
          dedupId ?? null,
          null,
        );
        if (fifo && info) {
          // SQS sequence numbers are large, strictly increasing decimal strings.
          sequenceNumber = String(BigInt(info.lastInsertRowid) + 18_000_000_000_000_000_000n);
          this.#stmt.setSequence.run(sequenceNumber, info.lastInsertRowid);
          this.#stmt.dedupPut.run(
            queue.arn,
            dedupId,
            messageId,
            sequenceNumber,
            t + DEDUP_WINDOW_MS,
          );
        }
        return {
          messageId,
          md5OfBody: md5Body,
          ...(md5Attrs ? { md5OfMessageAttributes: md5Attrs } : {}),
          ...(sequenceNumber ? { sequenceNumber } : {}),
        };
      }),
    )();
    this.#polls.notify(queue.arn);
    return results;
  }

  /** One non-waiting receive pass, in one transaction (redrive moves included). */
  #receiveNow(queue: QueueRecord, max: number, visibilityTimeout: number): StoredMessage[] {
    const fifo = queue.attributes.FifoQueue === 'true';
    const redrive = queue.attributes.RedrivePolicy
      ? (JSON.parse(queue.attributes.RedrivePolicy) as RedrivePolicy)
      : undefined;
    const retentionMs = Number(queue.attributes.MessageRetentionPeriod ?? 345_600) * 1000;
    let movedToDlq: string | undefined;
    const out = this.#db.transaction(() => {
      const t = nowMs();
      // Retention is checked at most once a second per queue, not on every receive.
      if ((this.#expiredAt.get(queue.arn) ?? 0) + 1000 <= t) {
        this.#stmt.expire.run(queue.arn, t - retentionMs);
        this.#expiredAt.set(queue.arn, t);
      }
      const received: StoredMessage[] = [];
      // Loop because messages moved to the DLQ free slots in this receive.
      for (let pass = 0; pass < 20 && received.length < max; pass++) {
        const rows = (
          fifo
            ? this.#stmt.fifoCandidates.all(queue.arn, t, t, max - received.length)
            : this.#stmt.candidates.all(queue.arn, t, max - received.length)
        ) as MessageRow[];
        if (rows.length === 0) break;
        for (const row of rows) {
          if (redrive && row.receive_count >= redrive.maxReceiveCount) {
            const dlq = this.getQueueByArn(redrive.deadLetterTargetArn);
            if (dlq) {
              this.#stmt.moveToDlq.run(dlq.arn, t, row.rowid);
              movedToDlq = dlq.arn;
              continue;
            }
          }
          const token = randomBytes(16).toString('hex');
          this.#stmt.markReceived.run(t, t + visibilityTimeout * 1000, token, row.rowid);
          received.push(
            toStoredMessage(
              {
                ...row,
                receive_count: row.receive_count + 1,
                first_received_at: row.first_received_at ?? t,
              },
              token,
            ),
          );
        }
      }
      return received;
    })();
    if (movedToDlq) this.#polls.notify(movedToDlq);
    return out;
  }

  /**
   * ReceiveMessage: returns at once when messages are visible; otherwise waits (long polling) up
   * to `waitTimeSeconds` for a send, a visibility expiry or a redrive, or until aborted/closed.
   */
  async receive(queue: QueueRecord, input: ReceiveInput): Promise<StoredMessage[]> {
    const visibility = input.visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout ?? 30);
    const waitSeconds =
      input.waitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    const deadline = nowMs() + waitSeconds * 1000;
    for (;;) {
      const got = this.#receiveNow(queue, input.maxMessages, visibility);
      const remaining = deadline - nowMs();
      if (got.length > 0 || remaining <= 0 || this.#closed || input.signal?.aborted) return got;
      const next = this.#stmt.nextVisible.get(queue.arn, nowMs()) as { t: number | null };
      const until = next.t === null ? remaining : Math.min(remaining, next.t - nowMs() + 1);
      await this.#polls.wait(queue.arn, Math.max(1, until), input.signal);
    }
  }

  /** Deletes by receipt handle. A handle of an already deleted message succeeds, as in SQS. */
  deleteMessage(queue: QueueRecord, receiptHandle: string): void {
    const { messageId } = parseReceiptHandle(receiptHandle);
    this.#stmt.deleteMessage.run(messageId, queue.arn);
  }

  /** ChangeMessageVisibility: only for the latest receipt of a message that is in flight. */
  changeVisibility(queue: QueueRecord, receiptHandle: string, visibilityTimeout: number): void {
    const { messageId, token } = parseReceiptHandle(receiptHandle);
    const row = this.#stmt.messageById.get(messageId, queue.arn) as MessageRow | undefined;
    const t = nowMs();
    if (!row || row.receipt_token !== token || row.visible_at <= t) {
      throw sqsErrors.messageNotInflight();
    }
    this.#stmt.setVisibility.run(t + visibilityTimeout * 1000, row.rowid);
    if (visibilityTimeout === 0) this.#polls.notify(queue.arn);
  }

  /** Wakes every long poll; later receives return at once. */
  close(): void {
    this.#closed = true;
    this.#polls.close();
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** One store per database, shared by the SQS routes and Lambda's event source mappings. */
const stores = new WeakMap<Database, SqsStore>();
export function sqsStoreFor(db: Database): SqsStore {
  let store = stores.get(db);
  if (!store || store.closed) {
    store = new SqsStore(db);
    stores.set(db, store);
  }
  return store;
}

export { SqsError };
