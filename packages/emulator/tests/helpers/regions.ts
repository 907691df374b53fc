import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { OTHER_ACCOUNT_CREDENTIALS, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import type { EmulatorCredential, RunningEmulator } from '../../src/index.js';
import { startEmulator } from '../../src/index.js';

/** The two regions the region tests use, and the account of `TEST_CREDENTIALS`. */
export const EAST = 'us-east-1';
export const WEST = 'eu-west-1';
export const ACCOUNT = TEST_CREDENTIALS.accountId;

/** A file under `tests/fixtures/`. */
export const fixture = (path: string): string =>
  fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));

/** The JSON lines a fixture function wrote to `file` (none when it wrote nothing yet). */
export const jsonLines = (file: string): Array<Record<string, unknown>> =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

/**
 * For a test file: an emulator on a data dir with two accounts (`TEST_CREDENTIALS` and
 * `OTHER_ACCOUNT_CREDENTIALS`), started before the file's tests and removed after them, with real
 * SDK clients per region over its socket. Read `emu` inside tests; `restart()` reopens the same
 * data dir.
 */
export function useRegionalEmulator() {
  const dir = mkdtempSync(join(tmpdir(), 'c2c-regions-'));
  const credentials = [TEST_CREDENTIALS, OTHER_ACCOUNT_CREDENTIALS];
  let emu: RunningEmulator | undefined;
  const opened: Array<{ destroy(): void }> = [];
  const running = (): RunningEmulator => {
    if (emu === undefined) throw new Error('the emulator starts in beforeAll');
    return emu;
  };
  beforeAll(async () => {
    emu = await startEmulator({ dataDir: join(dir, 'data'), credentials });
  });
  afterAll(async () => {
    for (const c of opened) c.destroy();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function clientConfig(region: string, as: EmulatorCredential) {
    return {
      endpoint: running().url,
      region,
      credentials: { accessKeyId: as.accessKeyId, secretAccessKey: as.secretAccessKey },
    };
  }

  return {
    /** A scratch directory of the file (removed after it). */
    dir,
    get emu(): RunningEmulator {
      return running();
    },
    /** SDK clients of one region (and account), destroyed after the test file. */
    clients(region: string, as: EmulatorCredential = TEST_CREDENTIALS) {
      const set = {
        lambda: new LambdaClient(clientConfig(region, as)),
        sqs: new SQSClient(clientConfig(region, as)),
        sm: new SecretsManagerClient(clientConfig(region, as)),
      };
      opened.push(set.lambda, set.sqs, set.sm);
      return set;
    },
    /** Registers a function through the emulator's unsigned tool API, as `c2c dev` does. */
    async register(body: Record<string, unknown>): Promise<Record<string, string>> {
      const res = await fetch(`${running().url}/_local/functions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, string>;
      expect(res.status, JSON.stringify(json)).toBe(201);
      return json;
    },
    /** Closes the emulator and starts it again on the same data dir. */
    async restart(): Promise<void> {
      await running().close();
      emu = await startEmulator({ dataDir: join(dir, 'data'), credentials });
    },
  };
}

/** Invokes the echo fixture function and returns what it saw. */
export async function invokeEcho(lambda: LambdaClient, name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
  return JSON.parse(Buffer.from(out.Payload ?? []).toString()) as {
    env: Record<string, string | undefined>;
    context: { invokedFunctionArn: string };
  };
}
