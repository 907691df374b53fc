// SendConnectorEvent ingest (SigV4 verify + validate + persist with group commits + relay)
// against a bare Fastify POST route, measured in the same run. Server pinned to CPU 0, load
// generator to CPU 1 (taskset), loopback only, every run bounded in time and count.
// Env: BENCH_DURATION (s, default 5), BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 16).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigure } from '../../../scripts/bench-figure.js';
import {
  type LoadResult,
  load,
  median,
  PINNED,
  serverStats,
  startServer,
  stop,
} from './fixtures/processes.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

const results: Record<'bare' | 'emulator', LoadResult[]> = { bare: [], emulator: [] };
const cpu: Record<'bare' | 'emulator', number[]> = { bare: [], emulator: [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of ['bare', 'emulator'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'emu-bench-'));
    const server = await startServer(mode, dir);
    try {
      results[mode].push(
        await load(server.port, {
          mode: 'ingest',
          connector: server.connectorId ?? 'abc123',
          concurrency,
          duration,
        }),
      );
    } finally {
      await stop(server.child);
      const s = serverStats<{
        cpuUsPerRequest: number;
        userUsPerRequest?: number;
        batches?: number;
        units?: number;
        events?: number;
      }>(server, 'cpuUsPerRequest');
      if (s !== undefined) {
        cpu[mode].push(s.cpuUsPerRequest);
        const extra =
          mode === 'emulator'
            ? `, ${s.events} events persisted in ${s.batches} commits (avg batch ${((s.units ?? 0) / Math.max(1, s.batches ?? 0)).toFixed(1)})`
            : '';
        console.log(
          `  ${mode} round ${round + 1}: ${s.cpuUsPerRequest.toFixed(1)} µs server CPU/request (user ${(s.userUsPerRequest ?? 0).toFixed(1)} µs)${extra}`,
        );
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const fmt = (r: LoadResult[]) => {
  const rps = median(r.map((x) => x.rps));
  return {
    rps,
    p50: median(r.map((x) => x.p50)),
    p99: median(r.map((x) => x.p99)),
    non2xx: r.reduce((a, x) => a + x.non2xx + x.errors, 0),
  };
};
const bare = fmt(results.bare);
const emu = fmt(results.emulator);
console.log(
  `SendConnectorEvent ingest, ${concurrency} in flight, ${duration}s x ${rounds} rounds, pinned=${PINNED}`,
);
console.log(
  `  bare Fastify POST route : ${bare.rps.toFixed(0)} req/s  p50 ${bare.p50.toFixed(2)} ms  p99 ${bare.p99.toFixed(2)} ms  non-2xx/errors ${bare.non2xx}`,
);
console.log(
  `  emulator ingest         : ${emu.rps.toFixed(0)} req/s  p50 ${emu.p50.toFixed(2)} ms  p99 ${emu.p99.toFixed(2)} ms  non-2xx/errors ${emu.non2xx}`,
);
console.log(
  `  ratio emulator/bare     : ${((emu.rps / bare.rps) * 100).toFixed(1)}%  (goal >= 50%, p99 <= 10 ms)`,
);
const bareCpu = median(cpu.bare);
const emuCpu = median(cpu.emulator);
console.log(
  `  server CPU per request  : bare ${bareCpu.toFixed(1)} µs, emulator ${emuCpu.toFixed(1)} µs → capacity ratio ${((bareCpu / emuCpu) * 100).toFixed(1)}% (robust to CPU contention from other processes)`,
);
reportFigure({
  name: 'emulator: SendConnectorEvent ingest, 16 in flight',
  value: `${emu.rps.toFixed(0)} req/s, p99 ${emu.p99.toFixed(1)} ms`,
  baseline: `bare Fastify ${bare.rps.toFixed(0)} req/s`,
  goal: '≥ 50 %, p99 ≤ 10 ms',
  met: emu.non2xx === 0 && emu.rps >= 0.5 * bare.rps && emu.p99 <= 10,
});
