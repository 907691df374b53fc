import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// CI reads the closing line `tests: N passed, N failed, N skipped`: a red file must never read as 0 failed.
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'tests/repo/fixtures/reporter');

it('counts failed tests, and a file that failed without a failed test as one failure', () => {
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', fixtures],
    { cwd: fixtures, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' } },
  );
  expect(run.status).not.toBe(0);
  // mixed: 1 passed, 1 failed, 1 skipped; hook-fails: 1 passed + the file; import-fails: the file.
  expect(run.stdout).toMatch(/^tests: 2 passed, 3 failed, 1 skipped$/m);
});
