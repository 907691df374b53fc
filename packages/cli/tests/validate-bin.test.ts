import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runBin } from './helpers/bin.js';

describe('c2c validate (real bin, child process)', () => {
  it('accepts the seed DEVICE_EVENT (made valid JSON) and summarises it', async () => {
    const result = await runBin(['validate', join(FIXTURES, 'seed-device-event.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'valid\nDEVICE_EVENT device=Your_Device_Id endpoint 1: FanControl.FanMode = High (3)\n',
    );
  });

  it('rejects the literal seed text with a line/column parse error, no stack trace', async () => {
    const result = await runBin(['validate', join(FIXTURES, 'seed-literal.txt')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not valid JSON');
    expect(result.stdout).toMatch(/line 2, column \d+/);
    expect(result.stdout).toContain('None');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('prints every error with its field path, expected and got', async () => {
    const result = await runBin(['validate', join(FIXTURES, 'bad-cluster.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(2 errors)');
    expect(result.stdout).toMatch(/^ {2}StatusCode: expected .*got 999$/m);
    expect(result.stdout).toMatch(/^ {2}MatterEndpoint\.clusters\[0\]\.id: expected .*got "fan"$/m);
  });

  it('checks attribute values against the Matter model', async () => {
    const result = await runBin(['validate', join(FIXTURES, 'bad-value.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/MatterEndpoint\.clusters\[0\]\.attributes.*FanModeEnum.*got 42/);
  });

  it('reads standard input with "-" and prints JSON with --json', async () => {
    const body = JSON.stringify({
      Operation: 'DEVICE_EVENT',
      ConnectorDeviceId: 'cam-1',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0406', attributes: { '0x0000': 1 } }] },
    });
    const result = await runBin(['validate', '--json', '-'], { stdin: body });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { valid: boolean; summary: string; file: string };
    expect(report.valid).toBe(true);
    expect(report.file).toBe('<stdin>');
    expect(report.summary).toMatch(
      /^DEVICE_EVENT device=cam-1 endpoint 1: OccupancySensing\.Occupancy = /,
    );
  });

  it('--json on invalid input lists the issues and exits 1', async () => {
    const result = await runBin(['validate', '--json', join(FIXTURES, 'bad-cluster.json')]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; issues: Array<{ path: string }> };
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => i.path)).toEqual([
      'StatusCode',
      'MatterEndpoint.clusters[0].id',
    ]);
  });

  it('validates a connector invoke envelope, detected by shape, never printing the token', async () => {
    const text = await runBin(['validate', join(FIXTURES, 'invoke-send-command.json')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      'valid\nAWS.SendCommand connector=acme-connector auth=OAuth2.0 device=fan-1 trace=9b75f3839b6140f=_1 endpoint 1: FanControl.FanMode = High (3)\n',
    );
    const json = await runBin(['validate', '--json', join(FIXTURES, 'invoke-send-command.json')]);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('secret-access-token-123');
    expect(JSON.parse(json.stdout).value.header.auth.token).toBe('<redacted>');
    const bad = await runBin(['validate', '-'], {
      stdin:
        '{"header":{"auth":{"token":"tok-xyz","type":"OAuth2.0"}},"payload":{"operationName":"AWS.Nope"}}',
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^ {2}payload\.operationName: expected one of .*got "AWS\.Nope"$/m);
    expect(bad.stdout).not.toContain('tok-xyz');
  });

  it('unknown flags are a usage error: one clear line on stderr, exit 2', async () => {
    const result = await runBin(['validate', '--bogus', 'x.json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('c2c validate: unknown option --bogus');
    expect(result.stderr).toContain('c2c validate --help');
  });

  it('a missing file is a clear error, exit 1', async () => {
    const result = await runBin(['validate', 'does-not-exist.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('c2c: cannot read does-not-exist.json: no such file\n');
  });

  it("c2c emulator rejects bad flags with the emulator's own messages, exit 2", async () => {
    const cases: Array<[string[], string]> = [
      [
        ['--faults', 'boom=1'],
        '--faults: unknown key "boom" (expected throttle, error, hang or latency)',
      ],
      [['--faults', 'throttle=2'], '--faults throttle: expected a probability between 0 and 1'],
      [['--port', 'x'], '--port: expected 0-65535, got "x"'],
      [['--memory', '--data-dir', 'd'], '--memory and --data-dir cannot be combined'],
      [['--log-level', 'loud'], '--log-level: expected fatal|error|warn|info|debug, got "loud"'],
      [['--bogus'], 'unknown option --bogus'],
    ];
    for (const [args, message] of cases) {
      const result = await runBin(['emulator', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(`c2c emulator: ${message}`);
    }
  });

  it('every command has --help; an unknown command exits 2', async () => {
    for (const command of ['validate', 'dev', 'emulator', 'vendor-cloud']) {
      const help = await runBin([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: c2c ${command}`));
    }
    const unknown = await runBin(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
