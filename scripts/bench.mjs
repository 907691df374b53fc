#!/usr/bin/env node
// Runs every benchmark (`packages/*/bench/*.bench.ts`, `examples/*/bench/*.bench.ts`) one after
// another, each in its own Node process so one cannot warm or pollute another, then prints one
// table of every figure the benchmarks reported (`::figure::` lines, scripts/bench-figure.ts)
// with its same-run baseline, its goal and whether it was met.
// Usage: npm run bench [-- <substring filter>]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const FIGURE_PREFIX = '::figure:: ';
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

/** Runs one bench, echoing its output; resolves with its exit status and the figures it reported. */
function runBench(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['inherit', 'pipe', 'inherit'],
      cwd: root,
    });
    const figures = [];
    let buffer = '';
    const take = (line) => {
      if (line.startsWith(FIGURE_PREFIX)) {
        try {
          figures.push(JSON.parse(line.slice(FIGURE_PREFIX.length)));
          return;
        } catch {
          // not a figure after all: print it as it came
        }
      }
      process.stdout.write(`${line}\n`);
    };
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        take(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    });
    child.on('close', (status, signal) => {
      if (buffer !== '') take(buffer);
      resolve({ status: status ?? signal, figures });
    });
  });
}

/** A Markdown table (pipes in cells escaped), so it pastes into docs/benchmarks.md as is. */
function table(rows) {
  const head = ['Figure', 'Value', 'Same-run baseline', 'Goal', 'Status'];
  const cell = (text) => String(text).replaceAll('|', '\\|');
  const lines = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

let failed = 0;
const summary = [];
for (const file of files) {
  const name = file.slice(root.length);
  console.log(`\n## ${name}\n`);
  const { status, figures } = await runBench(file);
  if (status !== 0) {
    failed++;
    console.error(`bench: ${name} exited with ${status}`);
    summary.push([name, `exited with ${status}`, '—', '—', 'NOT MET']);
  }
  for (const f of figures) {
    summary.push([
      f.name,
      f.value,
      f.baseline,
      f.goal,
      f.met === null ? '—' : f.met ? 'met' : 'NOT MET',
    ]);
  }
}
if (summary.length > 0) {
  console.log(`\n## Summary\n\n${table(summary)}`);
  const missed = summary.filter((r) => r[4] !== 'met' && r[4] !== '—').length;
  console.log(`\n${summary.length} figures, ${missed} goal${missed === 1 ? '' : 's'} not met`);
}
process.exit(failed === 0 ? 0 : 1);
