// Load generator of ingest.bench.ts (run pinned to CPU 1): an undici Pool over 2000 distinct
// requests pre-signed with @smithy/signature-v4 (distinct TraceIds), `concurrency` in flight,
// bounded by count and time. Prints one JSON line: requests/s, latency percentiles, non-2xx.

import { NodeSha256 } from '@c2c-kit/connector/client';
import { SignatureV4 } from '@smithy/signature-v4';
import { Pool } from 'undici';
import { TEST_CREDENTIALS } from '../tests/helpers/credentials.js';

const [portText, connectorId, concText, durText, warmText] = process.argv.slice(2);
const port = Number(portText);
const concurrency = Number(concText ?? 16);
const durationMs = Number(durText ?? 5) * 1000;
const warmupMs = Number(warmText ?? 1) * 1000;
const MAX_REQUESTS = 2_000_000;

const signer = new SignatureV4({
  service: 'iotmanagedintegrations',
  region: 'us-east-1',
  credentials: TEST_CREDENTIALS,
  sha256: NodeSha256,
  applyChecksum: false,
});

const message =
  'Fan speed changed from the vendor cloud after a user action in the vendor mobile app, reported by connector version 1.4.2 running in region us-east-1 for account association aa-0123456789abcdef with session 42 at 2026-11-26T00-35-52Z';
const host = `127.0.0.1:${port}`;
const path = `/connector-event/${connectorId}`;
const requests: Array<{ headers: Record<string, string>; body: string }> = [];
for (let i = 0; i < 2000; i++) {
  const traceId = `c2c-trace-${i}-6745e1a0-9b75f3839b6140f=_1:fan-42:device-event:`.padEnd(
    128,
    'a',
  );
  const body = JSON.stringify({
    UserId: 'user-123',
    Operation: 'DEVICE_EVENT',
    OperationVersion: '1.0',
    StatusCode: 200,
    Message: message,
    ConnectorDeviceId: 'fan-42',
    TraceId: traceId,
    MatterEndpoint: {
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0x0000': i % 4, '0x0002': i % 100 } }],
    },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query: {},
    headers: { host, 'content-type': 'application/json' },
    body,
  });
  requests.push({ headers: signed.headers as Record<string, string>, body });
}

const pool = new Pool(`http://${host}`, { connections: concurrency, pipelining: 1 });
let sent = 0;
let non2xx = 0;
let errors = 0;
let measuring = false;
let measured = 0;
const latencies: number[] = [];
const start = Date.now();
const stopAt = start + warmupMs + durationMs;
let measureStart = 0;

async function worker() {
  while (Date.now() < stopAt && sent < MAX_REQUESTS) {
    const r = requests[sent++ % requests.length] as (typeof requests)[number];
    const t0 = process.hrtime.bigint();
    try {
      const res = await pool.request({ method: 'POST', path, headers: r.headers, body: r.body });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
    } catch {
      errors++;
    }
    if (!measuring && Date.now() >= start + warmupMs) {
      measuring = true;
      measureStart = Date.now();
    }
    if (measuring) {
      measured++;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (Date.now() - measureStart) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
await pool.close();
process.stdout.write(
  `${JSON.stringify({ rps: measured / elapsed, p50: pct(50), p99: pct(99), requests: measured, non2xx, errors })}\n`,
);
