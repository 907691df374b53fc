// Bounded growth of the emulator's stored events (`--retain-events`):
// - ingest at 16 in flight while the pruner works off a backlog (a data dir of BENCH_BACKLOG
//   events, kept to the newest 100,000): p99 and requests/s against the same data dir with
//   retention off, in the same run: pairs run back to back in alternating order, the figure the
//   median of the pairs' p99 ratios (single 5 s rounds' p99 on this VM moves by 2× between
//   minutes, on either side);
// - bytes on disk per stored event after ingest (the bench's 601-byte DEVICE_EVENT bodies);
// - the server's resident memory over a soak of BENCH_SOAK_SECONDS (default 600) of ingest at
//   16 in flight with the default retention, sampled every 5 s right after a forced full GC
//   (the server runs with --expose-gc): the median of the last minute within ± 10 % of the
//   median of the first minute after the warm-up (the first tenth, at least 60 s), and so is a
//   least-squares line through the samples; the RSS without a GC printed beside it; the data
//   dir's size at the end.
// Servers on CPU 0, generators on CPU 1, everything under os.tmpdir() and deleted at the end.
// Env: BENCH_DURATION (s, 5), BENCH_ROUNDS (5 pairs), BENCH_BACKLOG (2000000), BENCH_SOAK_SECONDS (600, at least 120).
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { seedLargeDb } from './fixtures/large-db.js';
import {
  inRoundOrder,
  type LoadResult,
  load,
  type MemoryUsage,
  median,
  medianOfPairs,
  memoryOf,
  serverStats,
  startServer,
  stop,
} from './fixtures/processes.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2_000_000);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const KEEP = 100_000;
// A minute of warm-up and a dozen post-GC samples after it at least.
if (!(SOAK_SECONDS >= 120)) throw new Error('BENCH_SOAK_SECONDS: at least 120 (seconds)');
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const dbSize = (dir: string) => statSync(join(dir, 'emulator.sqlite')).size;
/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const scratch = mkdtempSync(join(tmpdir(), 'emu-retention-'));
try {
  // Ingest while pruning vs with retention off, each round on a fresh copy of the backlog.
  const seeded = join(scratch, 'seeded');
  await seedLargeDb(seeded, { users: 10, thingsPerUser: 10, events: BACKLOG });
  const runs = { pruning: [] as LoadResult[], off: [] as LoadResult[] };
  const pruned: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = inRoundOrder(round, ['off', 'pruning'] as const);
    for (const side of order) {
      const dir = join(scratch, `${side}-${round}`);
      cpSync(seeded, dir, { recursive: true });
      const server = await startServer('emulator', dir, {
        retention: side === 'off' ? 'off' : String(KEEP),
      });
      try {
        runs[side].push(await load(server.port, { mode: 'ingest', concurrency: 16, duration }));
      } finally {
        await stop(server.child);
        rmSync(dir, { recursive: true, force: true });
      }
      if (side === 'pruning')
        pruned.push(serverStats<{ pruned: number }>(server, 'pruned')?.pruned ?? 0);
    }
    const off = runs.off[round] as LoadResult;
    const on = runs.pruning[round] as LoadResult;
    console.log(
      `  pair ${round + 1} (${order.join(' then ')}): p99 ${ms(off.p99)} off, ${ms(on.p99)} pruning → ${(on.p99 / off.p99).toFixed(2)}×`,
    );
  }
  const rps = (side: 'off' | 'pruning') => median(runs[side].map((r) => r.rps));
  const p99 = (side: 'off' | 'pruning') => median(runs[side].map((r) => r.p99));
  const pairP99 = medianOfPairs(runs.pruning, runs.off, (r) => r.p99);
  const failures = [...runs.off, ...runs.pruning].reduce((n, r) => n + r.non2xx + r.errors, 0);
  console.log(
    `ingest, 16 in flight, ${duration} s x ${rounds} pairs, on ${BACKLOG.toLocaleString()} stored events (medians; p99 while pruning ${pairP99.toFixed(2)}× off, median of the pairs):`,
  );
  console.log(
    `  retention off                 : ${rps('off').toFixed(0)} req/s, p99 ${ms(p99('off'))}`,
  );
  console.log(
    `  keeping ${KEEP.toLocaleString()}, pruning the rest: ${rps('pruning').toFixed(0)} req/s, p99 ${ms(p99('pruning'))}; rows pruned per run ${pruned.map((n) => n.toLocaleString()).join(', ')} (non-2xx/errors ${failures})`,
  );
  reportFigure({
    name: 'emulator: ingest p99 while pruning a backlog of stored events',
    value: `p99 ${ms(p99('pruning'))}, ${rps('pruning').toFixed(0)} req/s (${Math.min(...pruned).toLocaleString()}+ rows pruned meanwhile); median of ${rounds} pairs ${pairP99.toFixed(2)}×`,
    baseline: `retention off: p99 ${ms(p99('off'))}, ${rps('off').toFixed(0)} req/s`,
    goal: 'p99 ≤ 2×',
    met: failures === 0 && pairP99 <= 2,
  });

  // Bytes on disk per stored event: what a run of ingest adds to an empty data dir (retention
  // off; the server stopped each time, so the WAL is checkpointed into the file).
  const fresh = join(scratch, 'fresh');
  await stop((await startServer('emulator', fresh, { retention: 'off' })).child);
  const empty = dbSize(fresh);
  const ingestServer = await startServer('emulator', fresh, { retention: 'off' });
  try {
    // Long enough for tens of thousands of events: the file grows by whole pages.
    await load(ingestServer.port, {
      mode: 'ingest',
      concurrency: 16,
      duration: Math.max(duration, 10),
    });
  } finally {
    await stop(ingestServer.child);
  }
  const stored = serverStats<{ events: number }>(ingestServer, 'events')?.events ?? Number.NaN;
  const perEvent = (dbSize(fresh) - empty) / stored;
  console.log(
    `bytes on disk per stored event (601-byte bodies): ${perEvent.toFixed(0)} (${stored.toLocaleString()} events, ${mib(dbSize(fresh))})`,
  );
  rmSync(fresh, { recursive: true, force: true });

  // The soak with the default retention. Every 5 s the bench asks the server (over IPC, never
  // HTTP) for its memory as it is and again right after a forced full GC: the first swings with
  // where V8 is between two major GCs, the second is what is still live, and its drift is the
  // figure. Forcing a GC every 5 s also keeps V8 from growing its heap as far as it would alone.
  const soakDir = join(scratch, 'soak');
  const server = await startServer('emulator', soakDir, { ipc: true, nodeFlags: ['--expose-gc'] });
  const samples: Array<{ at: number; before: MemoryUsage; after: MemoryUsage }> = [];
  const started = Date.now();
  let asking = false;
  const sampler = setInterval(() => {
    if (asking) return;
    asking = true;
    const at = (Date.now() - started) / 1000;
    memoryOf(server).then((m) => {
      if (m?.after) samples.push({ at, before: m.before, after: m.after });
      asking = false;
    });
  }, 5_000);
  let sent = 0;
  let soakFailures = 0;
  try {
    while (Date.now() - started < SOAK_SECONDS * 1000) {
      const chunk = Math.min(30, Math.max(1, SOAK_SECONDS - (Date.now() - started) / 1000));
      const r = await load(server.port, {
        mode: 'ingest',
        concurrency: 16,
        duration: chunk.toFixed(0),
        warmup: 0,
      });
      sent += r.requests;
      soakFailures += r.non2xx + r.errors;
    }
  } finally {
    clearInterval(sampler);
    await stop(server.child);
  }
  const kept = serverStats<{ events: number; pruned: number }>(server, 'events');
  const finalBytes = dbSize(soakDir);
  rmSync(soakDir, { recursive: true, force: true });
  if (samples.length < 8)
    throw new Error(`soak: the server answered ${samples.length} memory samples`);
  // The first tenth, at least a minute, warms up (the store fills to the retention limit, caches
  // fill, and V8 usually lets go of pages it kept mapped from the start; a late release reads as a
  // drop, never as a climb); from then on the median of the first minute is the level, the
  // median of the last minute the end, and a least-squares line through every post-GC sample in
  // between says whether it climbs.
  const warmFrom = Math.max(60, SOAK_SECONDS / 10);
  const window = Math.min(60, (SOAK_SECONDS - warmFrom) / 4);
  const warm = samples.filter((x) => x.at >= warmFrom);
  const firstPart = warm.filter((x) => x.at < warmFrom + window);
  const lastPart = warm.filter((x) => x.at >= SOAK_SECONDS - window);
  const at = (pick: (x: (typeof samples)[number]) => number, part: typeof samples) =>
    median(part.map(pick));
  const rss = (x: (typeof samples)[number]) => x.after.rss;
  const heapUsed = (x: (typeof samples)[number]) => x.after.heapUsed;
  const level = at(rss, firstPart);
  const drift = (at(rss, lastPart) - level) / level;
  const climb = (slope(warm.map((x) => [x.at, rss(x)])) * (SOAK_SECONDS - warmFrom)) / level;
  const raw = warm.map((x) => x.before.rss);
  const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;
  const range = (xs: number[]) => `${mib(Math.min(...xs))}–${mib(Math.max(...xs))}`;
  const series = (pick: (x: (typeof samples)[number]) => number) =>
    samples.map((x) => (pick(x) / 2 ** 20).toFixed(0)).join(' ');
  const span = `${window.toFixed(0)} s`;
  console.log(
    `soak: ${SOAK_SECONDS} s of ingest at 16 in flight, default retention (${KEEP.toLocaleString()}): ${sent.toLocaleString()} events sent (non-2xx/errors ${soakFailures}), ${kept?.events.toLocaleString()} kept, ${kept?.pruned.toLocaleString()} pruned; data dir ${mib(finalBytes)} at the end`,
  );
  console.log(
    `  server RSS after a full GC, median of the first ${span} after ${warmFrom.toFixed(0)} s ${mib(level)}, of the last ${span} ${mib(at(rss, lastPart))} (${pct(drift)}); least-squares slope over the same samples ${pct(climb)} of the level over ${(SOAK_SECONDS - warmFrom).toFixed(0)} s; range ${range(warm.map(rss))}`,
  );
  console.log(
    `  V8 heap in use after a full GC: ${mib(at(heapUsed, firstPart))} → ${mib(at(heapUsed, lastPart))} (range ${range(warm.map(heapUsed))}); committed ${range(warm.map((x) => x.after.heapTotal))}; external ${range(warm.map((x) => x.after.external))}; the rest of the RSS (SQLite, the runtime) ${range(warm.map((x) => x.after.rss - x.after.heapTotal))}`,
  );
  console.log(
    `  without a GC (the moment before each forced one): RSS ${range(raw)}, V8 heap committed ${range(warm.map((x) => x.before.heapTotal))}, in use ${range(warm.map((x) => x.before.heapUsed))}`,
  );
  console.log(`  every 5 s, MiB: RSS after GC ${series(rss)}`);
  console.log(`                  RSS before it ${series((x) => x.before.rss)}`);
  console.log(`                  V8 heap in use after GC ${series(heapUsed)}`);
  console.log(`                  anonymous RSS after GC ${series((x) => x.after.anon ?? 0)}`);
  reportFigure({
    name: `emulator: server RSS after a full GC over a ${SOAK_SECONDS} s ingest soak, default retention`,
    value: `last ${span} ${mib(at(rss, lastPart))} (${pct(drift)}; least-squares slope ${pct(climb)}); without a GC ${range(raw)}; data dir ${mib(finalBytes)} at the end`,
    baseline: `first ${span} after ${warmFrom.toFixed(0)} s: ${mib(level)}`,
    goal: '± 10 %',
    met: soakFailures === 0 && Math.abs(drift) <= 0.1 && Math.abs(climb) <= 0.1,
  });
  reportFigure({
    name: 'emulator: bytes on disk per stored event (601-byte body)',
    value: `${perEvent.toFixed(0)} B`,
    baseline: '—',
    goal: '—',
    met: null,
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
