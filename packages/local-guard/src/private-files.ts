import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

// The local servers' data (the emulator's data dir, the vendor cloud's state file, what `c2c dev`
// writes) holds OAuth tokens, client and webhook secrets and key pairs: it is the developer's
// alone, like the rest of this package keeps the servers to them. What we create is 0700
// (directories) and 0600 (files), set with chmod after creation so the result does not depend on
// the umask. A directory that already existed keeps its mode (it may be a folder the user chose,
// shared on purpose); the servers tighten every file they own in it to 0600 on each start, so its
// contents stay private either way.

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
