// Throttling at scale: the emulator answers 30 % of SendConnectorEvent calls with 429
// (`--faults throttle=0.3`), and 10,000 events of 1,000 devices go through the connector's
// handler: 10 webhooks, the k-th carrying event k of every device, one after another. The
// client retries throttled calls (standard mode: 3 attempts, full jitter from 1 s); what is still
// refused is parked in an outbox, keeping later events of its device behind it, and replayed at
// the end until the outbox is empty. Then the emulator's database is read back: every event
// stored once, each device's in order. Attempts are the emulator's count of calls answered.
// The floor is 1 / (1 − 0.3) attempts per event: each attempt fails at random with p = 0.3.
// Env: BENCH_DEVICES (1000), BENCH_PER_DEVICE (10).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { seedLargeDb } from '../../emulator/bench/fixtures/large-db.js';
import { serverStats, startServer, stop } from '../../emulator/bench/fixtures/processes.js';
import { runGenerator } from './fixtures/common.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const PER_DEVICE = Number(process.env.BENCH_PER_DEVICE ?? 10);
const THROTTLE = 0.3;

const dir = mkdtempSync(join(tmpdir(), 'c2c-throttle-'));
try {
  await seedLargeDb(dir, { users: Math.ceil(DEVICES / 10), thingsPerUser: 10, events: 0 });
  const server = await startServer('emulator', dir, {
    retention: 'off',
    faults: `throttle=${THROTTLE}`,
  });
  let run: { sent: number; parked: number; replayed: number; left: number; seconds: number };
  try {
    run = await runGenerator(
      here('./fixtures/fleet-load.ts'),
      [
        '--mode',
        'throttle',
        '--url',
        `http://127.0.0.1:${server.port}`,
        '--devices',
        String(DEVICES),
        '--per-device',
        String(PER_DEVICE),
      ],
      // Bounded: retries and outbox replays wait on backoff.
      600_000,
    );
  } finally {
    await stop(server.child);
  }
  const attempts = serverStats<{ served: number }>(server, 'served')?.served ?? Number.NaN;

  // What the emulator stored, in the order it stored it.
  const db = new Database(join(dir, 'emulator.sqlite'), { readonly: true });
  const stored = (
    db.prepare('SELECT trace_id FROM mi_connector_events ORDER BY seq').all() as Array<{
      trace_id: string;
    }>
  ).map((r) => r.trace_id);
  db.close();
  const unique = new Set(stored);
  const duplicated = stored.length - unique.size;
  const lost = run.sent - unique.size;
  let outOfOrder = 0;
  const last = new Map<string, number>();
  for (const trace of stored) {
    const [, device = '', seq = '0'] = trace.split('-');
    if (Number(seq) < (last.get(device) ?? -1)) outOfOrder++;
    last.set(device, Number(seq));
  }
  const perEvent = attempts / unique.size;
  const floor = 1 / (1 - THROTTLE);
  console.log(
    `${run.sent.toLocaleString()} events of ${DEVICES.toLocaleString()} devices, ${THROTTLE * 100} % of calls answered 429, in ${run.seconds.toFixed(1)} s:`,
  );
  console.log(
    `  sent ${run.sent}, attempts ${attempts} (retried ${attempts - run.sent}), parked after the client's retries ${run.parked}, replayed ${run.replayed}, left in the outbox ${run.left}`,
  );
  console.log(
    `  delivered ${unique.size}, duplicated ${duplicated}, lost ${lost}, out of order ${outOfOrder}`,
  );
  console.log(
    `  attempts per delivered event ${perEvent.toFixed(3)}; floor 1/(1 − ${THROTTLE}) = ${floor.toFixed(3)}; goal ≤ ${(1.1 * floor).toFixed(3)}`,
  );
  reportFigure({
    name: `connector: ${run.sent.toLocaleString()} events of ${DEVICES.toLocaleString()} devices, 30 % answered 429`,
    value: `${perEvent.toFixed(3)} attempts per event; delivered ${unique.size}, duplicated ${duplicated}, lost ${lost}, out of order ${outOfOrder}`,
    baseline: `floor ${floor.toFixed(3)}`,
    goal: '≤ 1.1 × floor, lost 0, in order',
    met: lost === 0 && outOfOrder === 0 && duplicated === 0 && perEvent <= 1.1 * floor,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
