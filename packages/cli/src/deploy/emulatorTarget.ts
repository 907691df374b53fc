import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

// Where a running emulator is and how to sign to it: the same answers for `c2c deploy --local`
// and `c2c test --deployed`, so a test reaches what the deploy made.

/** The emulator `c2c emulator` runs when AWS_ENDPOINT_URL does not say otherwise. */
export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:4566';

/** The data directory `c2c emulator` keeps its key pair in, relative to where it was started. */
export const DEFAULT_EMULATOR_DATA_DIR = '.c2c/emulator';

export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** `--endpoint <url>`, else AWS_ENDPOINT_URL, else the default; an http(s) URL or a usage error. */
export function emulatorEndpoint(
  command: string,
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const endpoint = given ?? env.AWS_ENDPOINT_URL ?? DEFAULT_EMULATOR_URL;
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new UsageError(command, `--endpoint: expected an http(s) URL, got "${endpoint}"`);
  }
  return endpoint.replace(/\/+$/, '');
}

/** `--region`, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function emulatorRegion(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return given ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The key pair to sign with: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN)
 * when both are set, else the one `c2c emulator` keeps in `dataDir`; undefined when neither.
 */
export async function emulatorCredentials(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): Promise<EmulatorCredentials | undefined> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  const { readCredentialsFile, CREDENTIALS_FILE_NAME } = await import('@c2c-kit/emulator');
  const file = join(dataDir, CREDENTIALS_FILE_NAME);
  return existsSync(file) ? readCredentialsFile(file) : undefined;
}

/** What to do when `emulatorCredentials` found none. */
export function noCredentialsHint(): string {
  return 'export the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "c2c emulator" printed, or give --data-dir of an emulator that keeps credentials.json';
}
