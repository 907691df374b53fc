import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIdempotencyStore, STORE_TABLE_SCHEMA } from '../src/dynamodb.js';
import { ConnectorConfigError } from '../src/errors.js';
import {
  type ConnectorStore,
  IdempotencyInProgressError,
  lazyStore,
  MemoryIdempotencyStore,
  runOnce,
} from '../src/idempotency/store.js';
import { SqliteIdempotencyStore } from '../src/sqlite.js';

// One contract, three stores: in memory (unit tests), SQLite (one file shared by local
// processes), DynamoDB (AWS) — the last through the real AWS SDK client against dynalite, a
// DynamoDB implementation on 127.0.0.1 (as the dev stack runs kinesalite for Kinesis).

const dir = mkdtempSync(join(tmpdir(), 'c2c-store-'));
let server: Server;
let dynamo: DynamoDBClient;
let n = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  dynamo = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  dynamo?.destroy();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

/** A fresh table with the schema the README documents (the CDK construct creates the same). */
async function table(): Promise<string> {
  const name = `c2c-store-${n++}`;
  const { partitionKey, sortKey } = STORE_TABLE_SCHEMA;
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

const stores: Array<[string, () => Promise<ConnectorStore>]> = [
  ['memory', async () => new MemoryIdempotencyStore()],
  ['sqlite', async () => new SqliteIdempotencyStore(join(dir, `store-${n++}.db`))],
  [
    'dynamodb',
    async () => new DynamoDbIdempotencyStore({ tableName: await table(), client: dynamo }),
  ],
];

describe.each(stores)('connector store (%s)', (_name, make) => {
  it('claims a key once, hands the existing record to the others, and frees it on expiry', async () => {
    const store = await make();
    const claim = { key: 'webhook:a', status: 'in_progress' as const, expiresAt: 2_000 };
    expect(await store.putIfAbsent(claim, 1_000)).toEqual({ created: true });
    expect(await store.putIfAbsent(claim, 1_500)).toEqual({ created: false, existing: claim });
    // Past its expiry the record no longer counts: the next claim wins.
    expect(await store.putIfAbsent({ ...claim, expiresAt: 9_000 }, 2_000)).toEqual({
      created: true,
    });
    await store.put({ key: 'webhook:a', status: 'completed', expiresAt: 9_000, result: { n: 1 } });
    expect(await store.get?.('webhook:a', 8_999)).toEqual({
      key: 'webhook:a',
      status: 'completed',
      expiresAt: 9_000,
      result: { n: 1 },
    });
    expect(await store.get?.('webhook:a', 9_000)).toBeUndefined();
    await store.delete('webhook:a');
    expect(await store.get?.('webhook:a', 0)).toBeUndefined();
  });

  it('runs the work once among 20 concurrent callers of one key', async () => {
    const store = await make();
    let runs = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        runOnce(store, 'webhook:same', async () => {
          runs++;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return 'sent';
        }),
      ),
    );
    expect(runs).toBe(1);
    const ran = outcomes.filter((o) => o.status === 'fulfilled' && !o.value.duplicate);
    expect(ran).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IdempotencyInProgressError);
      else if (o.value.duplicate) expect(o.value.result).toBe('sent');
    }
  });

  it('keeps a device parked while any live marker is left, per device', async () => {
    const store = await make();
    expect(await store.isParked('fan-1', 1_000)).toBe(false);
    await store.markParked('fan-1', 'p1', 5_000);
    await store.markParked('fan-1', 'p2', 5_000);
    await store.markParked('fan-1', 'p2', 5_000); // idempotent
    expect(await store.isParked('fan-1', 1_000)).toBe(true);
    expect(await store.isParked('fan-2', 1_000)).toBe(false);
    await store.clearParked('fan-1', 'p1');
    expect(await store.isParked('fan-1', 1_000)).toBe(true);
    await store.clearParked('fan-1', 'p2');
    await store.clearParked('fan-1', 'p2'); // a redelivered drain clears nothing twice
    expect(await store.isParked('fan-1', 1_000)).toBe(false);
    // A marker left behind (a crash between marking and parking) stops counting at its expiry.
    await store.markParked('fan-3', 'leaked', 2_000);
    expect(await store.isParked('fan-3', 1_999)).toBe(true);
    expect(await store.isParked('fan-3', 2_000)).toBe(false);
    await store.markParked('fan-3', 'live', 9_000);
    expect(await store.isParked('fan-3', 2_000)).toBe(true);
  });
});

describe('DynamoDbIdempotencyStore', () => {
  it('names the missing table setting', () => {
    const saved = process.env.C2C_STORE_TABLE;
    delete process.env.C2C_STORE_TABLE;
    try {
      expect(() => new DynamoDbIdempotencyStore({ client: dynamo })).toThrow(ConnectorConfigError);
      expect(() => new DynamoDbIdempotencyStore({ client: dynamo })).toThrow(/C2C_STORE_TABLE/);
    } finally {
      if (saved !== undefined) process.env.C2C_STORE_TABLE = saved;
    }
  });

  it('keeps idempotency records and markers apart in one table', async () => {
    const store = new DynamoDbIdempotencyStore({ tableName: await table(), client: dynamo });
    await store.markParked('x', 'idem', 5_000);
    expect(await store.get('x', 0)).toBeUndefined();
    await store.put({ key: 'x', status: 'completed', expiresAt: 5_000 });
    await store.clearParked('x', 'idem');
    expect((await store.get('x', 0))?.status).toBe('completed');
  });
});

describe('lazyStore', () => {
  it('loads once on first use, and retries a failed load', async () => {
    let loads = 0;
    const store = lazyStore(async () => {
      loads++;
      if (loads === 1) throw new Error('not yet');
      return new MemoryIdempotencyStore();
    });
    await expect(store.isParked('d', 0)).rejects.toThrow('not yet');
    await store.markParked('d', 'p', 10);
    expect(await store.isParked('d', 0)).toBe(true);
    expect(loads).toBe(2);
  });
});

const execFileP = promisify(execFile);
const CLAIMER = fileURLToPath(new URL('./fixtures/store-claimer.ts', import.meta.url));

describe('SqliteIdempotencyStore shared by processes', () => {
  it('4 processes claiming the same 40 keys at once: each key is claimed exactly once', async () => {
    const file = join(dir, 'shared.db');
    new SqliteIdempotencyStore(file).close(); // create the schema before the race
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        execFileP(process.execPath, ['--import', 'tsx', CLAIMER, file, '40'], {
          timeout: 60_000,
          cwd: fileURLToPath(new URL('..', import.meta.url)),
        }),
      ),
    );
    const claimed = runs.map((r) => JSON.parse(r.stdout) as string[]);
    const all = claimed.flat();
    expect(all.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`).sort());
    // Survives the processes: a fifth one later claims nothing.
    const late = await execFileP(process.execPath, ['--import', 'tsx', CLAIMER, file, '40'], {
      timeout: 60_000,
    });
    expect(JSON.parse(late.stdout)).toEqual([]);
  }, 90_000);
});
