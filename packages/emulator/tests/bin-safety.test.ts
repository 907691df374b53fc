import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EmulatorBanner,
  exited,
  type SpawnedEmulator,
  spawnEmulator,
} from './helpers/spawn-bin.js';

const BIN = join(import.meta.dirname, '..', 'src', 'bin.ts');
const root = mkdtempSync(join(tmpdir(), 'c2c-emu-bin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs c2c-emulator to completion (for the refusals, which exit at once). */
function runBin(args: string[]) {
  return spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function listQueues(
  url: string,
  key: Pick<EmulatorBanner, 'accessKeyId' | 'secretAccessKey'>,
): Promise<number | undefined> {
  const { accessKeyId, secretAccessKey } = key;
  const sqs = new SQSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    return (await sqs.send(new ListQueuesCommand({}))).$metadata.httpStatusCode;
  } finally {
    sqs.destroy();
  }
}

/** Runs a c2c-emulator (with `--log-level warn`) for `use`, then stops it with SIGTERM. */
async function withEmulator(
  args: string[],
  use: (emu: SpawnedEmulator) => Promise<void>,
): Promise<void> {
  const emu = await spawnEmulator([...args, '--log-level', 'warn']);
  try {
    await use(emu);
  } finally {
    emu.child.kill('SIGTERM');
    await exited(emu.child);
  }
}

describe('c2c-emulator: one process per data dir', () => {
  it('a second process says so in one line and exits 2; after kill -9 the next one takes over', async () => {
    const dir = join(root, 'shared');
    const first = await spawnEmulator(['--data-dir', dir, '--log-level', 'warn']);
    const key = first.banner;
    try {
      expect(key.credentialsFile).toBe(join(dir, 'credentials.json'));
      expect(readFileSync(join(dir, 'emulator.lock'), 'utf8').trim()).toBe(String(first.child.pid));

      const second = runBin(['--port', '0', '--data-dir', dir]);
      expect(second.status).toBe(2);
      expect(second.stdout).toBe('');
      expect(second.stderr.trim().split('\n')).toEqual([
        `c2c-emulator: data dir ${dir} is in use by another emulator (pid ${first.child.pid}); stop it or use another --data-dir`,
      ]);
    } finally {
      first.child.kill('SIGKILL');
      await exited(first.child);
    }
    // The killed process left its lock behind; it names a dead process, so it is taken over.
    expect(existsSync(join(dir, 'emulator.lock'))).toBe(true);
    let exitCode: () => number | null = () => null;
    await withEmulator(['--data-dir', dir], async (third) => {
      exitCode = () => third.child.exitCode;
      const again = third.banner;
      // Same data dir, same key pair: SDKs configured on the first start keep working.
      expect(again.accessKeyId).toBe(key.accessKeyId);
      expect(again.secretAccessKey).toBe(key.secretAccessKey);
      expect(await listQueues(third.url, key)).toBe(200);
      expect(readFileSync(join(dir, 'emulator.lock'), 'utf8').trim()).toBe(String(third.child.pid));
    });
    // A clean exit gives the lock back.
    expect(exitCode()).toBe(0);
    expect(existsSync(join(dir, 'emulator.lock'))).toBe(false);
  }, 90_000);
});

describe('c2c-emulator: credentials', () => {
  it('in memory, prints a pair generated for this start, which signs', async () => {
    await withEmulator(['--memory'], async (emu) => {
      const key = emu.banner;
      expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(key.credentialsFile).toBeUndefined();
      expect(await listQueues(emu.url, key)).toBe(200);
    });
  }, 60_000);

  it('a key pair given by flag is used and its secret not printed', async () => {
    const args = [
      '--memory',
      '--access-key',
      'AKIAFLAGGIVEN0000001',
      '--secret-key',
      'flag-given-secret',
    ];
    await withEmulator(args, async (emu) => {
      const key = emu.banner;
      expect(key.accessKeyId).toBe('AKIAFLAGGIVEN0000001');
      expect(key.secretAccessKey).toBe('[REDACTED]');
      expect(emu.logs.join('\n')).not.toContain('flag-given-secret');
      expect(await listQueues(emu.url, { ...key, secretAccessKey: 'flag-given-secret' })).toBe(200);
    });
  }, 60_000);
});

describe('c2c-emulator: listen address', () => {
  it('refuses a non-loopback --host in one line, exit 2', () => {
    const r = runBin(['--memory', '--port', '0', '--host', '0.0.0.0']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'c2c-emulator: refusing to listen on 0.0.0.0: not a loopback address; add --allow-non-loopback to allow it',
    ]);
  }, 30_000);

  it('with --allow-non-loopback, warns that the local APIs are open to the network', async () => {
    await withEmulator(['--memory', '--host', '0.0.0.0', '--allow-non-loopback'], async (emu) => {
      // Reached over loopback only.
      expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${emu.url}/_local/health`)).status).toBe(200);
      expect(emu.logs.join('\n')).toContain(
        'c2c-emulator: warning: listening on 0.0.0.0: anyone on your network can reach the unsigned local APIs',
      );
    });
  }, 60_000);
});
