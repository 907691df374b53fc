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
 * keeps "a 202 means it is on disk" true. A unit that throws is rolled back alone (savepoint), the
 * rest of the batch still commits.
 */
export class GroupCommitter {
  readonly #db: Database.Database;
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #maxBatch: number;
  #batches = 0;
  #units = 0;

  constructor(db: Database.Database, options: { maxBatch?: number } = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 512;
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
        // share the commit.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also called on close). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const results: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.#db.transaction(() => {
        for (const item of batch) {
          // A savepoint per unit: one failing write must not undo its neighbours' writes.
          this.#db.exec('SAVEPOINT unit');
          try {
            results.push({ ok: true, value: item.work() });
            this.#db.exec('RELEASE unit');
          } catch (error) {
            this.#db.exec('ROLLBACK TO unit');
            this.#db.exec('RELEASE unit');
            results.push({ ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    this.#batches += 1;
    this.#units += batch.length;
    batch.forEach((item, i) => {
      const r = results[i] as { ok: boolean; value: unknown };
      if (r.ok) item.resolve(r.value);
      else item.reject(r.value);
    });
  }

  /** Batches committed and units in them (average batch size = units / batches). */
  stats(): { batches: number; units: number } {
    return { batches: this.#batches, units: this.#units };
  }
}
