// Bounded growth of the emulator's stored events (`--retain-events`):
// - ingest at 16 in flight while the pruner works off a backlog (a data dir of BENCH_BACKLOG
//   events, kept to the newest 100,000): p99 and requests/s against the same data dir with
//   retention off, in the same run, rounds alternating;
// - bytes on disk per stored event after ingest (the bench's 601-byte DEVICE_EVENT bodies);
// - the server's resident memory over a soak of BENCH_SOAK_SECONDS (default 600) of ingest at
//   16 in flight with the default retention, sampled every 5 s: flat within ± 10 % of its level
//   after the first tenth of the soak, and the data dir's size at the end.
// Servers on CPU 0, generators on CPU 1, everything under os.tmpdir() and deleted at the end.
// Env: BENCH_DURATION (s, 5), BENCH_ROUNDS (2), BENCH_BACKLOG (2000000), BENCH_SOAK_SECONDS (600).
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { seedLargeDb } from './fixtures/large-db.js';
import {
  type LoadResult,
  load,
  median,
  rssOf,
  serverStats,
  startServer,
  stop,
} from './fixtures/processes.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2_000_000);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const KEEP = 100_000;
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const dbSize = (dir: string) => statSync(join(dir, 'emulator.sqlite')).size;

const scratch = mkdtempSync(join(tmpdir(), 'emu-retention-'));
try {
  // Ingest while pruning vs with retention off, each round on a fresh copy of the backlog.
  const seeded = join(scratch, 'seeded');
  await seedLargeDb(seeded, { users: 10, thingsPerUser: 10, events: BACKLOG });
  const runs = { pruning: [] as LoadResult[], off: [] as LoadResult[] };
  const pruned: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const side of ['off', 'pruning'] as const) {
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
  }
  const rps = (side: 'off' | 'pruning') => median(runs[side].map((r) => r.rps));
  const p99 = (side: 'off' | 'pruning') => median(runs[side].map((r) => r.p99));
  const failures = [...runs.off, ...runs.pruning].reduce((n, r) => n + r.non2xx + r.errors, 0);
  console.log(
    `ingest, 16 in flight, ${duration} s x ${rounds} rounds, on ${BACKLOG.toLocaleString()} stored events:`,
  );
  console.log(
    `  retention off                 : ${rps('off').toFixed(0)} req/s, p99 ${ms(p99('off'))}`,
  );
  console.log(
    `  keeping ${KEEP.toLocaleString()}, pruning the rest: ${rps('pruning').toFixed(0)} req/s, p99 ${ms(p99('pruning'))}; rows pruned per run ${pruned.map((n) => n.toLocaleString()).join(', ')} (non-2xx/errors ${failures})`,
  );
  reportFigure({
    name: 'emulator: ingest p99 while pruning a backlog of stored events',
    value: `p99 ${ms(p99('pruning'))}, ${rps('pruning').toFixed(0)} req/s (${Math.min(...pruned).toLocaleString()}+ rows pruned meanwhile)`,
    baseline: `retention off: p99 ${ms(p99('off'))}, ${rps('off').toFixed(0)} req/s`,
    goal: 'p99 ≤ 2×',
    met: failures === 0 && p99('pruning') <= 2 * p99('off'),
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

  // The soak with the default retention.
  const soakDir = join(scratch, 'soak');
  const server = await startServer('emulator', soakDir);
  const samples: Array<{ at: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = rssOf(server.child.pid as number);
    if (rss !== undefined) samples.push({ at: (Date.now() - started) / 1000, rss });
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
  const kept = serverStats<{
    events: number;
    pruned: number;
    memory: Array<{ rss: number; heap: number; external: number }>;
  }>(server, 'events');
  const finalBytes = dbSize(soakDir);
  rmSync(soakDir, { recursive: true, force: true });
  const warm = samples.filter((s) => s.at >= SOAK_SECONDS / 10);
  const level = warm[0]?.rss ?? Number.NaN;
  const lo = Math.min(...warm.map((s) => s.rss));
  const hi = Math.max(...warm.map((s) => s.rss));
  const drift = Math.max(hi - level, level - lo) / level;
  console.log(
    `soak: ${SOAK_SECONDS} s of ingest at 16 in flight, default retention (${KEEP.toLocaleString()}): ${sent.toLocaleString()} events sent (non-2xx/errors ${soakFailures}), ${kept?.events.toLocaleString()} kept, ${kept?.pruned.toLocaleString()} pruned; data dir ${mib(finalBytes)} at the end`,
  );
  console.log(
    `  server RSS after the first tenth ${mib(level)}, then between ${mib(lo)} and ${mib(hi)} (drift ${(drift * 100).toFixed(1)} %); every 5 s: ${samples.map((s) => (s.rss / 2 ** 20).toFixed(0)).join(' ')} MiB`,
  );
  // The same samples split by the server itself: V8's heap (committed) vs the rest of the RSS.
  const inside = kept?.memory ?? [];
  const range = (xs: number[]) => `${mib(Math.min(...xs))}–${mib(Math.max(...xs))}`;
  console.log(
    `  inside the server over the soak: V8 heap ${range(inside.map((m) => m.heap))}, external ${range(inside.map((m) => m.external))}, the rest of the RSS ${range(inside.map((m) => m.rss - m.heap))}`,
  );
  reportFigure({
    name: `emulator: server RSS over a ${SOAK_SECONDS} s ingest soak, default retention`,
    value: `${mib(lo)}–${mib(hi)} (drift ${(drift * 100).toFixed(1)} %); data dir ${mib(finalBytes)} at the end`,
    baseline: `after the first tenth: ${mib(level)}`,
    goal: '± 10 %',
    met: soakFailures === 0 && drift <= 0.1,
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
