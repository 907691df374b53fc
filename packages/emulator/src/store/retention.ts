import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { EmulatorConfigError } from '../errors.js';

/**
 * Which stored connector events (accepted and rejected) the emulator keeps: the newest `count`,
 * those younger than `maxAgeMs`, or all of them (`'all'`, what `--retain-events off` sets).
 */
export type EventRetention = { readonly count: number } | { readonly maxAgeMs: number } | 'all';

/**
 * Kept unless told otherwise: a data dir that stays bounded when the emulator runs for days
 * (bytes on disk per stored event: docs/benchmarks/emulator.md), and far more than the 10,000
 * newest events `/_local/events` can show.
 */
export const DEFAULT_EVENT_RETENTION: EventRetention = { count: 100_000 };

/** The shortest pause between two pruning steps, ms. */
const REST_MS = 2;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `--retain-events` text: a count (`100000`), a duration (`90s`, `30m`, `12h`, `7d`) or
 * `off`. Throws an EmulatorConfigError naming `flag` with what it expected and got.
 */
export function parseRetention(text: string, flag = '--retain-events'): EventRetention {
  const value = text.trim();
  if (value === 'off') return 'all';
  if (/^\d{1,12}$/.test(value) && Number(value) >= 1) return { count: Number(value) };
  const m = /^(\d{1,9})(s|m|h|d)$/.exec(value);
  if (m !== null && Number(m[1]) >= 1) {
    return { maxAgeMs: Number(m[1]) * (UNITS[m[2] as string] as number) };
  }
  throw new EmulatorConfigError(
    `${flag}: expected a count of events (100000), a duration (90s, 30m, 12h, 7d) or off, got "${value.slice(0, 20)}"`,
  );
}

/** `EmulatorOptions.retainEvents` (the structured form, or flag text) as a checked setting. */
export function resolveRetention(
  option: EventRetention | string | undefined,
  name = 'options.retainEvents',
): EventRetention {
  if (option === undefined) return DEFAULT_EVENT_RETENTION;
  if (option === 'all') return option;
  if (typeof option === 'string') return parseRetention(option, name);
  if ('count' in option && Number.isSafeInteger(option.count) && option.count >= 1) return option;
  if ('maxAgeMs' in option && Number.isSafeInteger(option.maxAgeMs) && option.maxAgeMs >= 1) {
    return option;
  }
  throw new EmulatorConfigError(
    `${name}: expected { count: n ≥ 1 }, { maxAgeMs: n ≥ 1 }, 'all' or flag text such as "7d", got ${JSON.stringify(option).slice(0, 40)}`,
  );
}

/** The setting as flag text (`100000`, `7d`, `off`), for the start banner. */
export function formatRetention(retention: EventRetention): string {
  if (retention === 'all') return 'off';
  if ('count' in retention) return String(retention.count);
  for (const unit of ['d', 'h', 'm', 's']) {
    const ms = UNITS[unit] as number;
    if (retention.maxAgeMs % ms === 0) return `${retention.maxAgeMs / ms}${unit}`;
  }
  return `${retention.maxAgeMs}ms`;
}

export interface PrunerOptions {
  /** Rows deleted per step at most, per table: small, so one step never holds ingest up. */
  readonly stepRows?: number;
  /** Pause between checks once caught up, in ms. */
  readonly idleMs?: number;
  readonly now?: () => number;
}

interface TableStatements {
  readonly min: Database.Statement;
  readonly max: Database.Statement;
  readonly below: Database.Statement;
  readonly olderBelow: Database.Statement;
}

/**
 * Deletes the events retention no longer keeps, oldest first, in small steps: each step is one
 * short transaction of at most `stepRows` rows per table, and the next one comes after a rest
 * four times as long as the step took, so requests (and their group commits) run between steps
 * and keep most of the event loop. A large backlog (a lowered setting, a long-idle data dir) is
 * worked off the same way, never at start-up.
 *
 * Only the oldest rows go (rows are found by their `seq` range, never by scanning), and the
 * newest row of a table always stays, so the next insert's seq keeps counting up.
 */
