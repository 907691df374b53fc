/**
 * Signed webhook delivery: from `simulation.trigger()` to the request arriving at a receiver
 * (node:http on 127.0.0.1), for N events spread over 64 cameras (per-device FIFO allows 64 in
 * flight). Baseline in the same run: the same number of plain unsigned POSTs of the same body
 * over an undici pool with 64 concurrent loops — the floor the dispatcher can approach.
 * Bounded: N events and a wall-clock cap.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildVendorCloud, type DeviceSeed } from '@c2c-kit/vendor-cloud';
import { Agent, request } from 'undici';

const N = Number(process.env.BENCH_EVENTS ?? 3000);
const DEVICES = 64;
const CAP_MS = 30_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const arrivals = new Map<string, number>();
  let onArrival: (() => void) | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.set(String(req.headers['webhook-id'] ?? req.headers['x-id']), performance.now());
      res.statusCode = 204;
      res.end();
      onArrival?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const devices: DeviceSeed[] = Array.from({ length: DEVICES }, (_, i) => ({
    deviceId: `cam-${i}`,
    kind: 'camera',
    owner: 'alice',
  }));
  const cloud = buildVendorCloud({
    devices,
    webhookUrl: url,
    tickIntervalMs: 0,
    seed: 1,
    webhookLinkedUsersOnly: false,
  });

  // --- signed delivery through the vendor cloud -------------------------------------------
  const sentAt = new Map<string, number>();
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    onArrival = () => {
      if (arrivals.size >= N) resolve();
    };
  });
  for (let i = 0; i < N; i++) {
    const cam = `cam-${i % DEVICES}`;
    const event = Math.floor(i / DEVICES) % 2 === 0 ? 'motion' : 'motion_cleared';
    for (const e of cloud.simulation.trigger(cam, event)) sentAt.set(e.eventId, performance.now());
    // Yield now and then so delivery overlaps with triggering, as in a live system.
    if (i % DEVICES === DEVICES - 1) await new Promise((r) => setImmediate(r));
    if (performance.now() - started > CAP_MS) break;
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, CAP_MS))]);
  const elapsed = performance.now() - started;
  const lat = [...sentAt]
    .map(([id, t]) => (arrivals.get(id) ?? Number.NaN) - t)
    .filter(Number.isFinite);
  lat.sort((a, b) => a - b);
  const delivered = cloud.webhooks.log().filter((d) => d.state === 'delivered').length;

  // --- paced latency: 1000 events, one every 2 ms (a live system, not a burst) -------------
  const PACED = 1000;
  const pacedSent = new Map<string, number>();
  for (let i = 0; i < PACED; i++) {
    const cam = `cam-${i % DEVICES}`;
    const event = Math.floor(i / DEVICES) % 2 === 0 ? 'motion' : 'motion_cleared';
    for (const e of cloud.simulation.trigger(cam, event))
      pacedSent.set(e.eventId, performance.now());
    await new Promise((r) => setTimeout(r, 2));
  }
  await cloud.webhooks.idle();
  const paced = [...pacedSent]
    .map(([id, t]) => (arrivals.get(id) ?? Number.NaN) - t)
    .filter(Number.isFinite);
  paced.sort((a, b) => a - b);
  await cloud.app.close();

  // --- baseline: plain POSTs, same body size, same concurrency ----------------------------
  arrivals.clear();
  const body = JSON.stringify({
    eventId: 'evt_00000000000000000000000000000000',
    type: 'device.motion',
    deviceId: 'cam-0',
    kind: 'camera',
    userId: 'acme-587268d078f5ba348ffe',
    occurredAt: new Date().toISOString(),
    source: 'device',
    data: { motion: true },
  });
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const baseLat: number[] = [];
  let next = 0;
  const baseStart = performance.now();
  await Promise.all(
    Array.from({ length: DEVICES }, async () => {
      while (next < N && performance.now() - baseStart < CAP_MS) {
        const id = `b${next++}`;
        const t = performance.now();
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'x-id': id },
          body,
        });
        await res.body.dump();
        baseLat.push(performance.now() - t);
      }
    }),
  );
  const baseElapsed = performance.now() - baseStart;
  baseLat.sort((a, b) => a - b);
  await agent.close();
  server.close();

  const rate = (lat.length / elapsed) * 1000;
  const baseRate = (baseLat.length / baseElapsed) * 1000;
  console.log(
    `signed webhooks, burst (trigger → received): ${lat.length}/${N} events, ${delivered} of the last 500 logged delivered`,
  );
  console.log(
    `  ${rate.toFixed(0)} events/s, p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms`,
  );
  console.log(
    `signed webhooks, paced 1 per 2 ms: ${paced.length}/1000, p50 ${percentile(paced, 50).toFixed(2)} ms, p99 ${percentile(paced, 99).toFixed(2)} ms`,
  );
  console.log(
    `baseline (plain unsigned POST, undici pool, ${DEVICES} loops): ${baseLat.length} requests`,
  );
  console.log(
    `  ${baseRate.toFixed(0)} req/s, p50 ${percentile(baseLat, 50).toFixed(2)} ms, p99 ${percentile(baseLat, 99).toFixed(2)} ms`,
  );
  console.log(`ratio signed/baseline throughput: ${(rate / baseRate).toFixed(2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
