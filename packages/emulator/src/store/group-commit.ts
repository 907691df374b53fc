import type Database from 'better-sqlite3';

/** One unit of work in a group commit: runs inside the shared transaction. */
export type CommitWork<T> = () => T;

interface Pending {
  readonly work: CommitWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commits: writes that arrive in the same event-loop turn run in ONE SQLite transaction, and
 * each caller's promise settles only after that transaction has committed. One commit per batch
 * instead of one per request is what keeps ingest fast, and acknowledging only after the commit
 * keeps "a 202 means it is on disk" true. A unit that throws fails alone: the batch is replayed
 * unit by unit, so the rest still commits.
 */
export class GroupCommitter {
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #maxBatch: number;
  #batches = 0;
  #units = 0;

  readonly #onRollback: (() => void) | undefined;
  /** The batch the cached transaction runs (set just before it runs). */
  #running: Pending[] = [];
  #results: unknown[] = [];
  // Built once: `db.transaction(fn)` wraps four variants and defines properties on each call,
  // a measurable cost when paid per flush.
  readonly #runBatch: () => void;
  readonly #runOne: (work: CommitWork<unknown>) => unknown;
  readonly #secondTurn = (): void => {
    if (this.#queue.length === 0) {
      this.#scheduled = false;
      return;
    }
    setImmediate(this.#flushNow);
  };
  readonly #flushNow = (): void => {
    this.flush();
  };

  /**
   * `onRollback` runs when a batch, or a unit replayed alone, is rolled back, so callers can drop
   * in-memory state that mirrored the rolled-back writes. `beforeCommit` runs last inside every
   * transaction (batch or replayed unit), for writes the units deferred to once per transaction;
   * if it throws, that transaction rolls back like a failing unit.
   */
  constructor(
    db: Database.Database,
    options: { maxBatch?: number; onRollback?: () => void; beforeCommit?: () => void } = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 512;
    this.#onRollback = options.onRollback;
    const beforeCommit = options.beforeCommit ?? (() => {});
    this.#runBatch = db.transaction(() => {
      const batch = this.#running;
      const results = this.#results;
      for (let i = 0; i < batch.length; i++) results.push((batch[i] as Pending).work());
      beforeCommit();
    });
    this.#runOne = db.transaction((work: CommitWork<unknown>) => {
      const result = work();
      beforeCommit();
      return result;
    });
  }

  /** Queues `work`; resolves with its result once the batch holding it is durable. */
  run<T>(work: CommitWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.#queue.length >= this.#maxBatch) {
        this.flush();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after the I/O callbacks of this turn, so requests read together
        // share the commit; waiting one turn more lets the requests read in the next poll phase
        // join too (at 16 in flight: ~9 instead of ~8 per commit, fewer WAL writes per event,
        // measured lower server CPU and p99 no worse). Never later: nothing is acknowledged
        // before its commit, so waiting longer only adds latency.
        setImmediate(this.#secondTurn);
      }
    });
  }

  /** Commits everything queued now (also called on close). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const results: unknown[] = [];
    this.#running = batch;
    this.#results = results;
    try {
      // Fast path: the whole batch in one transaction, no per-unit statements.
      this.#runBatch();
    } catch {
      // Some unit failed and the batch rolled back: replay each unit in its own transaction so
      // one bad write cannot undo its neighbours'. Rare, so the extra commits do not matter.
      this.#onRollback?.();
      this.#batches += batch.length;
      this.#units += batch.length;
      for (const item of batch) {
        try {
          item.resolve(this.#runOne(item.work));
        } catch (error) {
          // This unit's own transaction rolled back too: what it cached is not on disk either.
          this.#onRollback?.();
          item.reject(error);
        }
      }
      return;
    } finally {
      this.#running = [];
      this.#results = [];
    }
    this.#batches += 1;
    this.#units += batch.length;
    batch.forEach((item, i) => {
      item.resolve(results[i]);
    });
  }

  /** Batches committed and units in them (average batch size = units / batches). */
  stats(): { batches: number; units: number } {
    return { batches: this.#batches, units: this.#units };
  }
}
