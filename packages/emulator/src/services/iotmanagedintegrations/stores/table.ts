import { ValidationException } from '@c2c-kit/protocol';
import type Database from 'better-sqlite3';

/**
 * Who owns a resource: the account AND region of the SigV4 scope it was created with (a
 * `CallContext` and a `DocRow` are both owners). Every read through an owner sees only that
 * account's resources in that region, as on AWS.
 */
export interface Owner {
  readonly account: string;
  readonly region: string;
}

/**
 * A table of JSON documents keyed by id, with up to three indexed lookup columns (`k1`..`k3`) and
 * the owning account and region. Resource ids are globally unique, so cross-account lookups (a
 * customer's association pointing at a developer's destination) need no owner.
 */
export interface DocRow<T> extends Owner {
  readonly seq: number;
  readonly id: string;
  readonly doc: T;
}

/** The owner of a row or call, without its other members (for storing and comparing). */
export function ownerOf(owner: Owner): Owner {
  return { account: owner.account, region: owner.region };
}

export function sameOwner(a: Owner, b: Owner): boolean {
  return a.account === b.account && a.region === b.region;
}

type RawRow = { seq: number; id: string; account: string; region: string; doc: string };
const COLUMNS = 'seq, id, account, region, doc';

export interface DocKeys {
  readonly k1?: string | null;
  readonly k2?: string | null;
  readonly k3?: string | null;
}

export interface PageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

const DEFAULT_PAGE = 100;
const KEY_COLUMNS = ['k1', 'k2', 'k3'] as const;

/** Pagination tokens are base64url (the model's NextToken pattern is `^[a-zA-Z0-9=_-]+$`). */
export function encodeToken(seq: number): string {
  return Buffer.from(`p:${seq}`).toString('base64url');
}

export function decodeToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^p:(\d{1,15})$/.exec(text);
  if (m === null) {
    throw new ValidationException(
      `NextToken: expected a token returned by a previous call, got "${token.slice(0, 40)}"`,
    );
  }
  return Number(m[1]);
}

