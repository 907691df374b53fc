import { closeSync, existsSync, fstatSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensurePrivateDir, tightenFile } from '@c2c-kit/local-guard';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DataDirInUseError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Shared SQLite database; each service creates its own `<service>_…` tables. */
    db: Database.Database;
  }
}

export interface DbOptions {
  /** Directory holding `emulator.sqlite`; ignored when `memory` is true. */
  readonly dataDir?: string;
  readonly memory?: boolean;
}

export const DB_FILE_NAME = 'emulator.sqlite';

// better-sqlite3's native addon, named to it: its own search (the `bindings` package) starts from
// the calling file, which in the bin's bundle is the bundle, and tries a dozen paths before the
// one prebuilt and node-gyp builds use. Where a build keeps it elsewhere, the search runs as usual.
const nativeBinding = ((): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve(
      'better-sqlite3/build/Release/better_sqlite3.node',
    );
  } catch {
    return undefined;
  }
})();

/** A better-sqlite3 connection to `filename` (`:memory:` for none). */
export function newDatabase(filename: string): Database.Database {
  return new Database(filename, nativeBinding === undefined ? {} : { nativeBinding });
}

/** Opens the emulator database: a file in `dataDir`, or `:memory:`. */
export function openDatabase(options: DbOptions): Database.Database {
  let db: Database.Database;
  let created = false;
  if (options.memory === true || options.dataDir === undefined) {
    db = newDatabase(':memory:');
  } else {
    ensurePrivateDir(options.dataDir);
    const file = join(options.dataDir, DB_FILE_NAME);
    // The file holds OAuth tokens and secrets: create it 0600 before SQLite does (SQLite would
    // use 0644 & ~umask), and tighten one an older version left wider. SQLite gives the -wal and
    // -shm files the database file's mode.
    const fd = openSync(file, 'a', 0o600);
    try {
      created = fstatSync(fd).size === 0 && !existsSync(`${file}-wal`);
    } finally {
      closeSync(fd);
    }
    for (const suffix of ['', '-wal', '-shm']) tightenFile(`${file}${suffix}`);
    db = newDatabase(file);
  }
  // One emulator process owns its data dir (its in-memory caches assume nobody else writes), so
  // the file lock is taken once and kept instead of per transaction, and the WAL index lives in
  // process memory instead of a shared-memory file. Must come before the first access to the file.
  // A second process opening the same data dir is refused with a clear error.
  db.pragma('busy_timeout = 5000');
  const file = options.memory !== true && options.dataDir !== undefined;
  if (file) db.pragma('locking_mode = EXCLUSIVE');
  // Turning an empty file into a WAL database writes its first page through a rollback journal
  // with four fsyncs (journal, directory, journal, database): the longest wait of a start on an
  // empty data dir. Nothing is stored yet, so there is nothing to keep safe: an OS crash in that
  // instant leaves the file empty or the page whole (one block), and either opens as a new
  // database. A database with anything in it keeps SQLite's `synchronous` until WAL is on.
  if (created) db.pragma('synchronous = OFF');
  try {
    // WAL + NORMAL: a commit is durable against a process crash (kill -9) once it returns; only
    // an OS crash can lose the last commits, which is the trade the brief asks for.
    db.pragma('journal_mode = WAL');
    // Take the write lock now, so a data dir in use fails here and not on the first request.
    if (file) db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true) {
      throw new DataDirInUseError(options.dataDir as string, undefined, { cause: error });
    }
    throw error;
  }
  db.pragma('synchronous = NORMAL');
  // Checkpoint every 10000 WAL pages (~40 MB) instead of SQLite's 1000: a checkpoint fsyncs the
  // WAL and the database and blocks the event loop while it does, which every request waiting
  // for a group commit then pays (ingest bench p99 ~7 ms -> ~4.5 ms). Durability is the WAL's and
  // unchanged; the cost is a larger -wal file and a longer replay after a crash.
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('foreign_keys = ON');
  return db;
}

async function dbPlugin(app: FastifyInstance, options: DbOptions): Promise<void> {
  const db = openDatabase(options);
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    if (db.open) db.close();
  });
}

export const sqlitePlugin = fp(dbPlugin, { name: '@c2c-kit/emulator-db', fastify: '5.x' });
