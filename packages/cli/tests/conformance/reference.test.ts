import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/conformance/catalog.js';
import { runBin } from '../helpers/bin.js';
import { conformance, LOOSE_BOUNDS } from './run.js';

// The reference connector passes every check, through the real bin as a user runs it: the line
// per check, the summary, the JUnit file; --only runs a part (and what it needs) and reports only
// that part; bad flags are usage errors before anything starts.

const ACME_DIR = fileURLToPath(new URL('../../../../examples/acme-connector', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'c2c-test-reference-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('c2c test on the reference connector', () => {
  it('passes every check: a line each, the summary, and a JUnit report', async () => {
    const junit = join(root, 'conformance.xml');
    const r = await runBin(['test', ...LOOSE_BOUNDS, '--junit', junit], {
      cwd: ACME_DIR,
      timeoutMs: 150_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const check of CHECKS) {
      expect(r.stdout).toMatch(
        new RegExp(`^pass {4}${check.id.replaceAll('.', '\\.')} +\\d+ ms$`, 'm'),
      );
    }
    expect(r.stdout).toMatch(
      new RegExp(
        `^${CHECKS.length} of ${CHECKS.length} checks ran: ${CHECKS.length} passed, 0 failed, 0 not run \\(`,
        'm',
      ),
    );
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`tests="${CHECKS.length}" failures="0" skipped="0"`);
    expect(xml.match(/<testcase /g)?.length).toBe(CHECKS.length);
  }, 180_000);

  it('--only runs what it names (and what that needs) and reports only it', async () => {
    const run = await conformance(ACME_DIR, ['--only', 'contract.cold-start,security.secrets'], []);
    expect(run.report.results.map((r) => r.id)).toEqual([
      'contract.cold-start',
      'security.secrets-in-logs',
    ]);
    expect(run.report.summary).toEqual({ passed: 2, failed: 0, notRun: 0, ran: 2 });
    expect(run.code).toBe(0);
  }, 120_000);
});

describe('c2c test usage errors', () => {
  const usage = async (args: string[], first: RegExp) => {
    const r = await runBin(['test', ...args], { cwd: ACME_DIR });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(first);
    expect(r.stdout).toBe('');
  };

  it('an id no check has', () =>
    usage(
      ['--only', 'contract,nope'],
      /^c2c test: no check matches "nope" \(ids: contract\.cold-start, /,
    ));

  it('a bound that is not milliseconds', () =>
    usage(
      ['--ack-ms', 'soon'],
      /^c2c test: --ack-ms: expected milliseconds from 1 to 3600000, got "soon"$/,
    ));

  it('a directory that is not a connector project', async () => {
    const r = await runBin(['test'], {
      cwd: fileURLToPath(new URL('./fixtures/', import.meta.url)),
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^c2c test: --connector: .*package\.json has no "c2c" section/,
    );
    expect(r.stderr).toContain('Run "c2c test --help" for usage.');
  });

  it('--help', async () => {
    const r = await runBin(['test', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: c2c test \[options\]/);
    expect(r.stdout).toContain('docs/conformance.md');
  });
});
