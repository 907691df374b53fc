/**
 * SQLite implementations (local development, the CLI, tests). A separate entry point
 * (`@c2c-kit/connector/sqlite`) so the Lambda bundle never pulls in the native module.
 */
import Database from 'better-sqlite3';
import type { ConnectorStore, IdempotencyRecord, PutIfAbsentResult } from './idempotency/store.js';
import type { Outbox, OutboxEntry, UnreadableOutboxMessage } from './outbox/outbox.js';
import type { SendConnectorEventRequest } from './protocol.js';

type Db = Database.Database;

function open(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Durable enough for a dev outbox (WAL survives a process crash) and much faster than FULL,
  // which syncs on every commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * The connector's store in SQLite: idempotency records (the conditional put is one
 * `INSERT … ON CONFLICT … WHERE`) and per-device parked markers. In WAL mode several processes
 * share one file (the workers of `c2c dev`'s Lambda host), and it survives their restarts.
 */
export class SqliteIdempotencyStore implements ConnectorStore {
  private readonly db: Db;
  private readonly mark: Database.Statement;
  private readonly unmark: Database.Statement;
  private readonly parked: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly replace: Database.Statement;
  private readonly del: Database.Statement;

  constructor(path = ':memory:') {
    this.db = open(path);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL, result TEXT)',
    );
    // Claims the key only when it is free or expired; `changes` tells whether we won.
    this.upsert = this.db.prepare(
      `INSERT INTO idempotency (key, status, expires_at, result) VALUES (@key, @status, @expiresAt, @result)
       ON CONFLICT(key) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, result = excluded.result
       WHERE idempotency.expires_at <= @now`,
    );
    this.select = this.db.prepare(
      'SELECT key, status, expires_at, result FROM idempotency WHERE key = ?',
    );
    this.replace = this.db.prepare(
      'INSERT OR REPLACE INTO idempotency (key, status, expires_at, result) VALUES (@key, @status, @expiresAt, @result)',
    );
    this.del = this.db.prepare('DELETE FROM idempotency WHERE key = ?');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS parked (device_key TEXT NOT NULL, park_id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (device_key, park_id))',
    );
    this.mark = this.db.prepare(
      'INSERT OR REPLACE INTO parked (device_key, park_id, expires_at) VALUES (?, ?, ?)',
    );
    this.unmark = this.db.prepare('DELETE FROM parked WHERE device_key = ? AND park_id = ?');
    this.parked = this.db.prepare(
      'SELECT 1 FROM parked WHERE device_key = ? AND expires_at > ? LIMIT 1',
    );
  }

  markParked(deviceKey: string, parkId: string, expiresAt: number): Promise<void> {
    this.mark.run(deviceKey, parkId, expiresAt);
    return Promise.resolve();
  }

  clearParked(deviceKey: string, parkId: string): Promise<void> {
    this.unmark.run(deviceKey, parkId);
    return Promise.resolve();
  }

  isParked(deviceKey: string, now: number): Promise<boolean> {
    return Promise.resolve(this.parked.get(deviceKey, now) !== undefined);
  }

  putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
    const info = this.upsert.run({ ...this.row(record), now });
    if (info.changes === 1) return Promise.resolve({ created: true });
    const row = this.select.get(record.key) as
      | {
          key: string;
          status: 'in_progress' | 'completed';
          expires_at: number;
          result: string | null;
        }
      | undefined;
    if (!row) return this.putIfAbsent(record, now);
    return Promise.resolve({
      created: false,
      existing: {
        key: row.key,
        status: row.status,
        expiresAt: row.expires_at,
        ...(row.result === null ? {} : { result: JSON.parse(row.result) }),
      },
    });
  }

  put(record: IdempotencyRecord): Promise<void> {
    this.replace.run(this.row(record));
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.del.run(key);
    return Promise.resolve();
  }

  get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    const row = this.select.get(key) as
      | {
          key: string;
          status: 'in_progress' | 'completed';
          expires_at: number;
          result: string | null;
        }
      | undefined;
    if (!row || row.expires_at <= now) return Promise.resolve(undefined);
    return Promise.resolve({
      key: row.key,
      status: row.status,
      expiresAt: row.expires_at,
      ...(row.result === null ? {} : { result: JSON.parse(row.result) }),
    });
  }

  close(): void {
    this.db.close();
  }

  private row(record: IdempotencyRecord) {
    return {
      key: record.key,
      status: record.status,
      expiresAt: record.expiresAt,
      result: record.result === undefined ? null : JSON.stringify(record.result),
    };
  }
}

