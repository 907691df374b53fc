// Type-checks every package's tests and benchmarks (`<package>/tests/tsconfig.json`), the chaos
// suite (`chaos/tsconfig.json`) and the repository's own tests (`tests/tsconfig.json`), which
// `tsc -b` does not build: vitest and tsx strip types without checking them.
// Usage: node scripts/typecheck-tests.mjs
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const projects = ['packages', 'examples']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name, 'tests')))
  .concat(['chaos', 'packages/testing', 'tests'])
  .filter((dir) => existsSync(join(root, dir, 'tsconfig.json')));

/** Runs one project's check; resolves with its output and whether it passed. */
function check(dir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '-p', dir], { cwd: root });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ dir, ok: code === 0, output }));
  });
}

// Two at a time: the machines have two cores.
const results = [];
const queue = [...projects];
await Promise.all(
  [0, 1].map(async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      results.push(await check(dir));
    }
  }),
);
let failed = 0;
for (const { dir, ok, output } of results.sort((a, b) => a.dir.localeCompare(b.dir))) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${dir}`);
  if (!ok) {
    failed++;
    process.stdout.write(output);
  }
}
if (failed > 0) {
  console.error(`typecheck:tests: ${failed} of ${results.length} projects have type errors`);
  process.exit(1);
}