export class DocTable<T> {
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #name: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  /** Tables of an earlier version get their region column from `migrateToRegions` first. */
  constructor(db: Database.Database, name: string) {
    this.#db = db;
    this.#name = name;
    db.exec(`CREATE TABLE IF NOT EXISTS ${name} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      account TEXT NOT NULL,
      region TEXT NOT NULL,
      k1 TEXT, k2 TEXT, k3 TEXT,
      doc TEXT NOT NULL
    );
    DROP INDEX IF EXISTS ${name}_account;
    CREATE INDEX IF NOT EXISTS ${name}_owner ON ${name}(account, region, seq);${KEY_COLUMNS.map(
      // A key lookup is usually an owner's too (a customer's things for a device): with the key
      // alone SQLite took the owner index and read every row of the account. Key, owner, seq:
      // one index range, already in seq order. (Data dirs of earlier versions had (k) alone.)
      (k) => `
    DROP INDEX IF EXISTS ${name}_${k};
    CREATE INDEX IF NOT EXISTS ${name}_${k}_owner ON ${name}(${k}, account, region, seq);`,
    ).join('')}`);
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM ${name} WHERE id = ?`);
    // An id never changes owner: an update keeps the account and region it was created with.
    this.#put = db.prepare(
      `INSERT INTO ${name} (id, account, region, k1, k2, k3, doc) VALUES (@id, @account, @region, @k1, @k2, @k3, @doc)
       ON CONFLICT(id) DO UPDATE SET k1 = excluded.k1, k2 = excluded.k2, k3 = excluded.k3, doc = excluded.doc`,
    );
    this.#delete = db.prepare(`DELETE FROM ${name} WHERE id = ?`);
  }

  /** A row by its globally unique id, whoever owns it (cross-resource links; use `getOwned` for callers). */
  get(id: string): DocRow<T> | undefined {
    const row = this.#get.get(id) as RawRow | undefined;
    return row === undefined ? undefined : parsed<T>(row);
  }

  /** The document when it exists AND belongs to `owner` (same account and region). */
  getOwned(owner: Owner, id: string): T | undefined {
    const row = this.get(id);
    return row !== undefined && sameOwner(row, owner) ? row.doc : undefined;
  }

  put(owner: Owner, id: string, doc: T, keys: DocKeys = {}): void {
    this.#put.run({
      id,
      account: owner.account,
      region: owner.region,
      k1: keys.k1 ?? null,
      k2: keys.k2 ?? null,
      k3: keys.k3 ?? null,
      doc: JSON.stringify(doc),
    });
  }

  delete(id: string): boolean {
    return this.#delete.run(id).changes > 0;
  }

  /**
   * Rows matching every given key column, oldest first: of `owner` when given, else of every
   * owner (links such as a connector's customers span accounts; the dashboard spans regions).
   */
  find(where: DocKeys & { owner?: Owner }): DocRow<T>[] {
    const { sql, params } = this.#select(where, 'rows');
    return (this.#statement(sql).all(...params) as RawRow[]).map(parsed<T>);
  }

  /** How many rows match every given key column (read from the index alone). */
  count(where: DocKeys & { owner?: Owner }): number {
    const { sql, params } = this.#select(where, 'count');
    return (this.#statement(sql).get(...params) as { n: number }).n;
  }

  /**
   * One page of an owner's rows (optionally filtered by key columns and a predicate), read in
   * seq order from where the token left off and only until the page is full: a page costs the
   * rows it looks at, not the owner's whole table. `filter` must not query the database: it
   * runs while the rows are being read.
   */
  page(
    owner: Owner,
    request: PageRequest,
    where: DocKeys = {},
    filter: (doc: T) => boolean = () => true,
  ): Page<T> {
    const limit = request.maxResults ?? DEFAULT_PAGE;
    const after = request.nextToken === undefined ? 0 : decodeToken(request.nextToken);
    const { sql, params } = this.#select({ ...where, owner }, 'page');
    const items: DocRow<T>[] = [];
    let more = false;
    for (const raw of this.#statement(sql).iterate(...params, after) as IterableIterator<RawRow>) {
      const row = parsed<T>(raw);
      if (!filter(row.doc)) continue;
      if (items.length === limit) {
        more = true;
        break; // ends the iteration (and resets the statement)
      }
      items.push(row);
    }
    const last = items.at(-1);
    return more && last !== undefined
      ? { items: items.map((r) => r.doc), nextToken: encodeToken(last.seq) }
      : { items: items.map((r) => r.doc) };
  }

  /** The SELECT of `find` (rows), `count`, or `page` (rows after a seq, bound last). */
  #select(
    where: DocKeys & { owner?: Owner },
    kind: 'rows' | 'count' | 'page',
  ): { sql: string; params: string[] } {
    const clauses: string[] = [];
    const params: string[] = [];
    const columns: Record<string, string | null | undefined> = {
      account: where.owner?.account,
      region: where.owner?.region,
      k1: where.k1,
      k2: where.k2,
      k3: where.k3,
    };
    for (const [col, v] of Object.entries(columns)) {
      if (v !== undefined && v !== null) {
        clauses.push(`${col} = ?`);
        params.push(v);
      }
    }
    if (kind === 'page') clauses.push('seq > ?');
    const filter = clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
    const sql =
      kind === 'count'
        ? `SELECT count(*) AS n FROM ${this.#name}${filter}`
        : `SELECT ${COLUMNS} FROM ${this.#name}${filter} ORDER BY seq`;
    return { sql, params };
  }

  /** Prepared once per distinct query (at most one per combination of key columns). */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function parsed<T>(row: RawRow): DocRow<T> {
  return { ...row, doc: JSON.parse(row.doc) as T };
}
