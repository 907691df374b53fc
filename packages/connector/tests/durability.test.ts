import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  type IdempotencyStore,
  MemoryIdempotencyStore,
  runOnce,
} from '../src/idempotency/store.js';
import { MemoryOutbox, type Outbox, replayOutbox } from '../src/outbox/outbox.js';
import { type SendConnectorEventRequest, ServiceException } from '../src/protocol.js';
import { SqliteIdempotencyStore, SqliteOutbox } from '../src/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'c2c-connector-'));
let n = 0;
const stores: Array<[string, () => IdempotencyStore]> = [
  ['memory', () => new MemoryIdempotencyStore()],
  ['sqlite', () => new SqliteIdempotencyStore(join(dir, `idem-${n++}.db`))],
];
const outboxes: Array<[string, () => Outbox]> = [
  ['memory', () => new MemoryOutbox()],
  ['sqlite', () => new SqliteOutbox(join(dir, `outbox-${n++}.db`))],
];

describe('MemoryIdempotencyStore bound', () => {
  it('keeps at most maxEntries records, forgetting the oldest tenth at once', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 50 });
    const live = async (key: string) => (await store.get(key, 0)) !== undefined;
    for (let i = 0; i < 50; i++) await runOnce(store, `k${i}`, async () => i);
    expect(await live('k0')).toBe(true);
    await runOnce(store, 'k50', async () => 50);
    // 51 > 50: the oldest 1 + 5 (a tenth) are gone, the newest remain and still dedupe.
    for (let i = 0; i < 6; i++) expect(await live(`k${i}`)).toBe(false);
    for (let i = 6; i <= 50; i++) expect(await live(`k${i}`)).toBe(true);
    await expect(runOnce(store, 'k50', async () => -1)).resolves.toEqual({
      duplicate: true,
      result: 50,
    });
    // Rewriting a record makes it the newest.
    await store.put({ key: 'k6', status: 'completed', expiresAt: Number.MAX_SAFE_INTEGER });
    for (let i = 51; i < 57; i++) await runOnce(store, `k${i}`, async () => i);
    expect(await live('k6')).toBe(true);
    expect(await live('k7')).toBe(false);
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => new MemoryIdempotencyStore({ maxEntries })).toThrow(/maxEntries/);
    }
  });
});

describe.each(stores)('idempotency store (%s)', (_name, make) => {
  it('runs the work once for concurrent and repeated callers and returns the stored result', async () => {
    const store = make();
    let calls = 0;
    const work = async () => {
      calls++;
      return { sent: calls };
    };
    const first = await runOnce(store, 'cmd:trace-1', work);
    const again = await runOnce(store, 'cmd:trace-1', work);
    expect(first).toEqual({ duplicate: false, result: { sent: 1 } });
    expect(again).toEqual({ duplicate: true, result: { sent: 1 } });
    expect(calls).toBe(1);
  });

  it('reports in-progress work to a concurrent caller and frees the key when work fails', async () => {
    const store = make();
    let release: () => void = () => {};
    const slow = runOnce(
      store,
      'k',
      () =>
        new Promise<string>((r) => {
          release = () => r('done');
        }),
    );
    await expect(runOnce(store, 'k', async () => 'x')).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    );
    release();
    await slow;
    await expect(
      runOnce(store, 'f', async () => {
        throw new Error('vendor down');
      }),
    ).rejects.toThrow('vendor down');
    await expect(runOnce(store, 'f', async () => 'ok')).resolves.toEqual({
      duplicate: false,
      result: 'ok',
    });
  });

  it('lets a key be claimed again after its lease or TTL expired', async () => {
    const store = make();
    let t = 1000;
    const now = () => t;
    await runOnce(store, 'e', async () => 1, { ttlMs: 10, now });
    t += 11;
    await expect(runOnce(store, 'e', async () => 2, { now })).resolves.toEqual({
      duplicate: false,
      result: 2,
    });
  });

  it('property: any interleaving of keys executes each key exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 }),
        async (keys) => {
          const store = make();
          const counts = new Map<string, number>();
          await Promise.allSettled(
            keys.map((k) =>
              runOnce(store, k, async () => {
                counts.set(k, (counts.get(k) ?? 0) + 1);
                await new Promise((r) => setImmediate(r));
              }),
            ),
          );
          for (const k of new Set(keys)) expect(counts.get(k)).toBe(1);
        },
      ),
      { numRuns: 25 },
    );
  });
});

