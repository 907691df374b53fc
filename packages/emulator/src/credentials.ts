import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile, ensurePrivateDir, tightenFile } from '@c2c-kit/local-guard';
import { type EmulatorCredential, generateCredentials } from './config.js';
import { type DataDirLock, lockDataDir } from './dataDir.js';
import { EmulatorConfigError } from './errors.js';

/** The data directory's key pair: `{"accessKeyId": "AKIA…", "secretAccessKey": "…"}`, mode 0600. */
export const CREDENTIALS_FILE_NAME = 'credentials.json';

export interface OpenedDataDir extends DataDirLock {
  /** The key pairs SigV4 accepts: the given ones, or the generated / stored pair. */
  readonly credentials: readonly EmulatorCredential[];
}

/**
 * Prepares what the emulator keeps outside SQLite: with a data dir, creates it (0700), takes its
 * lock and loads or creates its key pair; in memory, generates a key pair for this start only.
 * `release()` gives the lock back (on close).
 */
export function openDataDir(
  dataDir: string | undefined,
  options: { credentials: readonly EmulatorCredential[] | undefined; accountId: string },
): OpenedDataDir {
  if (dataDir === undefined) {
    return {
      credentials: options.credentials ?? [generateCredentials(options.accountId)],
      release() {},
    };
  }
  ensurePrivateDir(dataDir);
  const lock = lockDataDir(dataDir);
  try {
    return {
      credentials: options.credentials ?? [loadOrCreateCredentials(dataDir, options.accountId)],
      release: () => lock.release(),
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The data directory's key pair for `accountId`: read from `credentials.json`, or generated and
 * written there on the first start. The account is not stored: it is not a secret, and
 * `--account-id` may change it without changing the key.
 */
export function loadOrCreateCredentials(dataDir: string, accountId: string): EmulatorCredential {
  const file = join(dataDir, CREDENTIALS_FILE_NAME);
  const fresh = generateCredentials(accountId);
  const pair = { accessKeyId: fresh.accessKeyId, secretAccessKey: fresh.secretAccessKey };
  if (createPrivateFile(file, `${JSON.stringify(pair, null, 2)}\n`)) return fresh;
  tightenFile(file);
  return { ...readCredentialsFile(file), accountId };
}

/** Reads a key-pair file (`credentials.json` form); the error names the file and the field. */
export function readCredentialsFile(
  file: string,
): Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not valid JSON' : (error as Error).message;
    throw new EmulatorConfigError(`credentials file ${file}: ${reason}`, { cause: error });
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  for (const field of ['accessKeyId', 'secretAccessKey'] as const) {
    const value = record[field];
    if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
      throw new EmulatorConfigError(
        `credentials file ${file}: expected "${field}" to be a non-empty string without spaces`,
      );
    }
  }
  return {
    accessKeyId: record.accessKeyId as string,
    secretAccessKey: record.secretAccessKey as string,
  };
}