/**
 * A durable outbox in one SQLite file: one row per undelivered event, replayed in id order per
 * device by `c2c replay --sqlite` (nothing drains it by itself: for automatic retries use an
 * `SqsOutbox` consumed by the connector). It knows exactly which devices have rows
 * (`hasPending`), so it needs no parked markers.
 */
export class SqliteOutbox implements Outbox {
  private readonly db: Db;
  private readonly insert: Database.Statement;
  private readonly pending: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly del: Database.Statement;
  private readonly fail: Database.Statement;
  private readonly countStmt: Database.Statement;
  private lastUnreadable: readonly UnreadableOutboxMessage[] = [];

  constructor(path = ':memory:') {
    this.db = open(path);
    this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT, device_key TEXT NOT NULL, request TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 1, last_error TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS outbox_device ON outbox (device_key, id);`);
    this.insert = this.db.prepare(
      'INSERT INTO outbox (device_key, request, last_error, created_at) VALUES (?, ?, ?, ?)',
    );
    this.pending = this.db.prepare('SELECT 1 FROM outbox WHERE device_key = ? LIMIT 1');
    this.listStmt = this.db.prepare(
      'SELECT id, device_key, request, attempts, last_error, created_at FROM outbox ORDER BY id LIMIT ?',
    );
    this.del = this.db.prepare('DELETE FROM outbox WHERE id = ?');
    this.fail = this.db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?',
    );
    this.countStmt = this.db.prepare('SELECT count(*) AS n FROM outbox');
  }

  add(deviceKey: string, request: SendConnectorEventRequest, lastError: string): Promise<void> {
    this.insert.run(deviceKey, JSON.stringify(request), lastError, Date.now());
    return Promise.resolve();
  }
  hasPending(deviceKey: string): Promise<boolean> {
    return Promise.resolve(this.pending.get(deviceKey) !== undefined);
  }
  list(limit = 1000): Promise<OutboxEntry[]> {
    const rows = this.listStmt.all(limit) as Array<{
      id: number;
      device_key: string;
      request: string;
      attempts: number;
      last_error: string;
      created_at: number;
    }>;
    // A row that no longer parses (a damaged file, a hand edit) is skipped and reported through
    // unreadable(), never deleted; later rows of its device are held back behind it so they
    // cannot overtake it.
    const entries: OutboxEntry[] = [];
    const unreadable: UnreadableOutboxMessage[] = [];
    const held = new Set<string>();
    for (const r of rows) {
      if (held.has(r.device_key)) continue;
      let request: unknown;
      let reason: string | undefined;
      try {
        request = JSON.parse(r.request);
        if (typeof request !== 'object' || request === null || Array.isArray(request)) {
          reason = 'request column is not a JSON object';
        }
      } catch {
        // Not the parser's message: it quotes the text, which may hold anything.
        reason = 'request column is not valid JSON';
      }
      if (reason !== undefined) {
        held.add(r.device_key);
        unreadable.push({ messageId: `outbox row ${r.id}`, reason });
        continue;
      }
      entries.push({
        id: r.id,
        deviceKey: r.device_key,
        request: request as SendConnectorEventRequest,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at,
      });
    }
    this.lastUnreadable = unreadable;
    return Promise.resolve(entries);
  }
  unreadable(): readonly UnreadableOutboxMessage[] {
    return this.lastUnreadable;
  }
  remove(id: number): Promise<void> {
    this.del.run(id);
    return Promise.resolve();
  }
  recordFailure(id: number, lastError: string): Promise<void> {
    this.fail.run(lastError, id);
    return Promise.resolve();
  }
  count(): Promise<number> {
    return Promise.resolve((this.countStmt.get() as { n: number }).n);
  }
  close(): void {
    this.db.close();
  }
}
