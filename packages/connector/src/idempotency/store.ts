import { IdempotencyInProgressError } from '../errors.js';

export { IdempotencyInProgressError };

/** One idempotency record, shaped like a DynamoDB item keyed by `key`. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly status: 'in_progress' | 'completed';
  /** Epoch ms after which the record no longer counts (lease for in_progress, TTL for completed). */
  readonly expiresAt: number;
  readonly result?: unknown;
}

export type PutIfAbsentResult =
  | { readonly created: true }
  | { readonly created: false; readonly existing: IdempotencyRecord };

/**
 * DynamoDB-style conditional store: `putIfAbsent` is `PutItem` with
 * `attribute_not_exists(key) OR expiresAt < :now`. Implement it over DynamoDB, Redis
 * (`SET NX PX`) or anything with a compare-and-set.
 */
export interface IdempotencyStore {
  putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult>;
  /** Unconditional overwrite (completing a record). */
  put(record: IdempotencyRecord): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads a live record (optional; enables the deactivated-user check). */
  get?(key: string, now: number): Promise<IdempotencyRecord | undefined>;
}

/**
 * Per-container store: dedupes retries that land on a warm container; tests. Holds at most
 * `maxEntries` records (default 10,000); past that the oldest tenth is forgotten at once.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly maxEntries: number;
  constructor(options: { maxEntries?: number } = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries: expected a positive integer, got ${options.maxEntries}`);
    }
  }
  putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
    const existing = this.records.get(record.key);
    if (existing && existing.expiresAt > now) return Promise.resolve({ created: false, existing });
    this.set(record);
    return Promise.resolve({ created: true });
  }
  put(record: IdempotencyRecord): Promise<void> {
    this.set(record);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.records.delete(key);
    return Promise.resolve();
  }
  get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    const r = this.records.get(key);
    return Promise.resolve(r && r.expiresAt > now ? r : undefined);
  }
  private set(record: IdempotencyRecord) {
    this.records.delete(record.key);
    this.records.set(record.key, record);
    // Bounded memory: past the limit the oldest tenth goes in one pass (a Map iterates in
    // insertion order). Evicting one per insert would cost more than the rest of the store: each
    // `keys().next()` first skips the slots earlier deletions left at the front of V8's table,
    // so each insert would get slower the larger the store.
    if (this.records.size > this.maxEntries) {
      let excess = this.records.size - this.maxEntries + Math.ceil(this.maxEntries / 10);
      for (const key of this.records.keys()) {
        this.records.delete(key);
        if (--excess === 0) break;
      }
    }
  }
}

export interface RunOnceOptions {
  /** How long a completed result is remembered. Default 1 h (beyond the service's retry horizon). */
  readonly ttlMs?: number;
  /** How long an in-progress lease blocks others before it is presumed dead. Default 60 s. */
  readonly leaseMs?: number;
  readonly now?: () => number;
}

export type RunOnceOutcome<T> =
  | { readonly duplicate: false; readonly result: T }
  | { readonly duplicate: true; readonly result: T };

/**
 * Runs `fn` at most once per key among concurrent and repeated callers. A failure releases
 * the key so a retry can do the work; a duplicate gets the stored result.
 */
export async function runOnce<T>(
  store: IdempotencyStore,
  key: string,
  fn: () => Promise<T>,
  options: RunOnceOptions = {},
): Promise<RunOnceOutcome<T>> {
  const now = options.now ?? Date.now;
  const started = now();
  const claim = await store.putIfAbsent(
    { key, status: 'in_progress', expiresAt: started + (options.leaseMs ?? 60_000) },
    started,
  );
  if (!claim.created) {
    if (claim.existing.status === 'completed') {
      return { duplicate: true, result: claim.existing.result as T };
    }
    throw new IdempotencyInProgressError(key);
  }
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await store.delete(key);
    throw error;
  }
  await store.put({
    key,
    status: 'completed',
    expiresAt: now() + (options.ttlMs ?? 3_600_000),
    ...(result === undefined ? {} : { result }),
  });
  return { duplicate: false, result };
}
