import { LOOSE_BOUNDS } from '@c2c-kit/testing';
import type { ConformanceReport } from '../../src/conformance/types.js';
import { PACKAGE_DIR, runCliInProcess } from '../helpers/bin.js';

export { LOOSE_BOUNDS };

/** The reference connector's variables, as its package.json's "c2c" section gives them. */
export const ACME = [
  '--webhook-secret-env',
  'ACME_WEBHOOK_SECRET',
  '--vendor-url-env',
  'ACME_API_URL',
  '--env',
  'ACME_CLIENT_ID={{oauthClientId}}',
  '--env',
  'ACME_CLIENT_SECRET={{oauthClientSecret}}',
];

/**
 * `c2c test --json` in this process (the connector still runs in the Lambda host's workers), so
 * the suite's own code counts in the coverage run; the real bin is tested in reference.test.ts.
 * Returns the report and the ids failed and not run.
 */
export async function conformance(
  connector: string,
  extra: readonly string[] = [],
  flags: readonly string[] = ACME,
  bounds: readonly string[] = LOOSE_BOUNDS,
) {
  const r = await runCliInProcess(
    ['test', '--connector', connector, ...flags, ...bounds, '--json', ...extra],
    {
      cwd: PACKAGE_DIR,
      env: process.env,
    },
  );
  let report: ConformanceReport | undefined;
  try {
    report = JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const ids = (status: string) =>
    report.results.filter((x) => x.status === status).map((x) => x.id);
  return { code: r.code, report, failed: ids('fail'), notRun: ids('not run'), stderr: r.stderr };
}
