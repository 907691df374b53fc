import Database from 'better-sqlite3';

/**
 * Records the SQL the emulator's code prepares and runs, by wrapping better-sqlite3's
 * `Database.prototype.prepare` and the run/get/all/iterate methods of its statements, so a test
 * can check the query plan of every statement the code uses instead of a hand-kept list.
 */
export interface SqlRecorder {
  /** Every statement text prepared since `recordSql()`. */
  readonly prepared: Set<string>;
  /** Statement texts executed while `executing` was on. */
  readonly executed: Set<string>;
  /** Turn the executed-statement log on (after start-up) or off. */
  executing: boolean;
  restore(): void;
}

type Method = 'run' | 'get' | 'all' | 'iterate';

export function recordSql(): SqlRecorder {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<
    Method,
    (...args: unknown[]) => unknown
  >;
  probe.close();
  const dbProto = Database.prototype as unknown as {
    prepare: (this: Database.Database, sql: string) => Database.Statement;
  };
  const recorder: SqlRecorder = {
    prepared: new Set(),
    executed: new Set(),
    executing: false,
    restore() {
      dbProto.prepare = prepare;
      for (const [name, original] of originals) statementProto[name] = original;
    },
  };
  const prepare = dbProto.prepare;
  dbProto.prepare = function (this: Database.Database, sql: string) {
    recorder.prepared.add(normalize(sql));
    return prepare.call(this, sql);
  };
  const originals = (['run', 'get', 'all', 'iterate'] as const).map(
    (name) => [name, statementProto[name]] as const,
  );
  for (const [name, original] of originals) {
    statementProto[name] = function (this: Database.Statement, ...args: unknown[]) {
      if (recorder.executing) recorder.executed.add(normalize(this.source));
      return original.apply(this, args);
    };
  }
  return recorder;
}

function normalize(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/** The WHERE clause of a statement (up to ORDER BY / LIMIT / GROUP BY / RETURNING), if any. */
function whereOf(sql: string): string | undefined {
  const m = /\bWHERE\b(.*?)(?:\bORDER BY\b|\bLIMIT\b|\bGROUP BY\b|\bRETURNING\b|$)/is.exec(sql);
  return m?.[1];
}

/** Binds every parameter to NULL: a plan does not depend on the values (no STAT4). */
function nullParameters(sql: string): unknown[] | Record<string, null> {
  const named = [...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1] as string);
  if (named.length > 0) return Object.fromEntries(named.map((n) => [n, null]));
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  return new Array((text.match(/\?/g) ?? []).length).fill(null);
}

export interface PlanVerdict {
  readonly sql: string;
  readonly plan: readonly string[];
  /** Empty when the statement is served by an index (or is a bounded read). */
  readonly problems: readonly string[];
}

/**
 * A statement's query plan and what is wrong with it:
 * - a lookup or filtered list (a WHERE clause) must SEARCH every table it reads, never SCAN it,
 *   and its index search must use every column the WHERE compares with `=` (an index on only
 *   some of them reads every row that matches those, e.g. all of an account's things);
 * - a statement without a WHERE clause that the request paths ran must be bounded by LIMIT
 *   (the newest or oldest rows), or it reads the whole table on every request;
 * - a LIMIT query must not sort its matches in a temporary B-tree (that reads them all first).
 */
export function judgePlan(db: Database.Database, sql: string, ranOnRequests: boolean): PlanVerdict {
  const params = nullParameters(sql);
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as Array<{
    detail: string;
  }>;
  const plan = rows.map((r) => r.detail);
  const problems: string[] = [];
  const where = whereOf(sql);
  const limited = /\bLIMIT\b/i.test(sql);
  for (const step of plan) {
    if (
      /^SCAN (?!CONSTANT ROW)/.test(step) &&
      (where !== undefined || (ranOnRequests && !limited))
    ) {
      problems.push(`full scan: ${step}`);
    }
    if (limited && /USE TEMP B-TREE/.test(step)) problems.push(`sorts every match: ${step}`);
  }
  if (where !== undefined && !/\bOR\b/i.test(where)) {
    const equalities = [...where.matchAll(/\b([a-z_][a-z0-9_]*)\s*=\s*(?:\?|[@:$]\w+)/gi)].map(
      (m) => (m[1] as string).toLowerCase(),
    );
    const searched = plan
      .filter((s) => s.startsWith('SEARCH'))
      .flatMap((s) =>
        [...s.matchAll(/\b([a-z_][a-z0-9_]*)[=<>]/gi)].map((m) => (m[1] as string).toLowerCase()),
      );
    // A row picked by its rowid (`seq = ?`) is one row whatever else the WHERE says.
    const rowid = plan.some((s) => /\(rowid=\?\)/.test(s));
    for (const column of new Set(equalities)) {
      if (!searched.includes(column) && !rowid) {
        problems.push(`"${column} = ?" is not part of the index search: ${plan.join(' | ')}`);
      }
    }
  }
  return { sql, plan, problems };
}
