import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin.js';

// `c2c dev --connector` with connectors that are not the reference one, through the real bin: a
// misconfiguration stops the start with the connector's own message, and the connector README's
// example runs under `c2c dev --demo` exactly as the README says to run it.
const root = mkdtempSync(join(tmpdir(), 'c2c-dev-connector-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Each run on free ports, in memory: several stacks may run on this machine at once. */
const ISOLATED = ['--memory', '--port', '0', '--vendor-port', '0', '--dashboard-port', '0'];

function module(name: string, source: string): string {
  const file = join(root, name);
  writeFileSync(file, source);
  return file;
}

describe('c2c dev --connector: misconfiguration is caught at start', () => {
  it('an empty webhook secret, in one line with exit 2, before anything starts', async () => {
    const fn = module('ok.mjs', 'export const handler = async () => ({ statusCode: 200 });\n');
    const r = await runBin([
      'dev',
      ...ISOLATED,
      '--connector',
      fn,
      '--webhook-secret-env',
      'MY_SECRET',
      '--env',
      'MY_SECRET= , ',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'c2c dev: MY_SECRET is empty (from --env): give the whsec_… secret, or leave it out and c2c dev generates one',
    );
    expect(r.stdout).not.toContain('✓ emulator');
  }, 30_000);

  it('no variable named for the webhook secret', async () => {
    const fn = module('bare.mjs', 'export const handler = async () => ({ statusCode: 200 });\n');
    const r = await runBin(['dev', ...ISOLATED, '--connector', fn]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "which variable holds the connector's webhook secret? give --webhook-secret-env NAME",
    );
  }, 30_000);

  /** Starts c2c dev with a connector module whose check must fail; returns its stderr. */
  async function failedCheck(name: string, source: string): Promise<string> {
    const fn = module(name, source);
    const r = await runBin(['dev', ...ISOLATED, '--connector', fn, '--webhook-secret-env', 'HOOK']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('step "connector check" failed');
    return r.stderr;
  }

  it('a handler export that is not there', async () => {
    const stderr = await failedCheck('wrong-export.mjs', 'export const main = async () => ({});\n');
    expect(stderr).toContain('Runtime.HandlerNotFound');
    expect(stderr).toContain('the module must export "handler"');
  }, 60_000);

  it('an import error, with its message intact', async () => {
    const message =
      'VENDOR_API_URL: required (your cloud\'s "base" URL, e.g. https://api.example.com/v1)!';
    const stderr = await failedCheck(
      'throws.mjs',
      `throw new Error(${JSON.stringify(message)});\n`,
    );
    expect(stderr).toContain('Runtime.ImportModuleError');
    expect(stderr).toContain(message);
  }, 60_000);

  it('a bad --log-level and a bad --env are usage errors', async () => {
    const level = await runBin(['dev', ...ISOLATED, '--log-level', 'loud']);
    expect(level.code).toBe(2);
    expect(level.stderr.split('\n')[0]).toBe(
      'c2c dev: --log-level: expected debug, info, warn, error, got "loud"',
    );
    const env = await runBin(['dev', ...ISOLATED, '--env', 'NO_EQUALS']);
    expect(env.code).toBe(2);
    expect(env.stderr.split('\n')[0]).toBe('c2c dev: --env: expected NAME=value, got "NO_EQUALS"');
  }, 30_000);
});

describe("the connector README's example under c2c dev", () => {
  it('runs as the README says, and --demo completes with its fan', async () => {
    const readme = readFileSync(join(REPO, 'packages/connector/README.md'), 'utf8');
    const command = /^npx c2c (dev --connector packages\/connector\/example\/\S+ .*--demo)$/m.exec(
      readme,
    )?.[1];
    expect(command, 'the README shows the c2c dev command').toBeDefined();
    const args = (command ?? '').split(' ');
    const r = await runBin([...args, ...ISOLATED, '--log-level', 'debug'], {
      cwd: REPO,
      timeoutMs: 90_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('▶ command fan: SendManagedThingCommand');
    expect(r.stdout).toContain('Demo complete: every step succeeded.');
    // The connector's own log under each invocation: discovery ACKed, then the queued work.
    expect(r.stdout).toMatch(/INFO {2}AWS\.DiscoverDevices +200 Device discovery started\./);
    expect(r.stdout).toMatch(/INFO {2}work: 1 item \(discover\) +done/);
    expect(r.stdout).toMatch(/^ {4}info {2}event sent .*operation=DEVICE_DISCOVERY/m);
    expect(r.stdout).toMatch(/INFO {2}webhook POST \/ +202 accepted/);
  }, 120_000);
});
