import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProcess, waitForLine } from '@c2c-kit/testing/processes';
import { describe, expect, it } from 'vitest';
import { buildVendorCloud, VendorConfigError } from '../src/index.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const run = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('c2c-vendor-cloud bin', () => {
  it('prints help and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--webhook-url');
    expect(r.stdout).toContain('--state-file');
  });

  it('rejects bad options with exit code 2 and a clear message', () => {
    const port = run(['--port', 'abc']);
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port: expected an integer from 0 to 65535, got "abc"');
  });

  it('rejects a malformed webhook secret without echoing it: one line, exit 2', () => {
    const r = run(['--port', '0', '--webhook-secret', 'not-a-secret']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^webhookSecret: expected/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toContain('not-a-secret');
    // The library refuses it the same way, with a typed error.
    expect(() => buildVendorCloud({ webhookSecret: 'not-a-secret' })).toThrow(VendorConfigError);
  });

  it('serves until SIGTERM, then exits 0', async () => {
    const started = startProcess(process.execPath, ['--import', 'tsx', BIN, '--port', '0'], {
      timeoutMs: 30_000,
    });
    try {
      const [, url] = await waitForLine(started, /listening on (http:\/\/127\.0\.0\.1:\d+)/, {
        timeoutMs: 20_000,
      });
      const health = await fetch(`${url}/_sim/health`);
      expect(await health.json()).toEqual({ ok: true });
      started.child.kill('SIGTERM');
      expect(await started.exited).toMatchObject({ code: 0, timedOut: false });
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });
});
