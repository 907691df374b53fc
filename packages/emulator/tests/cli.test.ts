import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCli, redactUrl } from '../src/cli.js';
import { parseFaults } from '../src/config.js';
import { EmulatorConfigError } from '../src/index.js';

const BIN = join(import.meta.dirname, '..', 'src', 'bin.ts');

describe('c2c-emulator flags', () => {
  it('parses every flag', () => {
    const o = parseCli([
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--allow-non-loopback',
      '--allowed-hosts',
      'devbox.local, emulator:4566',
      '--memory',
      '--access-key',
      'AKIAX',
      '--secret-key',
      's3cr3t',
      '--account-id',
      '123456789012',
      '--no-verify',
      '--faults',
      'throttle=0.2,error=0.05,latency=50ms',
      '--retain-events',
      '7d',
      '--kinesis-endpoint',
      'http://127.0.0.1:4567',
      '--region',
      'eu-west-1',
    ]);
    expect(o).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      allowNonLoopback: true,
      allowedHosts: ['devbox.local', 'emulator:4566'],
      memory: true,
      dataDir: undefined,
      verify: false,
      region: 'eu-west-1',
      faults: { throttle: 0.2, error: 0.05, latencyMs: 50 },
      retainEvents: { maxAgeMs: 604_800_000 },
      credentials: [{ accessKeyId: 'AKIAX', secretAccessKey: 's3cr3t', accountId: '123456789012' }],
      kinesisEndpoint: 'http://127.0.0.1:4567',
    });
    expect(parseCli(['--help'])).toBe('help');
  });

  it.each([
    [['--port', 'x'], /--port/],
    [['--port', '70000'], /--port/],
    [['--access-key', 'A'], /--secret-key/],
    [['--access-key', 'A', '--secret-key', 'B', '--credentials-file', 'f'], /--credentials-file/],
    [['--credentials-file', '/nonexistent/c2c-credentials.json'], /c2c-credentials\.json/],
    [['--memory', '--data-dir', '/tmp/x'], /--memory/],
    [['--faults', 'throttle=2'], /throttle/],
    [['--faults', 'latency=fast'], /latency/],
    [['--faults', 'boom=1'], /unknown key "boom"/],
    [['--retain-events', 'soon'], /--retain-events: expected a count/],
    [['--account-id', '12'], /--account-id/],
    [['--allowed-hosts', 'ok.local,http://x'], /--allowed-hosts: expected a host name/],
    [['--nope'], /nope/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(EmulatorConfigError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('exits 2 with a clear error on a bad flag, and 0 with --help', () => {
    const bad = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', BIN, '--port', 'abc'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port: expected 0-65535, got "abc"/);
    const help = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', BIN, '--help'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--faults');
  });
});

describe('parseFaults (property)', () => {
  it('round-trips any valid spec', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100 }),
        (t, e, l, h) => {
          const spec = `throttle=${t / 100},error=${e / 100},hang=${h / 100},latency=${l}ms`;
          expect(parseFaults(spec)).toEqual({
            throttle: t / 100,
            error: e / 100,
            latencyMs: l,
            hang: h / 100,
          });
        },
      ),
    );
  });

  it('never throws anything but EmulatorConfigError, and never accepts an out-of-range value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          const f = parseFaults(text);
          for (const p of [f.throttle, f.error, f.hang ?? 0]) expect(p >= 0 && p <= 1).toBe(true);
          expect(f.latencyMs >= 0).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(EmulatorConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('log redaction', () => {
  it('removes OAuth codes and presigned credentials from logged URLs', () => {
    expect(redactUrl('/_local/oauth/callback?code=abc&state=xyz')).toBe(
      '/_local/oauth/callback?code=[REDACTED]&state=[REDACTED]',
    );
    expect(redactUrl('/?X-Amz-Signature=deadbeef&X-Amz-Date=1')).toBe(
      '/?X-Amz-Signature=[REDACTED]&X-Amz-Date=1',
    );
  });
});
