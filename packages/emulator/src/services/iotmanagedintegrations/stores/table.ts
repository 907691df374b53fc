import { ValidationException } from '@c2c-kit/protocol';
import type Database from 'better-sqlite3';

/**
 * A table of JSON documents keyed by id, with up to three indexed lookup columns (`k1`..`k3`) and
 * the owning account. Resource ids are globally unique, so cross-account lookups (a customer's
 * association pointing at a developer's destination) need no account.
 */
export interface DocRow<T> {
  readonly seq: number;
  readonly id: string;
  readonly account: string;
  readonly doc: T;
}

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

  constructor(db: Database.Database, name: string) {
    this.#db = db;
    this.#name = name;
    db.exec(`CREATE TABLE IF NOT EXISTS ${name} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      account TEXT NOT NULL,
      k1 TEXT, k2 TEXT, k3 TEXT,
      doc TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${name}_account ON ${name}(account, seq);
    CREATE INDEX IF NOT EXISTS ${name}_k1 ON ${name}(k1);
    CREATE INDEX IF NOT EXISTS ${name}_k2 ON ${name}(k2);
    CREATE INDEX IF NOT EXISTS ${name}_k3 ON ${name}(k3);`);
    this.#get = db.prepare(`SELECT seq, id, account, doc FROM ${name} WHERE id = ?`);
    this.#put = db.prepare(
      `INSERT INTO ${name} (id, account, k1, k2, k3, doc) VALUES (@id, @account, @k1, @k2, @k3, @doc)
       ON CONFLICT(id) DO UPDATE SET k1 = excluded.k1, k2 = excluded.k2, k3 = excluded.k3, doc = excluded.doc`,
    );
    this.#delete = db.prepare(`DELETE FROM ${name} WHERE id = ?`);
  }

  get(id: string): DocRow<T> | undefined {
    const row = this.#get.get(id) as
      | { seq: number; id: string; account: string; doc: string }
      | undefined;
    return row === undefined ? undefined : { ...row, doc: JSON.parse(row.doc) as T };
  }

  /** The document when it exists AND belongs to `account`. */
  getOwned(account: string, id: string): T | undefined {
    const row = this.get(id);
    return row !== undefined && row.account === account ? row.doc : undefined;
  }

  put(account: string, id: string, doc: T, keys: DocKeys = {}): void {
    this.#put.run({
      id,
      account,
      k1: keys.k1 ?? null,
      k2: keys.k2 ?? null,
      k3: keys.k3 ?? null,
      doc: JSON.stringify(doc),
    });
  }

  delete(id: string): boolean {
    return this.#delete.run(id).changes > 0;
  }

  /** Rows matching every given key column (any account unless given), oldest first. */
  find(where: DocKeys & { account?: string }): DocRow<T>[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const col of ['account', 'k1', 'k2', 'k3'] as const) {
      const v = where[col];
      if (v !== undefined && v !== null) {
        clauses.push(`${col} = ?`);
        params.push(v);
      }
    }
    const sql = `SELECT seq, id, account, doc FROM ${this.#name}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY seq`;
    return (
      this.#db.prepare(sql).all(...params) as Array<{
        seq: number;
        id: string;
        account: string;
        doc: string;
      }>
    ).map((r) => ({ ...r, doc: JSON.parse(r.doc) as T }));
  }

  /** One page of an account's rows (optionally filtered by key columns and a predicate). */
  page(
    account: string,
    request: PageRequest,
    where: DocKeys = {},
    filter: (doc: T) => boolean = () => true,
  ): Page<T> {
    const limit = request.maxResults ?? DEFAULT_PAGE;
    const after = request.nextToken === undefined ? 0 : decodeToken(request.nextToken);
    const rows = this.find({ ...where, account }).filter((r) => r.seq > after && filter(r.doc));
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return rows.length > limit && last !== undefined
      ? { items: items.map((r) => r.doc), nextToken: encodeToken(last.seq) }
      : { items: items.map((r) => r.doc) };
  }
}
