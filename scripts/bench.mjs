#!/usr/bin/env node
// Runs every benchmark (`packages/*/bench/*.bench.ts`, `examples/*/bench/*.bench.ts`) one after
// another, each in its own Node process so one cannot warm or pollute another.
// Usage: npm run bench [-- <substring filter>]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2] ?? '';
const files = [];
for (const group of ['packages', 'examples']) {
  for (const pkg of readdirSync(join(root, group), { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const dir = join(root, group, pkg.name, 'bench');
    let entries = [];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of entries.sort()) {
      if (f.endsWith('.bench.ts') && join(group, pkg.name, f).includes(filter)) {
        files.push(join(dir, f));
      }
    }
  }
}
if (files.length === 0) {
  console.error(`bench: no benchmark matches "${filter}"`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file.slice(root.length)}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    cwd: root,
  });
  if (run.status !== 0) {
    failed++;
    console.error(`bench: ${file.slice(root.length)} exited with ${run.status ?? run.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
