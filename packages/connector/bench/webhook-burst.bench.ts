// A webhook carrying 100 devices' events, each device's sent in order, the devices side by side
// over the client's keep-alive pool (its default size), against the emulator (its data dir seeded
// with the 100 registered things, emulator/bench/fixtures/large-db.ts). Same-run baselines: a
// webhook of one event, and a webhook of 100 events of one device, which go one after another
// (the order rule): the sequential figure. Emulator pinned to CPU 0, connector to CPU 1.
// Two runs: the emulator as it is on loopback, where a request costs only the two processes'
// CPU (so 100 requests cost about 100 times one, however they are sent), and with the emulator
// answering every SendConnectorEvent after 20 ms (`--faults latency=20ms`), a model of the
// service's round trip from Lambda, which is what sending side by side saves. The goal is read
// on the second.
// Env: BENCH_REPS (20 of each, after 5 warm-up rounds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { seedLargeDb } from '../../emulator/bench/fixtures/large-db.js';
import { startServer, stop } from '../../emulator/bench/fixtures/processes.js';
import { runGenerator } from './fixtures/common.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const reps = process.env.BENCH_REPS ?? '20';
const ms = (n: number) => `${n.toFixed(1)} ms`;
type Result = { single: number; burst: number; sequential: number; reps: number };

const dir = mkdtempSync(join(tmpdir(), 'c2c-burst-'));
try {
  await seedLargeDb(dir, { users: 10, thingsPerUser: 10, events: 0 });
  const runs: Record<string, Result> = {};
  for (const faults of ['', 'latency=20ms']) {
    const server = await startServer('emulator', dir, { retention: 'off', faults });
    try {
      runs[faults] = await runGenerator<Result>(
        here('./fixtures/fleet-load.ts'),
        ['--mode', 'burst', '--url', `http://127.0.0.1:${server.port}`, '--reps', reps],
        // Bounded: 100 events one by one at 20 ms each, 25 rounds.
        600_000,
      );
    } finally {
      await stop(server.child);
    }
  }
  for (const [faults, r] of Object.entries(runs)) {
    console.log(
      `webhook → connector → emulator${faults ? ' answering after 20 ms' : ' on loopback'}, wall time of one delivery (median of ${r.reps}):`,
    );
    console.log(`  1 event                                   : ${ms(r.single)}`);
    console.log(
      `  100 devices, one event each (side by side): ${ms(r.burst)} (${(r.burst / r.single).toFixed(2)}× one event)`,
    );
    console.log(
      `  100 events of one device (one by one)     : ${ms(r.sequential)} (${(r.sequential / r.burst).toFixed(1)}× the 100-device webhook)`,
    );
  }
  const r = runs['latency=20ms'] as Result;
  const loopback = runs[''] as Result;
  reportFigure({
    name: 'connector: webhook of 100 devices’ events, side by side (20 ms service round trip)',
    value: `${ms(r.burst)} (${(r.burst / r.single).toFixed(2)}×); one by one ${ms(r.sequential)}`,
    baseline: `1 event: ${ms(r.single)}`,
    goal: '≤ 3× one event',
    met: r.burst <= 3 * r.single,
  });
  reportFigure({
    name: 'connector: the same on loopback (CPU-bound)',
    value: `${ms(loopback.burst)} (${(loopback.burst / loopback.single).toFixed(1)}×); one by one ${ms(loopback.sequential)}`,
    baseline: `1 event: ${ms(loopback.single)}`,
    goal: '—',
    met: null,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
