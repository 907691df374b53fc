import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { SqsError, sqsErrors } from './errors.js';
import { type MessageAttributeValue, md5Hex, md5OfMessageAttributes } from './md5.js';

/**
 * SQS state in SQLite (`sqs_queues`, `sqs_messages`). Visibility is a timestamp (`visible_at`, ms):
 * a message is receivable when `visible_at <= now`, so visibility timeouts and delays need no
 * timers; long polling waits on an in-process signal plus the next `visible_at`.
 */

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

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

/** Settable attributes with their allowed range (strings on the wire, integers inside). */
const INT_ATTRIBUTES: Record<string, { min: number; max: number; default: number }> = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, default: 1_048_576 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
};
/** Accepted and reported back, with no behaviour here (policies, encryption). */
const PASSTHROUGH_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
const BOOL_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication']);

export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const DEDUP_WINDOW_MS = 5 * 60_000;

function nowMs(): number {
  return Date.now();
}

function parseRedrivePolicy(text: string): RedrivePolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw sqsErrors.invalidAttributeValue(
      'Attributes.RedrivePolicy: expected a JSON object {"deadLetterTargetArn","maxReceiveCount"}, got text that is not JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw sqsErrors.invalidAttributeValue('Attributes.RedrivePolicy: expected a JSON object');
  }
  const v = value as Record<string, unknown>;
  const arn = v.deadLetterTargetArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw sqsErrors.invalidAttributeValue(
      'Attributes.RedrivePolicy.deadLetterTargetArn: expected a queue ARN string',
    );
  }
  const count =
    typeof v.maxReceiveCount === 'string' ? Number(v.maxReceiveCount) : v.maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw sqsErrors.invalidAttributeValue(
      `Attributes.RedrivePolicy.maxReceiveCount: expected an integer from 1 to 1000, got ${JSON.stringify(v.maxReceiveCount)}`,
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

interface MessageRow {
  rowid: number;
  message_id: string;
  body: string;
  md5_body: string;
  message_attributes: string;
  md5_attributes: string | null;
  system_attributes: string;
  sender_id: string;
  sent_at: number;
  first_received_at: number | null;
  receive_count: number;
  visible_at: number;
  receipt_token: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
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

function encodeAttributes(attrs: Record<string, MessageAttributeValue>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        {
          DataType: v.DataType,
          StringValue: v.StringValue,
          BinaryValue: v.BinaryValue?.toString('base64'),
        },
      ]),
    ),
  );
}

function decodeAttributes(text: string): Record<string, MessageAttributeValue> {
  const raw = JSON.parse(text) as Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : {}),
    };
  }
  return out;
}

/** Receipt handles carry the message id, so a delete needs no extra lookup table. */
function makeReceiptHandle(messageId: string, token: string): string {
  return Buffer.from(`${messageId}#${token}`, 'utf8').toString('base64url');
}

export function parseReceiptHandle(handle: string): { messageId: string; token: string } {
  const text = Buffer.from(handle, 'base64url').toString('utf8');
  const m = /^([0-9a-f-]{36})#([0-9a-f]{32})$/.exec(text);
  if (!m) throw sqsErrors.receiptHandleIsInvalid(handle);
  return { messageId: m[1] as string, token: m[2] as string };
}

