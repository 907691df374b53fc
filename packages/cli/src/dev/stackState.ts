import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type FaultConfig, faultIssues } from '@c2c-kit/emulator';
import { tightenFile, writePrivateFile } from '@c2c-kit/local-guard';
import { UsageError } from '../errors.js';

// What the dev stack keeps between starts on one data directory, and the settings it derives
// from its own installation: the pieces of `startDevStack` that are not a start-up step.

/** The file in the data directory that keeps the stack's own settings between starts. */
export const DEV_STATE_FILE = 'dev-stack.json';

export interface PersistedDevState {
  /** Standard Webhooks secret shared by the vendor cloud and the connector. */
  webhookSecret: string;
}

/**
 * The data directory's saved state, or a fresh one (written there, 0600, when there is a data
 * directory; kept in memory otherwise).
 */
export async function loadOrCreateState(dataDir: string | undefined): Promise<PersistedDevState> {
  const fresh = (): PersistedDevState => ({
    webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
  });
  if (dataDir === undefined) return fresh();
  const file = join(dataDir, DEV_STATE_FILE);
  if (existsSync(file)) {
    // Only this user may read it (0600, also when an older version wrote it wider): it holds
    // the webhook signing secret.
    tightenFile(file);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<PersistedDevState>;
    if (typeof parsed.webhookSecret === 'string') return { webhookSecret: parsed.webhookSecret };
  }
  const state = fresh();
  writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/**
 * `C2C_STORE_SQLITE_MODULE`: the built SQLite store of the stack's own `@c2c-kit/connector`, so a
 * connector without SQLite of its own (a `c2c init` project needs no native module) can still
 * share `C2C_STORE_SQLITE_PATH` across its workers. Left out when that build is not there.
 */
export function sqliteStoreModule(): { C2C_STORE_SQLITE_MODULE?: string } {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve('@c2c-kit/connector')));
    while (!existsSync(join(dir, 'package.json'))) {
      if (dirname(dir) === dir) return {};
      dir = dirname(dir);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      exports?: Record<string, { default?: string }>;
    };
    const target = manifest.exports?.['./sqlite']?.default;
    const file = target === undefined ? undefined : join(dir, target);
    return file && existsSync(file) ? { C2C_STORE_SQLITE_MODULE: pathToFileURL(file).href } : {};
  } catch {
    return {};
  }
}

/**
 * The emulator reads its fault settings from its shared config object on every request, so
 * changing its fields takes effect at once (the handlers keep a reference to the same object).
 */
export function setEmulatorFaults(target: FaultConfig, faults: Partial<FaultConfig>): void {
  const [issue] = faultIssues(faults);
  if (issue !== undefined) throw new UsageError('dev', `setFaults ${issue}`);
  Object.assign(target, faults);
}
