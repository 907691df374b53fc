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
 * Per-device parked markers: "this device has events waiting in the outbox". An outbox on SQS
 * cannot be asked whether a message group is empty, so every parked event leaves one marker here
 * (before it is sent to the queue) and the outbox's drainer removes it once the event is delivered
 * or dead-lettered. A device with any live marker gets its new events queued behind, in every
 * worker that shares the store. A marker past `expiresAt` no longer counts (a marker left behind
 * by a crash between marking and parking heals then).
 */
export interface ParkedMarkers {
  /** Adds marker `parkId` for the device (idempotent). */
  markParked(deviceKey: string, parkId: string, expiresAt: number): Promise<void>;
  /** Removes marker `parkId` (idempotent: removing a missing marker is fine). */
  clearParked(deviceKey: string, parkId: string): Promise<void>;
  /** Whether the device has a marker that has not expired at `now`. */
  isParked(deviceKey: string, now: number): Promise<boolean>;
}

/**
 * The connector's shared store: idempotency records (conditional put, TTL) and per-device parked
 * markers, in one place — `MemoryIdempotencyStore` (tests), `SqliteIdempotencyStore` (one file
 * shared by local processes), `DynamoDbIdempotencyStore` (`@c2c-kit/connector/dynamodb`, AWS).
 */
export interface ConnectorStore extends IdempotencyStore, ParkedMarkers {}

/** Whether a store also keeps parked markers (every store of this package does). */
export function hasParkedMarkers(store: IdempotencyStore): store is ConnectorStore {
  const s = store as Partial<ParkedMarkers>;
  return (
    typeof s.markParked === 'function' &&
    typeof s.clearParked === 'function' &&
    typeof s.isParked === 'function'
  );
}

/**
 * A store created on first use: `load` runs once (a failed load is retried by the next call).
 * Lets a module pick its store by configuration with a dynamic `import()` of
 * `@c2c-kit/connector/sqlite` or `/dynamodb`, so a bundle never carries the one it does not use.
 */
export function lazyStore(load: () => Promise<ConnectorStore>): ConnectorStore {
  let loading: Promise<ConnectorStore> | undefined;
  const store = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    putIfAbsent: async (record, now) => (await store()).putIfAbsent(record, now),
    put: async (record) => (await store()).put(record),
    delete: async (key) => (await store()).delete(key),
    get: async (key, now) => {
      const s = await store();
      return s.get ? s.get(key, now) : undefined;
    },
    markParked: async (deviceKey, parkId, expiresAt) =>
      (await store()).markParked(deviceKey, parkId, expiresAt),
    clearParked: async (deviceKey, parkId) => (await store()).clearParked(deviceKey, parkId),
    isParked: async (deviceKey, now) => (await store()).isParked(deviceKey, now),
  };
}

/**
 * Per-container store: dedupes retries that land on a warm container; tests. Holds at most
 * `maxEntries` records (default 10,000); past that the oldest tenth is forgotten at once.
 * Parked markers are kept apart and never evicted (a marker is removed when its event leaves the
 * outbox, or ignored once expired).
 */
export class MemoryIdempotencyStore implements ConnectorStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly parked = new Map<string, Map<string, number>>();
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
  markParked(deviceKey: string, parkId: string, expiresAt: number): Promise<void> {
    let markers = this.parked.get(deviceKey);
    if (!markers) {
      markers = new Map();
      this.parked.set(deviceKey, markers);
    }
    markers.set(parkId, expiresAt);
    return Promise.resolve();
  }
  clearParked(deviceKey: string, parkId: string): Promise<void> {
    const markers = this.parked.get(deviceKey);
    markers?.delete(parkId);
    if (markers?.size === 0) this.parked.delete(deviceKey);
    return Promise.resolve();
  }
  isParked(deviceKey: string, now: number): Promise<boolean> {
    for (const expiresAt of this.parked.get(deviceKey)?.values() ?? []) {
      if (expiresAt > now) return Promise.resolve(true);
    }
    return Promise.resolve(false);
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
