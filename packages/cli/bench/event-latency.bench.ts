// Event latency: from a vendor-side device event (camera motion pressed at the vendor cloud) to
// the customer notification visible in the emulator's SSE stream — webhook, Function URL, the
// connector in the Lambda host, SendConnectorEvent, validation, persistence, relay. Measured one
// event in flight at a time, p50/p99 over N bounded events, next to a baseline measured in the
// same run: a bare SSE echo round trip (POST → the same server writes it to an SSE stream).
// Run: npm run build && npm run bench -- event-latency

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotificationWatcher, runDemo, startDevStack } from '@c2c-kit/cli';
import { reportFigure } from '../../../scripts/bench-figure.js';

const EVENTS = Number(process.env.C2C_BENCH_EVENTS ?? 1000);
const WARMUP = 50;
const TIME_BUDGET_MS = 120_000;

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Baseline: POST /emit → the server writes one SSE event; time until the client parses it. */
async function sseEchoBaseline(count: number): Promise<number[]> {
  const streams = new Set<import('node:http').ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      streams.add(res);
      return;
    }
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      for (const s of streams) s.write(`data: ${body}\n\n`);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const watcher = new NotificationWatcher(`${url}/stream`);
  await watcher.start();
  const samples: number[] = [];
  for (let i = 0; i < count + WARMUP; i++) {
    const started = performance.now();
    const arrived = watcher.waitFor('echo', (n) => n.message.seq === i, 5000);
    await fetch(`${url}/emit`, {
      method: 'POST',
      body: JSON.stringify({ seq: i, messageType: 'ECHO' }),
    });
    const n = await arrived;
    if (i >= WARMUP) samples.push(n.arrivedAt - started);
  }
  await watcher.close();
  for (const s of streams) s.end();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return samples;
}

async function vendorToNotification(
  count: number,
): Promise<{ samples: number[]; timedOut: boolean }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'c2c-bench-'));
  const stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
  try {
    const quiet = { step() {}, ok() {}, detail() {} };
    const demo = await runDemo(stack, quiet);
    const watcher = new NotificationWatcher(stack.notificationStreamUrl);
    await watcher.start();
    const samples: number[] = [];
    const deadline = Date.now() + TIME_BUDGET_MS;
    let timedOut = false;
    for (let i = 0; i < count + WARMUP; i++) {
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      // Alternate so every trigger is a real state change the connector reports.
      const event = i % 2 === 0 ? 'motion_cleared' : 'motion';
      const mark = watcher.received().length;
      const started = performance.now();
      const arrived = watcher.waitFor(
        'bench',
        (n) =>
          n.eventType === 'DEVICE_EVENT' &&
          JSON.stringify(n.message.resources).includes(demo.cameraThingId),
        5000,
        mark,
      );
      await stack.triggerVendorEvent('cam-1', event);
      const n = await arrived;
      if (i >= WARMUP) samples.push(n.arrivedAt - started);
    }
    await watcher.close();
    return { samples, timedOut };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const baseline = summary(await sseEchoBaseline(EVENTS));
const measured = await vendorToNotification(EVENTS);
const result = summary(measured.samples);
const fmt = (v: number) => `${v.toFixed(2)} ms`;
console.log(
  `events: ${result.n} measured (+${WARMUP} warm-up), one in flight${measured.timedOut ? ' — stopped at the time budget' : ''}`,
);
console.log('| path | n | p50 | p99 | max |');
console.log('|---|---|---|---|---|');
console.log(
  `| vendor event → customer notification (SSE) | ${result.n} | ${fmt(result.p50)} | ${fmt(result.p99)} | ${fmt(result.max)} |`,
);
console.log(
  `| baseline: bare SSE echo round trip | ${baseline.n} | ${fmt(baseline.p50)} | ${fmt(baseline.p99)} | ${fmt(baseline.max)} |`,
);
console.log(
  `ratio p50 ${(result.p50 / baseline.p50).toFixed(1)}×, p99 ${(result.p99 / baseline.p99).toFixed(1)}× the baseline; goal p99 ≤ 20 ms: ${result.p99 <= 20 ? 'met' : 'NOT met'}`,
);
reportFigure({
  name: 'cli: vendor event → customer notification on SSE',
  value: `p50 ${fmt(result.p50)}, p99 ${fmt(result.p99)}`,
  baseline: `bare SSE echo p99 ${fmt(baseline.p99)}`,
  goal: 'p99 ≤ 20 ms',
  met: result.p99 <= 20,
});
