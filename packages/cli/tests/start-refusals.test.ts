import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@c2c-kit/emulator';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin.js';

// The commands that start servers refuse, in one line with exit 2, what would expose the
// developer's local state: a data dir another process uses, an address the network reaches.
const root = mkdtempSync(join(tmpdir(), 'c2c-refusals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (text: string) => text.trim().split('\n');

describe('c2c emulator / vendor-cloud: listen address', () => {
  it('c2c emulator refuses a non-loopback --host without --allow-non-loopback', async () => {
    const r = await runBin(['emulator', '--memory', '--port', '0', '--host', '0.0.0.0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      'c2c: refusing to listen on 0.0.0.0: not a loopback address; add --allow-non-loopback to allow it',
    ]);
  }, 30_000);

  it('c2c vendor-cloud refuses a non-loopback --host without --allow-non-loopback', async () => {
    const r = await runBin(['vendor-cloud', '--port', '0', '--host', '192.0.2.1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      'c2c: host: refusing to listen on 192.0.2.1: not a loopback address; add --allow-non-loopback to allow it',
    ]);
  }, 30_000);
});

describe('c2c emulator / dev: one process per data dir', () => {
  it('refuse a data dir an emulator holds, in one line with exit 2', async () => {
    const dir = join(root, 'held');
    const holder = await startEmulator({ dataDir: dir });
    try {
      const inUse = `c2c: data dir ${dir} is in use by another emulator (pid ${process.pid}); stop it or use another --data-dir`;
      const emulator = await runBin(['emulator', '--port', '0', '--data-dir', dir]);
      expect(emulator.code).toBe(2);
      expect(lines(emulator.stderr)).toEqual([inUse]);

      const dev = await runBin(
        ['dev', '--data-dir', dir, '--port', '0', '--vendor-port', '0', '--dashboard-port', '0'],
        { timeoutMs: 60_000 },
      );
      expect(dev.code).toBe(2);
      expect(lines(dev.stderr)).toEqual([inUse]);
      // What c2c dev wrote before the emulator step (the webhook secret) is the developer's alone.
      expect(statSync(join(dir, 'dev-stack.json')).mode & 0o777).toBe(0o600);
    } finally {
      await holder.close();
    }
  }, 90_000);
});
