import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataDirInUseError } from './errors.js';

// A data directory holds OAuth tokens, client and webhook secrets and the emulator's key pair: it
// is the developer's alone. What we create there is 0700 (directories) and 0600 (files), set with
// chmod after creation so the result does not depend on the umask. A directory that already
// existed keeps its mode (it may be a folder the user chose, shared on purpose); every file we
// own in it is tightened to 0600 on each start, so its contents stay private either way.

/**
 * Creates `dir` and its missing parents as 0700. Returns whether `dir` was created; an existing
 * directory is left as it is.
 */
export function ensurePrivateDir(dir: string): boolean {
  const target = resolve(dir);
  const first = mkdirSync(target, { recursive: true, mode: 0o700 });
  if (first === undefined) return false;
  // mkdir's mode is masked by the umask (0o700 & ~umask may be 0o500): set it exactly on each
  // directory this call created, from `dir` up to the first one.
  for (let d = target; ; d = dirname(d)) {
    chmodSync(d, 0o700);
    if (d === first || d === dirname(d)) break;
  }
  return true;
}

/** Writes `content` to a new 0600 temporary file next to `path`; returns its name. */
function writeTemp(path: string, content: string): string {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, content);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  return tmp;
}

/** Replaces `path` atomically with a 0600 file holding `content` (readers see old or new). */
export function writePrivateFile(path: string, content: string): void {
  const tmp = writeTemp(path, content);
  try {
    renameSync(tmp, path);
  } catch (error) {
    unlinkSync(tmp);
    throw error;
  }
}

/**
 * Creates `path` as a 0600 file holding `content`, complete or not at all; `false` when the file
 * already exists (another process created it first).
 */
export function createPrivateFile(path: string, content: string): boolean {
  const tmp = writeTemp(path, content);
  try {
    // link() fails with EEXIST instead of replacing: an exclusive create that never exposes a
    // half-written file.
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/** Sets an existing file we own to 0600 (a file from an older version may be wider). */
export function tightenFile(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export const LOCK_FILE_NAME = 'emulator.lock';

export interface DataDirLock {
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

function readPid(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet still answers kill(0); on Linux its state
  // (after the command name in /proc/<pid>/stat) says it is a zombie.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Takes `<dir>/emulator.lock` (created exclusively, holding our pid), or throws DataDirInUseError
 * naming the live process that holds it. A lock whose process is gone (kill -9, a crash) is taken
 * over. The lock gives the clear message; SQLite's exclusive file lock (plugins/db.ts) remains the
 * guarantee if two starts race on a stale lock.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createPrivateFile(file, `${process.pid}\n`)) {
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          if (readPid(file) === process.pid) unlinkSync(file);
        },
      };
    }
    const holder = readPid(file);
    if (holder !== undefined && isAlive(holder)) throw new DataDirInUseError(dir, holder);
    // Stale (its process is gone) or unreadable: remove it and try again.
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirInUseError(dir, readPid(file));
}
