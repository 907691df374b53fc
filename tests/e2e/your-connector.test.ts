import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The road a device maker takes, every step a real process: `c2c init` a project, `npm install`
// it (the c2c-kit tarballs it packed plus the registry), its own `npm test`, then
// `c2c dev --connector <project> --demo`, with the connector's log in the terminal, and
// `c2c test --connector <project>`. One install for the whole file.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'packages/cli/src/bin.ts');
const TSX = import.meta.resolve('tsx');
const root = mkdtempSync(join(tmpdir(), 'c2c-your-connector-'));
const project = join(root, 'my-connector');
/** A secret the test gives the connector, to check it never reaches the terminal. */
const SECRET = 'whsec_dGVzdC1zZWNyZXQtdGhhdC1tdXN0LW5vdC1sZWFr';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The c2c bin on the current sources, as `npx c2c` runs it after a build. */
const c2c = (args: readonly string[], cwd: string, timeoutMs = 60_000) =>
  run(process.execPath, ['--conditions=source', '--import', TSX, BIN, ...args], cwd, timeoutMs);

let init: Run;
let install: Run;
let unitTests: Run;
let dev: Run;
let conformance: Run;

describe('c2c init → npm install → npm test → c2c dev --demo → c2c test', () => {
  beforeAll(async () => {
    init = await c2c(['init', project, '--devices', 'light,lock'], root);
    install = await run('npm', ['install', '--no-audit', '--no-fund'], project, 240_000);
    unitTests = await run('npm', ['test'], project, 120_000);
    dev = await c2c(
      [
        'dev',
        '--connector',
        project,
        '--demo',
        '--memory',
        '--port',
        '0',
        '--vendor-port',
        '0',
        '--dashboard-port',
        '0',
        '--env',
        `VENDOR_WEBHOOK_SECRET=${SECRET}`,
      ],
      REPO,
      120_000,
    );
    // Loose time bounds: the verdict must not depend on this machine's speed under load.
    conformance = await c2c(
      [
        'test',
        '--connector',
        project,
        '--ack-ms',
        '10000',
        '--event-latency-ms',
        '20000',
        '--json',
      ],
      REPO,
      180_000,
    );
  }, 660_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('init writes the project', () => {
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  });

  it('the project installs from its packed tarballs and the registry', () => {
    expect(install.code, install.stderr).toBe(0);
  });

  it('the project passes its own npm test', () => {
    expect(unitTests.code, `${unitTests.stdout}\n${unitTests.stderr}`).toBe(0);
    expect(unitTests.stdout).toMatch(/Tests +\d+ passed/);
  });

  it('c2c dev --demo completes with the generated connector and its devices', () => {
    expect(dev.stderr).toBe('');
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('✓ connector build        my-connector');
    expect(dev.stdout).toContain('✓ 2 managed things; device kinds: light, lock');
    expect(dev.stdout).toContain(
      '▶ command light: SendManagedThingCommand: Desk lamp (light) OnOff.On',
    );
    expect(dev.stdout).toContain(
      '▶ command lock: SendManagedThingCommand: Front door lock (lock) DoorLock.UnlockDoor',
    );
    expect(dev.stdout).toMatch(/▶ device event: Vendor cloud: \w+ on (light|lock)-1/);
    expect(dev.stdout).toContain('Demo complete: every step succeeded.');
  });

  it('c2c test: the generated connector passes every conformance check', () => {
    const report = JSON.parse(conformance.stdout) as {
      results: Array<{ id: string; status: string; reason?: string }>;
    };
    const notPassed = report.results.filter((r) => r.status !== 'pass');
    expect(notPassed, conformance.stderr).toEqual([]);
    expect(conformance.code).toBe(0);
  });

  it("prints the connector's log: each invocation, and its own lines under it", () => {
    expect(dev.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}AWS\.ActivateUser +200 /m);
    expect(dev.stdout).toMatch(
      /INFO {2}AWS\.SendCommand lock-1 +200 Command received\. {2}\(\d+ ms, req [0-9a-f]{8}\)/,
    );
    expect(dev.stdout).toMatch(/INFO {2}work: 1 item \(command\) +done/);
    expect(dev.stdout).toMatch(/^ {4}info {2}vendor devices listed .*devices=2 kinds=light,lock/m);
    expect(dev.stdout).toMatch(/^ {4}info {2}vendor command .*command=unlock deviceKind=lock/m);
  });

  it('says where the secret is, never what it is', () => {
    expect(dev.stdout).toContain('VENDOR_WEBHOOK_SECRET=(webhook secret, from --env)');
    expect(dev.stdout).toMatch(/VENDOR_API_URL=http:\/\/127\.0\.0\.1:\d+ {3}\(the vendor cloud\)/);
    expect(dev.stdout).not.toContain(SECRET);
    expect(dev.stdout).not.toContain(SECRET.slice('whsec_'.length));
  });
});
