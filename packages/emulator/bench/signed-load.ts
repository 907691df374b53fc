// Load generator of the emulator benches (run pinned to CPU 1): an undici Pool over 2000
// distinct requests pre-signed with @smithy/signature-v4, `--concurrency` in flight, bounded by
// count and time. Prints one JSON line: requests/s, latency percentiles, non-2xx.
// Modes: `ingest` (SendConnectorEvent DEVICE_EVENTs for fan-42, distinct TraceIds), and the
// customer's lookups of large-db.bench.ts over things `t0`..`t<things-1>` of a seeded data dir:
// `get-thing` (GetManagedThing), `thing-state` (GetManagedThingState) and `list-things` (a
// ListManagedThings page of 100 starting at a random thing).

import { parseArgs } from 'node:util';
import { NodeSha256 } from '@c2c-kit/connector/client';
import { OPERATIONS, type OperationName, queryString, serializeRequest } from '@c2c-kit/protocol';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { SignatureV4 } from '@smithy/signature-v4';
import { Pool } from 'undici';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    mode: { type: 'string', default: 'ingest' },
    connector: { type: 'string', default: 'benchconnector' },
    concurrency: { type: 'string', default: '16' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    things: { type: 'string', default: '1000' },
  },
});
const port = Number(args.port);
const concurrency = Number(args.concurrency);
const durationMs = Number(args.duration) * 1000;
const warmupMs = Number(args.warmup) * 1000;
const things = Number(args.things);
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

/** The i-th request of the mode: an operation and its input. */
function input(i: number): [OperationName, object] {
  const thing = `t${Math.floor(Math.random() * things)}`;
  switch (args.mode) {
    case 'ingest':
      return [
        'SendConnectorEvent',
        {
          ConnectorId: args.connector,
          UserId: 'user-123',
          Operation: 'DEVICE_EVENT',
          OperationVersion: '1.0',
          StatusCode: 200,
          Message: message,
          ConnectorDeviceId: 'fan-42',
          TraceId: `c2c-trace-${i}-6745e1a0-9b75f3839b6140f=_1:fan-42:device-event:`.padEnd(
            128,
            'a',
          ),
          MatterEndpoint: {
            id: '1',
            clusters: [{ id: '0x0202', attributes: { '0x0000': i % 4, '0x0002': i % 100 } }],
          },
        },
      ];
    case 'get-thing':
      return ['GetManagedThing', { Identifier: thing }];
    case 'thing-state':
      return ['GetManagedThingState', { ManagedThingId: thing }];
    case 'list-things': {
      // A page from a random place: the token names the seq the previous page ended at.
      const after = Math.floor(Math.random() * things);
      const token = Buffer.from(`p:${after}`).toString('base64url');
      return ['ListManagedThings', after === 0 ? {} : { NextToken: token }];
    }
    default:
      throw new Error(`--mode: expected ingest, get-thing, thing-state or list-things`);
  }
}

const host = `127.0.0.1:${port}`;
const requests: Array<{
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}> = [];
for (let i = 0; i < 2000; i++) {
  const [name, value] = input(i);
  const parts = serializeRequest(OPERATIONS[name], value);
  const headers: Record<string, string> = { host, ...parts.headers };
  if (parts.body !== undefined) headers['content-type'] = 'application/json';
  const signed = await signer.sign({
    method: parts.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: parts.path,
    query: parts.query as Record<string, string>,
    headers,
    body: parts.body,
  });
  requests.push({
    method: parts.method,
    path: parts.path + queryString(parts.query),
    headers: signed.headers as Record<string, string>,
    ...(parts.body === undefined ? {} : { body: parts.body }),
  });
}

const pool = new Pool(`http://${host}`, { connections: concurrency, pipelining: 1 });
let sent = 0;
let non2xx = 0;
let errors = 0;
let firstFailure = '';
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
      const res = await pool.request({
        method: r.method as 'GET',
        path: r.path,
        headers: r.headers,
        body: r.body ?? null,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode > 299) {
        non2xx++;
        firstFailure ||= `${res.statusCode} ${text.slice(0, 200)}`;
      }
    } catch (error) {
      errors++;
      firstFailure ||= String(error);
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
  `${JSON.stringify({ rps: measured / elapsed, p50: pct(50), p99: pct(99), requests: measured, non2xx, errors, firstFailure })}\n`,
);
