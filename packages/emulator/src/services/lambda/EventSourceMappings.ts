import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SqsStore, StoredMessage } from '../sqs/SqsStore.js';
import { lambdaErrors } from './errors.js';
import type { LambdaHost } from './LambdaHost.js';

/**
 * SQS event source mappings: each enabled mapping runs {@link CONCURRENT_BATCHES} pollers that
 * long-poll its queue, hand each batch to the function as an SQS event, delete what succeeded and
 * leave the rest to reappear after the visibility timeout (so the queue's redrive policy moves
 * poison messages to the DLQ). With `ReportBatchItemFailures`, only the reported items count as
 * failed; a thrown error, a timeout or an invalid report fails the whole batch, as in Lambda.
 */

/**
 * Batches of one mapping in flight at once. Lambda starts five pollers per SQS mapping and, for a
 * FIFO queue, runs batches of different message groups concurrently (a group's next batch waits
 * for its previous one: the queue hands out nothing of a group with a message in flight). One
 * batch at a time instead made a FIFO outbox drain one device after another, one message per
 * invocation, behind every webhook queued for the same workers: a backlog that never caught up.
 */
export const CONCURRENT_BATCHES = 5;

export interface EventSourceMapping {
  uuid: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  enabled: boolean;
  functionResponseTypes: string[];
  lastModified: Date;
  lastProcessingResult: string;
  accountId: string;
  region: string;
}

interface MappingRow {
  uuid: string;
  function_arn: string;
  event_source_arn: string;
  batch_size: number;
  batching_window: number;
  enabled: number;
  response_types: string;
  last_modified: number;
  last_result: string;
  account_id: string;
  region: string;
}

function toMapping(r: MappingRow): EventSourceMapping {
  return {
    uuid: r.uuid,
    functionArn: r.function_arn,
    eventSourceArn: r.event_source_arn,
    batchSize: r.batch_size,
    maximumBatchingWindowInSeconds: r.batching_window,
    enabled: r.enabled === 1,
    functionResponseTypes: JSON.parse(r.response_types) as string[],
    lastModified: new Date(r.last_modified),
    lastProcessingResult: r.last_result,
    accountId: r.account_id,
    region: r.region,
  };
}

/** The SQS record Lambda builds for each message. */
export function sqsRecord(m: StoredMessage, queueArn: string, region: string): unknown {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: m.attributes,
    messageAttributes: Object.fromEntries(
      Object.entries(m.messageAttributes).map(([k, v]) => [
        k,
        {
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue.toString('base64') } : {}),
          stringListValues: [],
          binaryListValues: [],
          dataType: v.DataType,
        },
      ]),
    ),
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which messages failed, from a `ReportBatchItemFailures` response; `'all'` when the response is
 * not a valid report (Lambda then retries the whole batch).
 */
