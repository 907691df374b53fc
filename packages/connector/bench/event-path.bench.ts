// The whole event path against the running emulator: webhook verify → translate → validate →
// sign → send, 16 in flight; baseline in the same run: the signed client alone sending the same
// DEVICE_EVENTs. Emulator pinned to CPU 0, generator to CPU 1, separate processes.
// Calibration in the same run: perf-anchors' row 1a (autocannon → a bare Fastify route), which
// scales events/s to the machine the 10,000 events/s goal was set on.
import { fileURLToPath } from 'node:url';
import { reportFigure } from '../../../scripts/bench-figure.js';
import {
  ANCHORS,
  type AnchorRun,
  median,
  pinned,
  runAnchor,
  runGenerator,
  spawnLine,
  startBareServer,
} from './fixtures/common.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DURATION = process.env.BENCH_DURATION ?? '5';
const REPS = Number(process.env.BENCH_REPS ?? 2);

const [scmd, sargs] = pinned(0, [
  process.execPath,
  '--import',
  'tsx',
  here('./fixtures/emulator-stack.ts'),
]);
const server = await spawnLine(scmd, sargs);
type Run = {
  mode: string;
  perSecond: number;
  cpuUsPerEvent: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  firstError: string;
};
const runs: Run[] = [];
const anchors: AnchorRun[] = [];
try {
  for (let rep = 0; rep < REPS; rep++) {
    // The emulator idles meanwhile (same core as the bare route, like every server here).
    const bare = await startBareServer();
    try {
      anchors.push(await runAnchor(bare.port, DURATION));
    } finally {
      bare.stop();
    }
    for (const mode of ['client', 'path']) {
      runs.push(
        await runGenerator<Run>(here('./fixtures/event-path-load.ts'), [
          '--mode',
          mode,
          '--stack',
          server.line,
          '--duration',
          DURATION,
        ]),
      );
    }
  }
} finally {
  server.child.kill('SIGTERM');
}
console.log(
  '| 16 in flight → emulator (SigV4 verify + validate + SQLite) | events/s (median) | generator CPU µs/event | p50 ms | p99 ms | errors |',
);
console.log('|---|---|---|---|---|---|');
for (const mode of ['client', 'path']) {
  const rs = runs.filter((r) => r.mode === mode);
  const label =
    mode === 'path'
      ? 'whole event path: handler(Function URL webhook) → verify → translate → validate → sign → send'
      : 'baseline: ConnectorEventsClient alone, same DEVICE_EVENTs';
  console.log(
    `| ${label} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} | ${median(rs.map((r) => r.cpuUsPerEvent)).toFixed(1)} | ${median(rs.map((r) => r.p50ms)).toFixed(2)} | ${median(rs.map((r) => r.p99ms)).toFixed(2)} | ${rs.reduce((a, r) => a + r.errors, 0)}${rs.find((r) => r.firstError)?.firstError ? ` (${rs.find((r) => r.firstError)?.firstError})` : ''} |`,
  );
}
const path = median(runs.filter((r) => r.mode === 'path').map((r) => r.perSecond));
const base = median(runs.filter((r) => r.mode === 'client').map((r) => r.perSecond));
const bare = median(anchors.map((a) => a.perSecond));
const slower = ANCHORS.bareFastifyPerSecond / bare;
console.log(
  `\nevent path / client alone: ${(path / base).toFixed(2)}; goal ≥ 10,000 events/s end to end\n` +
    `calibration (same run): perf-anchors row 1a (autocannon c16 → bare route) ${bare.toFixed(0)} req/s ` +
    `here vs ${ANCHORS.bareFastifyPerSecond} on the anchors' machine (${slower.toFixed(2)}× slower; ` +
    `${anchors.reduce((a, r) => a + r.errors + r.non2xx, 0)} errors) → event path on the anchors' ` +
    `machine ≈ ${(path * slower).toFixed(0)} events/s; the event path is ${((100 * path) / bare).toFixed(1)} % ` +
    `of the bare route's requests/s here`,
);
reportFigure({
  name: 'connector: whole event path (webhook → verify → translate → validate → sign → send)',
  value: `${path.toFixed(0)} events/s (≈ ${(path * slower).toFixed(0)} on the anchors' scale)`,
  baseline: `client alone ${base.toFixed(0)} /s`,
  goal: '≥ 10,000 /s',
  met: path >= 10_000 || path * slower >= 10_000,
});
