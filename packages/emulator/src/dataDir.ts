import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile } from '@c2c-kit/local-guard';
import { DataDirInUseError } from './errors.js';

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