export function failedItems(payload: string, batchIds: Set<string>): Set<string> | 'all' {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return 'all';
  }
  // null, an empty object or an empty list all mean "everything succeeded".
  if (value === null || value === undefined) return new Set();
  if (typeof value !== 'object' || Array.isArray(value)) return 'all';
  const list = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return 'all';
  const failed = new Set<string>();
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class EventSourceMappings {
  readonly #db: Database;
  readonly #host: LambdaHost;
  readonly #sqs: () => SqsStore;
  readonly #pollers = new Map<string, { stop: AbortController; done: Promise<void> }>();
  #started = false;
  #closed = false;

  constructor(db: Database, host: LambdaHost, sqs: () => SqsStore) {
    this.#db = db;
    this.#host = host;
    this.#sqs = sqs;
    db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_event_source_mappings (
        uuid TEXT PRIMARY KEY, function_arn TEXT NOT NULL, event_source_arn TEXT NOT NULL,
        batch_size INTEGER NOT NULL, batching_window INTEGER NOT NULL, enabled INTEGER NOT NULL,
        response_types TEXT NOT NULL, last_modified INTEGER NOT NULL, last_result TEXT NOT NULL,
        account_id TEXT NOT NULL, region TEXT NOT NULL);
    `);
  }

  create(input: {
    functionName: string;
    eventSourceArn: string;
    batchSize?: number;
    maximumBatchingWindowInSeconds?: number;
    enabled?: boolean;
    functionResponseTypes?: string[];
    accountId: string;
    region: string;
  }): EventSourceMapping {
    const fn = this.#host.requireFunction(input.functionName, input);
    // Lambda polls queues of the function's own region only.
    const queueRegion = input.eventSourceArn.split(':')[3];
    if (queueRegion !== fn.region) {
      throw lambdaErrors.invalidParameter(
        `EventSourceArn: the queue is in ${JSON.stringify(queueRegion?.slice(0, 40))}; event source region must match Lambda region ${fn.region}`,
      );
    }
    const queue = this.#sqs().getQueueByArn(input.eventSourceArn);
    if (!queue) {
      throw lambdaErrors.invalidParameter(
        `EventSourceArn: expected the ARN of an existing SQS queue, got ${JSON.stringify(input.eventSourceArn.slice(0, 200))}`,
      );
    }
    const existing = this.list({ functionArn: fn.arn, eventSourceArn: queue.arn });
    if (existing.length > 0) {
      throw lambdaErrors.invalidParameter(
        `An event source mapping with SQS arn (" ${queue.arn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing[0]?.uuid}`,
      );
    }
    const uuid = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO lambda_event_source_mappings (uuid, function_arn, event_source_arn, batch_size,
           batching_window, enabled, response_types, last_modified, last_result, account_id, region)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        uuid,
        fn.arn,
        queue.arn,
        input.batchSize ?? 10,
        input.maximumBatchingWindowInSeconds ?? 0,
        input.enabled === false ? 0 : 1,
        JSON.stringify(input.functionResponseTypes ?? []),
        Date.now(),
        'No records processed',
        fn.accountId,
        fn.region,
      );
    const mapping = this.get(uuid) as EventSourceMapping;
    if (this.#started && mapping.enabled) this.#startPoller(mapping);
    return mapping;
  }

  get(uuid: string): EventSourceMapping | undefined {
    const row = this.#db
      .prepare('SELECT * FROM lambda_event_source_mappings WHERE uuid = ?')
      .get(uuid) as MappingRow | undefined;
    return row ? toMapping(row) : undefined;
  }

  list(
    filter: {
      functionArn?: string;
      eventSourceArn?: string;
      accountId?: string;
      region?: string;
    } = {},
  ): EventSourceMapping[] {
    const rows = this.#db
      .prepare('SELECT * FROM lambda_event_source_mappings ORDER BY last_modified, uuid')
      .all() as MappingRow[];
    return rows
      .map(toMapping)
      .filter(
        (m) =>
          (filter.functionArn === undefined || m.functionArn === filter.functionArn) &&
          (filter.eventSourceArn === undefined || m.eventSourceArn === filter.eventSourceArn) &&
          (filter.accountId === undefined || m.accountId === filter.accountId) &&
          (filter.region === undefined || m.region === filter.region),
      );
  }

  /** UpdateEventSourceMapping: changes apply to the running poller at once (it is restarted). */
  update(
    uuid: string,
    changes: {
      functionName?: string;
      batchSize?: number;
      maximumBatchingWindowInSeconds?: number;
      enabled?: boolean;
      functionResponseTypes?: string[];
    },
  ): EventSourceMapping | undefined {
    const m = this.get(uuid);
    if (!m) return undefined;
    const functionArn =
      changes.functionName !== undefined
        ? this.#host.requireFunction(changes.functionName, m).arn
        : m.functionArn;
    this.#db
      .prepare(
        `UPDATE lambda_event_source_mappings SET function_arn = ?, batch_size = ?, batching_window = ?,
           enabled = ?, response_types = ?, last_modified = ? WHERE uuid = ?`,
      )
      .run(
        functionArn,
        changes.batchSize ?? m.batchSize,
        changes.maximumBatchingWindowInSeconds ?? m.maximumBatchingWindowInSeconds,
        (changes.enabled ?? m.enabled) ? 1 : 0,
        JSON.stringify(changes.functionResponseTypes ?? m.functionResponseTypes),
        Date.now(),
        uuid,
      );
    const updated = this.get(uuid) as EventSourceMapping;
    this.#stopPoller(uuid);
    if (this.#started && updated.enabled) this.#startPoller(updated);
    return updated;
  }

  delete(uuid: string): EventSourceMapping | undefined {
    const m = this.get(uuid);
    if (!m) return undefined;
    this.#db.prepare('DELETE FROM lambda_event_source_mappings WHERE uuid = ?').run(uuid);
    this.#stopPoller(uuid);
    return m;
  }

  /** Starts pollers for every enabled mapping (including those persisted before a restart). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    for (const m of this.list()) if (m.enabled) this.#startPoller(m);
  }

  #setResult(uuid: string, result: string): void {
    this.#db
      .prepare('UPDATE lambda_event_source_mappings SET last_result = ? WHERE uuid = ?')
      .run(result, uuid);
  }

  #startPoller(mapping: EventSourceMapping): void {
    if (this.#pollers.has(mapping.uuid) || this.#closed) return;
    const stop = new AbortController();
    const done = Promise.all(
      Array.from({ length: CONCURRENT_BATCHES }, () => this.#poll(mapping, stop.signal)),
    ).then(() => undefined);
    this.#pollers.set(mapping.uuid, { stop, done });
  }

  #stopPoller(uuid: string): void {
    const p = this.#pollers.get(uuid);
    if (p) {
      p.stop.abort();
      this.#pollers.delete(uuid);
    }
  }

  async #poll(mapping: EventSourceMapping, signal: AbortSignal): Promise<void> {
    const sqs = this.#sqs();
    const maxMessages = Math.min(10, mapping.batchSize);
    const reportFailures = mapping.functionResponseTypes.includes('ReportBatchItemFailures');
    for (let failures = 0; !signal.aborted && !sqs.closed; ) {
      try {
        await this.#pollOnce(mapping, signal, maxMessages, reportFailures);
        failures = 0;
      } catch {
        // A store error (the database busy or closing) must not end the mapping's polling for
        // good, as it did when one rejection stopped the only poller; retried, a little later.
        failures = Math.min(failures + 1, 5);
        this.#setResultQuietly(mapping.uuid, 'PROBLEM: Internal poller error');
        await sleep(200 * 2 ** failures, signal);
      }
    }
  }

  #setResultQuietly(uuid: string, result: string): void {
    try {
      this.#setResult(uuid, result);
    } catch {
      // The database is what failed; the next successful batch records its result.
    }
  }

  /** One receive and, when it got messages, one invocation with them. */
  async #pollOnce(
    mapping: EventSourceMapping,
    signal: AbortSignal,
    maxMessages: number,
    reportFailures: boolean,
  ): Promise<void> {
    const sqs = this.#sqs();
    const queue = sqs.getQueueByArn(mapping.eventSourceArn);
    if (!queue) {
      this.#setResult(mapping.uuid, 'PROBLEM: Queue does not exist');
      await sleep(1000, signal);
      return;
    }
    // Long poll, ended early by a stop: no busy loop while the queue is empty.
    const messages = await sqs.receive(queue, { maxMessages, waitTimeSeconds: 20, signal });
    if (messages.length === 0 || signal.aborted) return;
    const event = JSON.stringify({
      Records: messages.map((m) => sqsRecord(m, queue.arn, queue.region)),
    });
    let failed: Set<string> | 'all';
    try {
      const result = await this.#host.invoke(mapping.functionArn, event, {
        accountId: mapping.accountId,
        region: mapping.region,
      });
      if (result.functionError) failed = 'all';
      else if (reportFailures) {
        failed = failedItems(
          result.payload.toString('utf8'),
          new Set(messages.map((m) => m.messageId)),
        );
      } else failed = new Set();
    } catch {
      failed = 'all';
    }
    for (const m of messages) {
      if (failed !== 'all' && !failed.has(m.messageId)) {
        try {
          sqs.deleteMessage(queue, m.receiptHandle);
        } catch {
          // The queue was deleted meanwhile; nothing left to acknowledge.
        }
      }
    }
    if (failed === 'all' || failed.size > 0) {
      this.#setResult(mapping.uuid, 'PROBLEM: Function call failed');
      // Back off a little so a failing function with a zero visibility timeout cannot spin.
      await sleep(200, signal);
    } else {
      this.#setResult(mapping.uuid, 'OK');
    }
  }

  /** Stops every poller and waits for in-flight batches to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#pollers.values()];
    for (const p of all) p.stop.abort();
    this.#pollers.clear();
    await Promise.allSettled(all.map((p) => p.done));
  }
}
