// Start-up of c2c-emulator, spawn → first 200 on /_local/health, on an empty data dir and on one
// holding 10,000,000 stored events and 100,000 managed things (seeded in bulk under os.tmpdir()
// by fixtures/large-db.ts, deleted at the end; retention off), next to two same-run baselines:
// a bare node:http server started the same way (the floor Node itself sets on this machine) and
// the program unbundled (dist/bin.js, what the bin ran before scripts/bundle-bin.mjs). The bin
// runs with its V8 code cache (what every start after the first makes), and on the empty dir
// also without it (the first start after a build or a Node upgrade). Then
// `startEmulator({ memory: true })` until its promise resolves, in a process that has already
// imported the package (as a test file has).
// Every round runs each program once per data dir, the order alternating, so a slow moment of
// this shared machine hits every side; medians of the rounds, with the CPU time each process had
// used when it first answered (less sensitive to the load than the wall time) and the load average.
// Where NODE_EXTRA_CA_CERTS is set (as on the machines these figures come from), Node reads and
// parses that whole CA bundle before it runs any code; the bin and the bare server also run
// without it, so the figures show what Node's environment costs apart from the program's own.
// Env: BENCH_EVENTS (10000000), BENCH_STARTUP_ROUNDS (7).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { seedLargeDb } from './fixtures/large-db.js';
import { inRoundOrder, median } from './fixtures/processes.js';
import { type Startup, timeStartup } from './fixtures/startup.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
const pkg = join(import.meta.dirname, '..');
const PROGRAMS = {
  bin: join(pkg, 'bin', 'c2c-emulator.js'),
  'bin, no code cache': join(pkg, 'bin', 'c2c-emulator.js'),
  unbundled: join(pkg, 'dist', 'bin.js'),
  bare: join(import.meta.dirname, 'fixtures', 'bare-server.mjs'),
  'bin, no extra CA': join(pkg, 'bin', 'c2c-emulator.js'),
  'bare, no extra CA': join(import.meta.dirname, 'fixtures', 'bare-server.mjs'),
} as const;
type Program = keyof typeof PROGRAMS;
const { NODE_EXTRA_CA_CERTS: extraCa, ...withoutExtraCa } = process.env;
const envOf = (program: Program) =>
  program.endsWith('no extra CA') ? withoutExtraCa : process.env;
type Dir = 'empty' | 'large';

const scratch = mkdtempSync(join(tmpdir(), 'emu-startup-'));
const large = join(scratch, 'large');
const ms = (n: number) => `${n.toFixed(0)} ms`;
const millions =
  EVENTS >= 1e6 ? `${(EVENTS / 1e6).toFixed(0)} M-event` : `${EVENTS.toLocaleString()}-event`;

try {
  const seeded = await seedLargeDb(large, { users: 10_000, thingsPerUser: 10, events: EVENTS });
  console.log(
    `seeded ${seeded.things.toLocaleString()} things and ${EVENTS.toLocaleString()} events in ${seeded.seconds.toFixed(1)} s (${(seeded.bytes / 2 ** 30).toFixed(1)} GiB)`,
  );

  // The bin's code cache, as a start that ran past its first 2 s leaves it.
  const dist = join(pkg, 'dist');
  const codeCaches = () => readdirSync(dist).filter((f) => f.endsWith('.v8cache'));
  for (const f of codeCaches()) rmSync(join(dist, f));
  spawnSync(process.execPath, [PROGRAMS.bin, '--memory', '--port', '0', '--log-level', 'silent'], {
    timeout: 5000,
  });
  const [cacheName] = codeCaches();
  if (cacheName === undefined) throw new Error('c2c-emulator left no code cache in dist/');
  const codeCache = readFileSync(join(dist, cacheName));

  const runs = new Map<string, Startup[]>();
  const loads: number[] = [loadavg()[0] ?? 0];
  const sides: [Program, Dir][] = [
    ['bin', 'empty'],
    ['bin, no code cache', 'empty'],
    ['unbundled', 'empty'],
    ['bare', 'empty'],
    ['bin', 'large'],
    ['unbundled', 'large'],
    ...(extraCa === undefined
      ? []
      : ([
          ['bin, no extra CA', 'empty'],
          ['bare, no extra CA', 'empty'],
        ] as [Program, Dir][])),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [program, dir] of inRoundOrder(round, sides)) {
      const empty = dir === 'empty' ? mkdtempSync(join(scratch, 'empty-')) : undefined;
      if (program === 'bin' || program === 'bin, no extra CA') {
        writeFileSync(join(dist, cacheName), codeCache);
      }
      if (program === 'bin, no code cache') rmSync(join(dist, cacheName), { force: true });
      const took = await timeStartup(empty ?? large, PROGRAMS[program], envOf(program));
      if (empty !== undefined) rmSync(empty, { recursive: true, force: true });
      const key = `${program} ${dir}`;
      runs.set(key, [...(runs.get(key) ?? []), took]);
    }
    loads.push(loadavg()[0] ?? 0);
  }

  const wall = (key: string) => median((runs.get(key) ?? []).map((r) => r.wallMs));
  const cpu = (key: string) => {
    const all = (runs.get(key) ?? []).map((r) => r.cpuMs);
    return all.every((c) => c !== undefined) ? median(all as number[]) : undefined;
  };
  const show = (key: string) => {
    const c = cpu(key);
    return `${ms(wall(key))}${c === undefined ? '' : ` (CPU ${ms(c)})`}`;
  };
  const loadText = `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
  console.log(
    `start-up, spawn → first 200 on /_local/health, median of ${ROUNDS} alternating rounds, ${loadText}:`,
  );
  for (const [program, dir] of sides) {
    const key = `${program} ${dir}`;
    const all = (runs.get(key) ?? []).map((r) => r.wallMs.toFixed(0)).join(', ');
    console.log(`  ${key.padEnd(30)}: ${show(key).padEnd(24)} (all: ${all})`);
  }

  const memoryStart = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'start-memory.ts'), '20'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const memory = JSON.parse(memoryStart.stdout.trim().split('\n').at(-1) ?? '{}') as {
    first: number;
    median: number;
    max: number;
  };
  const precise = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `startEmulator({ memory: true }): first ${precise(memory.first)}, then median ${precise(memory.median)}, max ${precise(memory.max)} (20 starts)`,
  );

  reportFigure({
    name: 'emulator: start-up, spawn → first 200, empty data dir',
    value: show('bin empty'),
    baseline: `bare Node server ${show('bare empty')}; unbundled ${show('unbundled empty')}; no code cache ${show('bin, no code cache empty')}${extraCa === undefined ? '' : `; without NODE_EXTRA_CA_CERTS: ${show('bin, no extra CA empty')}, bare ${show('bare, no extra CA empty')}`}; ${loadText}`,
    goal: '≤ 150 ms',
    met: wall('bin empty') <= 150,
  });
  reportFigure({
    name: `emulator: start-up, ${millions} data dir`,
    value: show('bin large'),
    baseline: `empty ${show('bin empty')}; unbundled ${show('unbundled large')}`,
    goal: '≤ 1 s',
    met: wall('bin large') <= 1000,
  });
  reportFigure({
    name: 'emulator: startEmulator({ memory: true }) resolves',
    value: `${precise(memory.median)} (first ${precise(memory.first)})`,
    baseline: '—',
    goal: '—',
    met: null,
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
