// Conformance suite wall time: `c2c test` (the built bin, as a user runs it) against the reference
// connector, every check, from process start to exit — next to the local stack's start time
// measured in the same run (each report gives it), the part of the wall no check can avoid.
// Bounded: RUNS runs, each killed after 180 s.
// Run: npm run build && npm run bench -- conformance

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.C2C_BENCH_RUNS ?? 3);
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const ACME = fileURLToPath(new URL('../../../examples/acme-connector', import.meta.url));

interface Report {
  durationMs: number;
  stackStartMs: number;
  summary: { passed: number; failed: number; notRun: number; ran: number };
}

function once(): Promise<{ wallMs: number; report: Report }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'test', '--connector', ACME, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      try {
        resolve({ wallMs, report: JSON.parse(out) as Report });
      } catch {
        reject(new Error(`c2c test exited ${code} without a report: ${err.slice(0, 500)}`));
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const runs: Array<{ wallMs: number; report: Report }> = [];
for (let i = 0; i < RUNS; i += 1) runs.push(await once());
for (const r of runs) {
  if (r.report.summary.failed > 0 || r.report.summary.notRun > 0) {
    console.log(`warning: a run did not pass every check: ${JSON.stringify(r.report.summary)}`);
  }
}
const wall = median(runs.map((r) => r.wallMs));
const stack = median(runs.map((r) => r.report.stackStartMs));
const checks = median(runs.map((r) => r.report.durationMs));
console.log(
  `c2c test --connector examples/acme-connector, ${runs[0]?.report.summary.ran} checks, ${RUNS} runs (median)`,
);
console.log('| measure | median | runs |');
console.log('|---|---|---|');
console.log(
  `| wall, process start to exit | ${s(wall)} | ${runs.map((r) => s(r.wallMs)).join(', ')} |`,
);
console.log(
  `| baseline: local stack start (same runs) | ${s(stack)} | ${runs.map((r) => s(r.report.stackStartMs)).join(', ')} |`,
);
console.log(
  `| the checks themselves | ${s(checks)} | ${runs.map((r) => s(r.report.durationMs)).join(', ')} |`,
);
console.log(`wall / stack start: ${(wall / stack).toFixed(1)}×`);
