import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { EmulatorConfigError } from '../src/errors.js';
import { openDatabase } from '../src/plugins/db.js';
import { MiStores } from '../src/services/iotmanagedintegrations/stores/index.js';
import { EVENT_TABLES } from '../src/services/iotmanagedintegrations/stores/migrate.js';
import {
  EventPruner,
  formatRetention,
  parseRetention,
  resolveRetention,
} from '../src/store/retention.js';
import { miClient } from './helpers/mi-client.js';
import { exited, spawnEmulator } from './helpers/spawn-bin.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const OWNER = { account: TEST_CREDENTIALS.accountId, region: 'us-east-1' };

/** A data dir's stores with `n` accepted events, received 1 ms apart from `t0`. */
function storesWithEvents(n: number, t0 = 1_000_000) {
  const dir = mkdtempSync(join(tmpdir(), 'emu-retention-'));
  dirs.push(dir);
  const db = openDatabase({ dataDir: dir });
  const stores = new MiStores(db);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      stores.insertEvent(OWNER, 'c1', 'DEVICE_EVENT', `t-${i}`, t0 + i, `{"i":${i}}`);
    }
  })();
  const seqs = () =>
    (db.prepare('SELECT seq FROM mi_connector_events ORDER BY seq').all() as { seq: number }[]).map(
      (r) => r.seq,
    );
  return { db, stores, seqs };
}

/** Steps until a step deletes nothing; returns the rows each step deleted. */
function drain(pruner: EventPruner): number[] {
  const steps: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const n = pruner.step();
    if (n === 0) return steps;
    steps.push(n);
  }
  throw new Error('pruning did not finish in 10,000 steps');
}

describe('--retain-events', () => {
  it('reads counts, durations and off, and formats them back', () => {
    expect(parseRetention('100000')).toEqual({ count: 100_000 });
    expect(parseRetention('90s')).toEqual({ maxAgeMs: 90_000 });
    expect(parseRetention('30m')).toEqual({ maxAgeMs: 1_800_000 });
    expect(parseRetention('12h')).toEqual({ maxAgeMs: 43_200_000 });
    expect(parseRetention('7d')).toEqual({ maxAgeMs: 604_800_000 });
    expect(parseRetention('off')).toBe('all');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1, max: 10 ** 9 }).map(String),
          fc
            .tuple(fc.integer({ min: 1, max: 10 ** 6 }), fc.constantFrom('s', 'm', 'h', 'd'))
            .map(([n, u]) => `${n}${u}`),
          fc.constant('off'),
        ),
        (text) => {
          const parsed = parseRetention(text);
          expect(parseRetention(formatRetention(parsed))).toEqual(parsed);
        },
      ),
    );
  });

  it.each(['0', '-5', '1.5', '7 days', '10w', '', 'on', '0d', '1e6'])(
    'refuses %j, naming the flag and what it expects',
    (text) => {
      expect(() => parseRetention(text)).toThrow(EmulatorConfigError);
      expect(() => parseRetention(text)).toThrow(/--retain-events: expected a count/);
    },
  );

  it('refuses a structured option that keeps nothing', () => {
    expect(() => resolveRetention({ count: 0 })).toThrow(/options\.retainEvents/);
    expect(() => resolveRetention({ maxAgeMs: -1 })).toThrow(/options\.retainEvents/);
    expect(resolveRetention(undefined)).toEqual({ count: 100_000 });
    expect(resolveRetention('off')).toBe('all');
    expect(resolveRetention('all')).toBe('all');
  });
});

describe('EventPruner', () => {
  it('keeps the newest `count`, deleting at most a step of rows at a time', () => {
    const { db, stores, seqs } = storesWithEvents(2_000);
    const pruner = new EventPruner(db, EVENT_TABLES, { count: 500 }, { stepRows: 100 });
    const steps = drain(pruner);
    expect(Math.max(...steps)).toBeLessThanOrEqual(100);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(1_500);
    expect(seqs()).toEqual(Array.from({ length: 500 }, (_, i) => 1_501 + i));
    // The next event's seq keeps counting up from the newest.
    expect(stores.insertEvent(OWNER, 'c1', 'DEVICE_EVENT', 'next', 0, '{}')).toBe(2_001);
    db.close();
  });

  it('deletes events older than the age, never the newest row, and rejected ones too', () => {
    const { db, stores, seqs } = storesWithEvents(300, 1_000_000);
    for (let i = 0; i < 30; i++)
      stores.insertRejected(OWNER, 'c1', 'no thing', 1_000_000 + i, '{}');
    // Events 0..199 are older than 100 ms at now = 1_000_300; 200..299 are younger.
    const pruner = new EventPruner(
      db,
      EVENT_TABLES,
      { maxAgeMs: 100 },
      { stepRows: 64, now: () => 1_000_300 },
    );
    drain(pruner);
    expect(seqs()).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i));
    // Every rejected event is older than the age: all go except the newest.
    expect(stores.rejected(100).map((r) => r.seq)).toEqual([30]);
    expect(pruner.stats.pruned).toBe(200 + 29);
    db.close();
  });

  it("keeps everything with 'all'", () => {
    const { db, seqs } = storesWithEvents(50);
    const pruner = new EventPruner(db, EVENT_TABLES, 'all', { stepRows: 10 });
    expect(drain(pruner)).toEqual([]);
    expect(seqs()).toHaveLength(50);
    db.close();
  });

  it('c2c-emulator --retain-events 50 prunes the rejected log while running, and says so', async () => {
    const { child, url, logs } = await spawnEmulator([
      '--memory',
      '--access-key',
      TEST_CREDENTIALS.accessKeyId,
      '--secret-key',
      TEST_CREDENTIALS.secretAccessKey,
      '--retain-events',
      '50',
      '--log-level',
      'silent',
    ]);
    try {
      expect(logs.find((l) => l.includes('listening'))).toContain('"retainEvents":"50"');
      const mi = miClient(url);
      const connector = await mi('CreateCloudConnector', {
        Name: 'retention',
        EndpointConfig: { lambda: { arn: 'arn:aws:lambda:us-east-1:111122223333:function:x' } },
      });
      expect(connector.status, connector.text).toBe(201);
      const connectorId = connector.json.Id as string;
      for (let i = 0; i < 120; i++) {
        // No managed thing has this device: 404, and the event is kept in the rejected log.
        const res = await mi('SendConnectorEvent', {
          ConnectorId: connectorId,
          Operation: 'DEVICE_EVENT',
          ConnectorDeviceId: `device-${i}`,
          MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
        });
        expect(res.status).toBe(404);
      }
      const kept = async () => {
        const res = await request(`${url}/_local/rejected?limit=1000`);
        return ((await res.body.json()) as { Items: unknown[] }).Items.length;
      };
      // The pruner looks again within a second of catching up; bounded wait.
      const deadline = Date.now() + 10_000;
      let n = await kept();
      while (n > 50 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        n = await kept();
      }
      expect(n).toBe(50);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