function prepareStatements(db: Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    queueByName: p('SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?'),
    queueByArn: p('SELECT * FROM sqs_queues WHERE arn = ?'),
    insertQueue: p(
      'INSERT INTO sqs_queues (account_id, region, name, arn, attributes, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    updateQueueAttrs: p('UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE arn = ?'),
    listQueues: p(
      "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name LIKE ? ESCAPE '\\' ORDER BY name",
    ),
    deleteQueue: p('DELETE FROM sqs_queues WHERE arn = ?'),
    purge: p('DELETE FROM sqs_messages WHERE queue_arn = ?'),
    insertMessage: p(
      `INSERT INTO sqs_messages (message_id, queue_arn, body, md5_body, message_attributes, md5_attributes,
         system_attributes, sender_id, sent_at, visible_at, group_id, dedup_id, sequence_number)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    expire: p('DELETE FROM sqs_messages WHERE queue_arn = ? AND sent_at <= ?'),
    candidates: p(
      // Earliest-visible first: walks the (queue_arn, visible_at, rowid) index with no sort.
      `SELECT * FROM sqs_messages WHERE queue_arn = ? AND visible_at <= ? ORDER BY visible_at, rowid LIMIT ?`,
    ),
    fifoCandidates: p(
      `SELECT * FROM sqs_messages m WHERE m.queue_arn = ? AND m.visible_at <= ?
         AND NOT EXISTS (SELECT 1 FROM sqs_messages o WHERE o.queue_arn = m.queue_arn
           AND o.group_id = m.group_id AND o.rowid < m.rowid)
         AND NOT EXISTS (SELECT 1 FROM sqs_messages o WHERE o.queue_arn = m.queue_arn
           AND o.group_id = m.group_id AND o.visible_at > ? AND o.receive_count > 0)
       ORDER BY m.rowid LIMIT ?`,
    ),
    markReceived: p(
      `UPDATE sqs_messages SET receive_count = receive_count + 1,
         first_received_at = COALESCE(first_received_at, ?), visible_at = ?, receipt_token = ?
       WHERE rowid = ?`,
    ),
    moveToDlq: p(
      'UPDATE sqs_messages SET queue_arn = ?, receive_count = 0, visible_at = ?, receipt_token = NULL WHERE rowid = ?',
    ),
    messageById: p('SELECT * FROM sqs_messages WHERE message_id = ? AND queue_arn = ?'),
    deleteMessage: p('DELETE FROM sqs_messages WHERE message_id = ? AND queue_arn = ?'),
    setVisibility: p('UPDATE sqs_messages SET visible_at = ? WHERE rowid = ?'),
    counts: p(
      `SELECT
         SUM(CASE WHEN visible_at <= @now THEN 1 ELSE 0 END) AS visible,
         SUM(CASE WHEN visible_at > @now AND receive_count > 0 THEN 1 ELSE 0 END) AS inflight,
         SUM(CASE WHEN visible_at > @now AND receive_count = 0 THEN 1 ELSE 0 END) AS delayed
       FROM sqs_messages WHERE queue_arn = @arn`,
    ),
    nextVisible: p(
      'SELECT MIN(visible_at) AS t FROM sqs_messages WHERE queue_arn = ? AND visible_at > ?',
    ),
    dedupGet: p('SELECT * FROM sqs_dedup WHERE queue_arn = ? AND dedup_id = ? AND expires_at > ?'),
    dedupPut: p(
      'INSERT OR REPLACE INTO sqs_dedup (queue_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    setSequence: p('UPDATE sqs_messages SET sequence_number = ? WHERE rowid = ?'),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

export class SqsStore {
  readonly #db: Database;
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #expiredAt = new Map<string, number>();
  #closed = false;
  readonly #closeController = new AbortController();
  readonly #stmt: Statements;

  constructor(db: Database) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS sqs_queues (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        attributes TEXT NOT NULL, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, name));
      CREATE TABLE IF NOT EXISTS sqs_messages (
        rowid INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE,
        queue_arn TEXT NOT NULL, body TEXT NOT NULL, md5_body TEXT NOT NULL,
        message_attributes TEXT NOT NULL, md5_attributes TEXT, system_attributes TEXT NOT NULL,
        sender_id TEXT NOT NULL, sent_at INTEGER NOT NULL, first_received_at INTEGER,
        receive_count INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL, receipt_token TEXT,
        group_id TEXT, dedup_id TEXT, sequence_number TEXT);
      CREATE INDEX IF NOT EXISTS sqs_messages_by_queue ON sqs_messages (queue_arn, visible_at, rowid);
      CREATE INDEX IF NOT EXISTS sqs_messages_by_age ON sqs_messages (queue_arn, sent_at);
      CREATE TABLE IF NOT EXISTS sqs_dedup (
        queue_arn TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL,
        sequence_number TEXT, expires_at INTEGER NOT NULL, PRIMARY KEY (queue_arn, dedup_id));
    `);
    this.#stmt = prepareStatements(db);
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

  /** Normalises and validates CreateQueue/SetQueueAttributes input into SQS's string form. */
  normalizeAttributes(
    name: string,
    input: Record<string, string>,
    region: string,
    base?: Record<string, string>,
  ): Record<string, string> {
    const out: Record<string, string> = {};
    if (!base) {
      for (const [k, rule] of Object.entries(INT_ATTRIBUTES)) out[k] = String(rule.default);
    } else {
      Object.assign(out, base);
    }
    for (const [k, v] of Object.entries(input)) {
      const rule = INT_ATTRIBUTES[k];
      if (rule) {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < rule.min || n > rule.max) {
          throw sqsErrors.invalidAttributeValue(
            `Attributes.${k}: expected an integer from ${rule.min} to ${rule.max}, got ${JSON.stringify(v.slice(0, 40))}`,
          );
        }
        out[k] = String(n);
      } else if (k === 'RedrivePolicy') {
        if (v === '') {
          delete out.RedrivePolicy;
          continue;
        }
        const policy = parseRedrivePolicy(v);
        if (!this.#stmt.queueByArn.get(policy.deadLetterTargetArn)) {
          throw sqsErrors.invalidParameter(
            `Value ${v} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
          );
        }
        out[k] = JSON.stringify(policy);
      } else if (BOOL_ATTRIBUTES.has(k)) {
        if (v !== 'true' && v !== 'false') {
          throw sqsErrors.invalidAttributeValue(
            `Attributes.${k}: expected "true" or "false", got ${JSON.stringify(v.slice(0, 40))}`,
          );
        }
        out[k] = v;
      } else if (PASSTHROUGH_ATTRIBUTES.has(k)) {
        out[k] = v;
      } else {
        throw sqsErrors.invalidAttributeName(`Unknown Attribute ${k.slice(0, 80)}.`);
      }
    }
    const fifo = out.FifoQueue === 'true';
    if (fifo !== name.endsWith('.fifo')) {
      throw sqsErrors.invalidParameter(
        fifo
          ? `QueueName: a FIFO queue name must end with ".fifo", got "${name}"`
          : `QueueName: a queue named "${name}" must set Attributes.FifoQueue to "true"`,
      );
    }
    if (!fifo && out.ContentBasedDeduplication !== undefined) {
      throw sqsErrors.invalidAttributeName(
        'Attributes.ContentBasedDeduplication: only valid for FIFO queues',
      );
    }
    void region;
    return out;
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
    const attrs = this.normalizeAttributes(name, attributes, region);
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
    const attrs = this.normalizeAttributes(queue.name, attributes, queue.region, queue.attributes);
    this.#stmt.updateQueueAttrs.run(JSON.stringify(attrs), nowMs(), queue.arn);
  }

  deleteQueue(queue: QueueRecord): void {
    this.#db.transaction(() => {
      this.#stmt.purge.run(queue.arn);
      this.#stmt.deleteQueue.run(queue.arn);
    })();
    this.#notify(queue.arn);
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
    this.#notify(queue.arn);
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
            this.#toMessage(
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
    if (movedToDlq) this.#notify(movedToDlq);
    return out;
  }

  #toMessage(row: MessageRow, token: string): StoredMessage {
    const system = decodeAttributes(row.system_attributes);
    const attributes: Record<string, string> = {
      SenderId: row.sender_id,
      SentTimestamp: String(row.sent_at),
      ApproximateReceiveCount: String(row.receive_count),
      ApproximateFirstReceiveTimestamp: String(row.first_received_at ?? row.sent_at),
    };
    if (row.group_id) attributes.MessageGroupId = row.group_id;
    if (row.dedup_id) attributes.MessageDeduplicationId = row.dedup_id;
    if (row.sequence_number) attributes.SequenceNumber = row.sequence_number;
    const trace = system.AWSTraceHeader?.StringValue;
    if (trace) attributes.AWSTraceHeader = trace;
    const messageAttributes = decodeAttributes(row.message_attributes);
    return {
      messageId: row.message_id,
      receiptHandle: makeReceiptHandle(row.message_id, token),
      body: row.body,
      md5OfBody: row.md5_body,
      messageAttributes,
      ...(row.md5_attributes ? { md5OfMessageAttributes: row.md5_attributes } : {}),
      attributes,
    };
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
      await this.#waitFor(queue.arn, Math.max(1, until), input.signal);
    }
  }

  #waitFor(arn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.#waiters.get(arn);
      if (!set) {
        set = new Set();
        this.#waiters.set(arn, set);
      }
      const waiters = set;
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        this.#closeController.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
      this.#closeController.signal.addEventListener('abort', done, { once: true });
    });
  }

  #notify(arn: string): void {
    const set = this.#waiters.get(arn);
    if (!set) return;
    for (const wake of [...set]) wake();
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
    if (visibilityTimeout === 0) this.#notify(queue.arn);
  }

  /** Wakes every long poll; later receives return at once. */
  close(): void {
    this.#closed = true;
    this.#closeController.abort();
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
