// Signed client vs a naive connector, against the same bare route, in the same run.
// Server pinned to CPU 0, generator to CPU 1, separate processes (perf-anchors.md method).
// Calibration in the same run: perf-anchors' row 1a (autocannon → the same bare route) and its
// reference client, to put the figure on the scale of the machine the goals were set on.
import { fileURLToPath } from 'node:url';
import { reportFigure } from '../../../scripts/bench-figure.js';
import {
  ANCHORS,
  type AnchorRun,
  median,
  runAnchor,
  runGenerator,
  startBareServer,
} from './fixtures/common.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DURATION = process.env.BENCH_DURATION ?? '5';
const REPS = Number(process.env.BENCH_REPS ?? 2);

const server = await startBareServer();
const port = server.port;

type Run = {
  mode: string;
  perSecond: number;
  cpuUsPerEvent: number;
  p50ms: number;
  p99ms: number;
  errors: number;
};
const runs: Run[] = [];
const anchors: AnchorRun[] = [];
try {
  for (let rep = 0; rep < REPS; rep++) {
    anchors.push(await runAnchor(port, DURATION));
    for (const mode of ['naive', 'reference', 'floor', 'good']) {
      runs.push(
        await runGenerator<Run>(here('./fixtures/client-load.ts'), [
          '--mode',
          mode,
          '--port',
          port,
          '--duration',
          DURATION,
        ]),
      );
    }
  }
} finally {
  server.stop();
}
const by = (mode: string) => runs.filter((r) => r.mode === mode);
const good = median(by('good').map((r) => r.perSecond));
const naive = median(by('naive').map((r) => r.perSecond));
console.log(
  '| client (16 in flight, 601 B DEVICE_EVENT) | events/s (median) | client CPU µs/event | p50 ms | p99 ms | errors |',
);
console.log('|---|---|---|---|---|---|');
const LABELS: Record<string, string> = {
  naive: 'naive: aws4 + undici fetch, new connection per event',
  reference: 'reference: bare smithy sign + undici Pool (perf-anchors "good", no validation)',
  floor:
    'floor: raw node:net sockets, one pre-signed request written, the response read (no client at all)',
  good: 'ConnectorEventsClient (validate + @smithy/signature-v4 canonicalisation + keep-alive HTTP/1.1 pool + retries)',
};
for (const mode of ['naive', 'reference', 'floor', 'good']) {
  const rs = by(mode);
  console.log(
    `| ${LABELS[mode]} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} | ${median(rs.map((r) => r.cpuUsPerEvent)).toFixed(1)} | ${median(rs.map((r) => r.p50ms)).toFixed(2)} | ${median(rs.map((r) => r.p99ms)).toFixed(2)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`,
  );
}
const cpu = (mode: string) => median(by(mode).map((r) => r.cpuUsPerEvent));
console.log(
  `\nratio good/naive: ${(good / naive).toFixed(1)}× (goal ≥ 10×); client CPU goal ≤ 50 µs/event: ` +
    `${cpu('good').toFixed(1)} µs, of which ${cpu('floor').toFixed(1)} µs is this machine's floor ` +
    `for one request/response right now and ${(cpu('good') - cpu('floor')).toFixed(1)} µs the client's own work`,
);
const bare = median(anchors.map((a) => a.perSecond));
const slower = ANCHORS.bareFastifyPerSecond / bare;
const byReference = ANCHORS.referenceClientUs / cpu('reference');
console.log(
  `\ncalibration (same run): perf-anchors row 1a (autocannon c16 → bare route) ${bare.toFixed(0)} req/s ` +
    `here vs ${ANCHORS.bareFastifyPerSecond} on the anchors' machine (${slower.toFixed(2)}× slower; ` +
    `${anchors.reduce((a, r) => a + r.errors + r.non2xx, 0)} errors); the anchors' reference client ` +
    `${cpu('reference').toFixed(1)} µs here vs ${ANCHORS.referenceClientUs} µs there.\n` +
    `client CPU on the anchors' machine (goal ≤ 50 µs/event): ${(cpu('good') * byReference).toFixed(1)} µs ` +
    `scaled by the reference client, ${(cpu('good') / slower).toFixed(1)} µs scaled by row 1a`,
);
reportFigure({
  name: 'connector: ConnectorEventsClient, 16 in flight',
  value: `${good.toFixed(0)} events/s, ${cpu('good').toFixed(1)} µs CPU/event (${(cpu('good') * byReference).toFixed(1)} µs on the anchors' scale)`,
  baseline: `naive ${naive.toFixed(0)} /s`,
  goal: '≥ 10× naive, ≤ 50 µs/event scaled',
  met: good >= 10 * naive && cpu('good') * byReference <= 50,
});
