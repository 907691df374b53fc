import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../src/errors.js';
import { DB_FILE_NAME, openDatabase } from '../src/plugins/db.js';
import { MiStores } from '../src/services/iotmanagedintegrations/stores/index.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-db-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('emulator database', () => {
  it('moves an events table written with AUTOINCREMENT to the plain rowid table, rows and seq kept', () => {
    // Arrange: a data dir as an earlier emulator left it (AUTOINCREMENT, gaps in seq).
    const dir = dataDir();
    const old = new Database(join(dir, DB_FILE_NAME));
    old.pragma('journal_mode = WAL');
    old.exec(`CREATE TABLE mi_connector_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, connector_id TEXT NOT NULL,
      operation TEXT NOT NULL, trace_id TEXT, received_at INTEGER NOT NULL, body TEXT NOT NULL)`);
    const put = old.prepare(
      'INSERT INTO mi_connector_events (seq, account, connector_id, operation, trace_id, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    put.run(1, '111122223333', 'c1', 'DEVICE_EVENT', 't-1', 1000, '{"a":1}');
    put.run(7, '111122223333', 'c1', 'DEVICE_EVENT', null, 2000, '{"a":2}');
    old.close();

    // Act
    const db = openDatabase({ dataDir: dir });
    const stores = new MiStores(db);
    const next = stores.insertEvent(
      { account: '111122223333', region: 'us-east-1' },
      'c1',
      'DEVICE_EVENT',
      't-3',
      3000,
      '{"a":3}',
    );

    // Assert
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'mi_connector_events'").get() as {
        sql: string;
      }
    ).sql;
    expect(sql).not.toMatch(/AUTOINCREMENT/i);
    expect(next).toBe(8);
    expect(stores.events(10).map((e) => [e.seq, e.traceId, e.body])).toEqual([
      [8, 't-3', { a: 3 }],
      [7, null, { a: 2 }],
      [1, 't-1', { a: 1 }],
    ]);
    db.close();

    // A second open finds the new table and leaves it alone.
    const again = openDatabase({ dataDir: dir });
    expect(new MiStores(again).countEvents()).toBe(3);
    again.close();
  });

  it('opens a data dir in WAL mode, synchronous NORMAL, checkpointing every 10000 pages', () => {
    const db = openDatabase({ dataDir: dataDir() });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 1 = NORMAL: a commit is durable against a process crash once it returns.
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10000);
    } finally {
      db.close();
    }
  });

  it('refuses a data dir another connection holds, naming the dir', () => {
    const dir = dataDir();
    const first = openDatabase({ dataDir: dir });
    try {
      let caught: unknown;
      try {
        openDatabase({ dataDir: dir });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DataDirInUseError);
      expect((caught as Error).message).toContain(dir);
    } finally {
      first.close();
    }
    // Released on close: the next emulator on this dir starts.
    openDatabase({ dataDir: dir }).close();
  }, 15_000);
});
