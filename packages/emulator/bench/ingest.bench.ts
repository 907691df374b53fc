// SendConnectorEvent ingest (SigV4 verify + validate + persist with group commits + relay)
// against a bare Fastify POST route, measured in the same run. Server pinned to CPU 0, load
// generator to CPU 1 (taskset), loopback only, every run bounded in time and count.
// Env: BENCH_DURATION (s, default 5), BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 16).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const duration = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function pinned(cpu: number, args: string[]): [string, string[]] {
  return pin ? ['taskset', ['-c', String(cpu), ...args]] : [args[0] as string, args.slice(1)];
}

async function startServer(mode: 'bare' | 'emulator', dataDir: string) {
  const [cmd, args] = pinned(0, [
    process.execPath,
    '--import',
    'tsx',
    join(here, 'ingest-server.ts'),
    mode,
    dataDir,
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const ready = await new Promise<{ port: number; connectorId?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start`)), 30_000);
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.includes('"ready":true')) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
        nl = buf.indexOf('\n');
      }
    });
  });
  return { child, lines, ...ready };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function load(port: number, connectorId: string): LoadResult {
  const [cmd, args] = pinned(1, [
    process.execPath,
    '--import',
    'tsx',
    join(here, 'ingest-load.ts'),
    String(port),
    connectorId,
    String(concurrency),
    String(duration),
    '1',
  ]);
  const run = spawnSync(cmd, args, { encoding: 'utf8', timeout: (duration + 60) * 1000 });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{'))
    throw new Error(`load generator failed: ${run.stderr}`);
  return JSON.parse(line) as LoadResult;
}

const results: Record<'bare' | 'emulator', LoadResult[]> = { bare: [], emulator: [] };
const cpu: Record<'bare' | 'emulator', number[]> = { bare: [], emulator: [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of ['bare', 'emulator'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'emu-bench-'));
    const server = await startServer(mode, dir);
    try {
      results[mode].push(load(server.port, server.connectorId ?? 'abc123'));
    } finally {
      await stop(server.child);
      const line = server.lines.find((l) => l.includes('"cpuUsPerRequest"'));
      if (line !== undefined) {
        const s = JSON.parse(line) as {
          cpuUsPerRequest: number;
          userUsPerRequest?: number;
          batches?: number;
          units?: number;
          events?: number;
        };
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
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
  `SendConnectorEvent ingest, ${concurrency} in flight, ${duration}s x ${rounds} rounds, pinned=${pin}`,
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