const event = (device: string, seq: number): SendConnectorEventRequest => ({
  ConnectorId: 'c1',
  Operation: 'DEVICE_EVENT',
  ConnectorDeviceId: device,
  TraceId: `t${seq}`,
});

describe.each(outboxes)('outbox (%s)', (_name, make) => {
  it('replays oldest first, keeps per-device order when a device head fails, and loses nothing', async () => {
    const outbox = make();
    for (let i = 0; i < 6; i++)
      await outbox.add(
        i % 2 ? 'dev-b' : 'dev-a',
        event(i % 2 ? 'dev-b' : 'dev-a', i),
        'Throttling',
      );
    expect(await outbox.hasPending?.('dev-a')).toBe(true);
    const delivered: string[] = [];
    let failB = true;
    const sender = {
      sendConnectorEvent: async (r: SendConnectorEventRequest) => {
        if (r.ConnectorDeviceId === 'dev-b' && failB) {
          throw new ServiceException({
            name: 'ThrottlingException',
            message: 'slow',
            statusCode: 429,
          });
        }
        delivered.push(r.TraceId ?? '');
      },
    };
    const first = await replayOutbox(outbox, sender);
    expect(first).toMatchObject({ sent: 3, failed: 1, rejected: 0, remaining: 3, unreadable: [] });
    expect(first.failures).toEqual([
      expect.objectContaining({
        deviceKey: 'dev-b',
        operation: 'DEVICE_EVENT',
        errorName: 'ThrottlingException',
        permanent: false,
      }),
    ]);
    expect(delivered).toEqual(['t0', 't2', 't4']);
    const [head] = await outbox.list(1);
    expect(head?.attempts).toBe(2);
    expect(head?.lastError).toContain('ThrottlingException');
    failB = false;
    const second = await replayOutbox(outbox, sender);
    expect(second.remaining).toBe(0);
    expect(delivered).toEqual(['t0', 't2', 't4', 't1', 't3', 't5']);
  });

  it('counts a 4xx validation rejection as rejected (kept for a human), not as transient', async () => {
    const outbox = make();
    await outbox.add('d', event('d', 1), 'x');
    const report = await replayOutbox(outbox, {
      sendConnectorEvent: async () => {
        throw new ServiceException({
          name: 'ValidationException',
          message: 'bad',
          statusCode: 400,
        });
      },
    });
    expect(report).toMatchObject({ sent: 0, failed: 0, rejected: 1, remaining: 1 });
    expect(report.failures.map((f) => [f.errorName, f.permanent])).toEqual([
      ['ValidationException', true],
    ]);
  });
});

it('SQLite outbox survives a reopen (durable)', async () => {
  const path = join(dir, 'durable.db');
  const a = new SqliteOutbox(path);
  await a.add('dev', event('dev', 9), 'ServiceUnavailableException');
  a.close();
  const b = new SqliteOutbox(path);
  expect((await b.list()).map((e) => e.request.TraceId)).toEqual(['t9']);
  b.close();
});

it('SQLite outbox: a damaged row is reported and left in place, and its device waits behind it', async () => {
  const path = join(dir, 'damaged.db');
  const outbox = new SqliteOutbox(path);
  await outbox.add('a', event('a', 1), 'E');
  await outbox.add('b', event('b', 2), 'E');
  await outbox.add('a', event('a', 3), 'E');
  await outbox.add('c', event('c', 4), 'E');
  outbox.close();
  // Damage two rows from outside, as a disk fault or a hand edit would.
  const raw = new Database(path);
  raw.prepare('UPDATE outbox SET request = \'{"secret-token": \' WHERE id = 1').run();
  raw.prepare("UPDATE outbox SET request = '[1, 2]' WHERE id = 4").run();
  raw.close();

  const reopened = new SqliteOutbox(path);
  const sent: string[] = [];
  const report = await replayOutbox(reopened, {
    sendConnectorEvent: async (request) => {
      sent.push(String(request.TraceId));
      return {};
    },
  });
  // b's event goes out; a's later event stays behind its damaged head; c's row is not an object.
  expect(sent).toEqual(['t2']);
  expect(report.unreadable).toEqual([
    { messageId: 'outbox row 1', reason: 'request column is not valid JSON' },
    { messageId: 'outbox row 4', reason: 'request column is not a JSON object' },
  ]);
  expect(JSON.stringify(report)).not.toContain('secret-token');
  expect(await reopened.count()).toBe(3);
  reopened.close();
});