export class EventPruner {
  readonly #tables: TableStatements[];
  readonly #retention: EventRetention;
  readonly #stepRows: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #step: () => number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  /** Whether the last step deleted a full step of some table (more is probably waiting). */
  #full = false;
  /** Rows deleted and steps taken since start (the bench and tests read them). */
  readonly stats = { pruned: 0, steps: 0 };

  constructor(
    db: Database.Database,
    tables: readonly string[],
    retention: EventRetention,
    options: PrunerOptions = {},
  ) {
    this.#retention = retention;
    this.#stepRows = options.stepRows ?? 500;
    this.#idleMs = options.idleMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#tables = tables.map((t) => ({
      min: db.prepare(`SELECT min(seq) AS v FROM ${t}`),
      max: db.prepare(`SELECT max(seq) AS v FROM ${t}`),
      below: db.prepare(`DELETE FROM ${t} WHERE seq < ?`),
      olderBelow: db.prepare(`DELETE FROM ${t} WHERE seq < ? AND received_at < ?`),
    }));
    this.#step = db.transaction(() => {
      let deleted = 0;
      this.#full = false;
      for (const table of this.#tables) {
        const n = this.#pruneTable(table);
        deleted += n;
        if (n >= this.#stepRows) this.#full = true;
      }
      return deleted;
    });
  }

  /** One bounded step over every table; returns the rows it deleted. */
  step(): number {
    if (this.#retention === 'all') return 0;
    const deleted = this.#step();
    this.stats.steps++;
    this.stats.pruned += deleted;
    return deleted;
  }

  #pruneTable(table: TableStatements): number {
    const lo = (table.min.get() as { v: number | null }).v;
    const hi = (table.max.get() as { v: number | null }).v;
    if (lo === null || hi === null || lo === hi) return 0;
    const retention = this.#retention as Exclude<EventRetention, 'all'>;
    // The first seq this step keeps: at most stepRows rows above the oldest, never the newest.
    const stepEnd = Math.min(lo + this.#stepRows, hi);
    if ('count' in retention) {
      const keepFrom = Math.min(hi - retention.count + 1, stepEnd);
      return keepFrom > lo ? table.below.run(keepFrom).changes : 0;
    }
    return table.olderBelow.run(stepEnd, this.#now() - retention.maxAgeMs).changes;
  }

  /** Starts pruning in the background (a step now, then as the backlog and `idleMs` say). */
  start(): void {
    if (this.#retention === 'all' || !this.#stopped) return;
    this.#stopped = false;
    this.#schedule(REST_MS);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(delayMs: number): void {
    const run = () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      const started = performance.now();
      this.step();
      const spent = performance.now() - started;
      // A full step means more is waiting: go on after a rest of four times the step (at least
      // REST_MS), so pruning takes at most a fifth of the event loop and of the WAL's writes
      // while requests keep theirs; otherwise look again after `idleMs`.
      this.#schedule(this.#full ? Math.max(REST_MS, 4 * spent) : this.#idleMs);
    };
    const timer = setTimeout(run, delayMs);
    timer.unref();
    this.#timer = timer;
  }
}

/**
 * Prunes the managed-integrations event tables by `retention` while the emulator runs (after
 * `ready`, so start-up never waits for a backlog; stopped on close).
 */
export const eventRetentionPlugin = fp(
  async (
    app: FastifyInstance,
    options: { retention: EventRetention; tables: readonly string[] } & PrunerOptions,
  ) => {
    const pruner = new EventPruner(app.db, options.tables, options.retention, options);
    app.decorate('eventPruner', pruner);
    app.addHook('onReady', async () => pruner.start());
    app.addHook('onClose', async () => pruner.stop());
  },
  {
    name: '@c2c-kit/emulator-event-retention',
    fastify: '5.x',
    dependencies: ['@c2c-kit/emulator-db'],
  },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Deletes stored connector events past `retainEvents` (see `EventPruner`). */
    eventPruner: EventPruner;
  }
}
