import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs cfn-lint (python, on the machine image; .ci/run refuses to start without it) on templates.
 * W3005 is ignored: CDK's Function always adds a DependsOn on its role next to the GetAtt of the
 * role's ARN, and cfn-lint calls that redundant. Any other finding, informational included, fails.
 */
export function cfnLint(templates: Record<string, unknown>): {
  status: number | null;
  output: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'c2c-cfn-lint-'));
  const files = Object.entries(templates).map(([name, template]) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));
    return file;
  });
  const run = spawnSync(
    'cfn-lint',
    [
      '--format',
      'parseable',
      '--non-zero-exit-code',
      'informational',
      '--ignore-checks',
      'W3005',
      '--',
      ...files,
    ],
    { encoding: 'utf8' },
  );
  if (run.error) throw new Error(`cfn-lint could not run: ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
