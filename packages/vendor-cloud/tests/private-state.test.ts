import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitForLine } from '@c2c-kit/testing/processes';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startVendorCloud, VendorConfigError } from '../src/index.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'vendor-private-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('state file modes', () => {
  // With umask 0 a plain create gives 0666 files and 0777 directories: the modes must be set.
  let saved: number;
  beforeEach(() => {
    saved = process.umask(0);
  });
  afterEach(() => {
    process.umask(saved);
  });

  it('creates the state file 0600 and its missing directories 0700, whatever the umask', async () => {
    const file = join(root, 'fresh', 'nested', 'vendor-cloud.json');
    const cloud = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    await cloud.close();
    expect(mode(file)).toBe(0o600);
    expect(mode(join(root, 'fresh'))).toBe(0o700);
    expect(mode(join(root, 'fresh', 'nested'))).toBe(0o700);
  });

  it('tightens a state file an older version left readable, keeping the directory it is in', async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const file = join(dir, 'vendor-cloud.json');
    writeFileSync(file, JSON.stringify({ version: 1, savedAt: '', tokens: [], devices: [] }));
    chmodSync(file, 0o644);
    const cloud = await startVendorCloud({ stateFile: file, tickIntervalMs: 0 });
    try {
      expect(mode(file)).toBe(0o600);
    } finally {
      await cloud.close();
    }
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o755);
  });
});

describe('listen address', () => {
  it('startVendorCloud refuses a non-loopback host unless allowNonLoopback says so', async () => {
    await expect(startVendorCloud({ host: '0.0.0.0' })).rejects.toThrow(VendorConfigError);
    await expect(startVendorCloud({ host: '::' })).rejects.toThrow(/not a loopback address/);
  });

  it('c2c-vendor-cloud refuses --host 0.0.0.0 in one line, exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', BIN, '--host', '0.0.0.0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'host: refusing to listen on 0.0.0.0: not a loopback address; add --allow-non-loopback to allow it',
    ]);
  });

  it('c2c-vendor-cloud --allow-non-loopback warns, and serves (reached via 127.0.0.1)', async () => {
    const started = startProcess(
      process.execPath,
      ['--import', 'tsx', BIN, '--port', '0', '--host', '0.0.0.0', '--allow-non-loopback'],
      { timeoutMs: 30_000 },
    );
    try {
      const [, port] = await waitForLine(started, /listening on http:\/\/[^:]+:(\d+)/, {
        timeoutMs: 20_000,
      });
      const health = await fetch(`http://127.0.0.1:${port}/oauth/authorize`);
      expect(health.status).toBeLessThan(500);
      expect(started.stderr()).toContain(
        'c2c-vendor-cloud: warning: listening on 0.0.0.0: anyone on your network can reach the unauthenticated simulation API (/_sim)',
      );
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 30_000);
});
