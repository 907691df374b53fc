import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MiStores } from '../src/services/iotmanagedintegrations/stores/index.js';
import { GroupCommitter } from '../src/store/group-commit.js';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  return { db, insert };
}

describe('GroupCommitter', () => {
  it('commits writes queued in the same turn as one batch, resolving each after the commit', async () => {
    const { db, insert } = setup();
    const committer = new GroupCommitter(db);
    const done = await Promise.all(
      [1, 2, 3, 4].map((v) => committer.run(() => insert.run(v).changes)),
    );
    expect(done).toEqual([1, 1, 1, 1]);
    expect(committer.stats()).toEqual({ batches: 1, units: 4 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 4 });
  });

  it('work queued in the next loop turn joins the same commit; nothing resolves before it', async () => {
    const { db, insert } = setup();
    const committer = new GroupCommitter(db);
    const settled: number[] = [];
    const first = committer.run(() => insert.run(1).changes).then((v) => settled.push(v));
    const second = new Promise<void>((resolve) => {
      // Queued one event-loop turn later, as a request read in the next poll phase would be.
      setImmediate(() => {
        expect(settled).toEqual([]);
        expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
        committer
          .run(() => insert.run(2).changes)
          .then((v) => {
            settled.push(v);
            resolve();
          });
      });
    });
    await Promise.all([first, second]);
    expect(settled).toEqual([1, 1]);
    expect(committer.stats()).toEqual({ batches: 1, units: 2 });
  });

  it('a failing unit is rejected alone; its neighbours still commit and rollback is signalled', async () => {
    const { db, insert } = setup();
    let rollbacks = 0;
    const committer = new GroupCommitter(db, { onRollback: () => rollbacks++ });
    const results = await Promise.allSettled([
      committer.run(() => insert.run(1)),
      committer.run(() => insert.run(1)), // UNIQUE violation
      committer.run(() => insert.run(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Once for the batch, once for the failing unit's own transaction in the replay.
    expect(rollbacks).toBe(2);
    expect(db.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it('nothing is acknowledged before it is committed', async () => {
    const { db, insert } = setup();
    const committer = new GroupCommitter(db);
    let acked = false;
    const p = committer
      .run(() => insert.run(7))
      .then(() => {
        acked = true;
      });
    expect(acked).toBe(false);
    await p;
    expect(acked).toBe(true);
    expect(db.prepare('SELECT v FROM t').get()).toEqual({ v: 7 });
  });

  it('successive batches each commit on their own (the transaction function is reused)', async () => {
    const { db, insert } = setup();
    const committer = new GroupCommitter(db);
    await Promise.all([1, 2].map((v) => committer.run(() => insert.run(v))));
    const again = await Promise.allSettled([
      committer.run(() => insert.run(3)),
      committer.run(() => insert.run(1)), // UNIQUE violation: replayed alone
    ]);
    await Promise.all([4, 5].map((v) => committer.run(() => insert.run(v))));
    expect(again.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').all()).toEqual(
      [1, 2, 3, 4, 5].map((v) => ({ v })),
    );
    expect(db.inTransaction).toBe(false);
  });

  it('a failing unit leaves no cached state behind: later merges build on what was committed', async () => {
    const db = new Database(':memory:');
    const stores = new MiStores(db);
    const committer = new GroupCommitter(db, stores.commitHooks());
    const results = await Promise.allSettled([
      committer.run(() => stores.mergeState('thing1', '1', '0x0202', { a: 1 }, 10)),
      committer.run(() => {
        stores.mergeState('thing1', '1', '0x0202', { bad: true }, 11);
        throw new Error('unit fails after merging');
      }),
      committer.run(() => stores.mergeState('thing1', '1', '0x0202', { b: 2 }, 12)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT attributes, updated_at FROM mi_thing_state').all()).toEqual([
      { attributes: '{"a":1,"b":2}', updated_at: 12 },
    ]);
    await committer.run(() => stores.mergeState('thing1', '1', '0x0202', { c: 3 }, 13));
    expect(stores.stateOf('thing1')[0]?.clusters).toEqual([
      { id: '0x0202', attributes: { a: 1, b: 2, c: 3 } },
    ]);
  });

  it('merges of one batch are written once, before the commit, with the final merge and the last time', async () => {
    const db = new Database(':memory:');
    const stores = new MiStores(db);
    const seen: unknown[] = [];
    const committer = new GroupCommitter(db, {
      ...stores.commitHooks(),
      // Runs after every unit of the batch and still inside its transaction.
      beforeCommit: () => {
        seen.push(db.prepare('SELECT COUNT(*) AS n FROM mi_thing_state').get());
        stores.flushState();
        seen.push(db.inTransaction);
      },
    });
    await Promise.all([
      committer.run(() => stores.mergeState('t', '1', '0x0202', { a: 1, b: 1 }, 10)),
      committer.run(() => stores.mergeState('t', '1', '0x0006', { on: true }, 11)),
      committer.run(() => stores.mergeState('t', '1', '0x0202', { b: 2 }, 12)),
    ]);
    expect(committer.stats()).toEqual({ batches: 1, units: 3 });
    expect(seen).toEqual([{ n: 0 }, true]);
    expect(
      db
        .prepare(
          'SELECT cluster_id, attributes, updated_at FROM mi_thing_state ORDER BY cluster_id',
        )
        .all(),
    ).toEqual([
      { cluster_id: '0x0006', attributes: '{"on":true}', updated_at: 11 },
      { cluster_id: '0x0202', attributes: '{"a":1,"b":2}', updated_at: 12 },
    ]);
    // A later batch builds on what was committed, also after the caches are dropped.
    stores.dropStateCache();
    await committer.run(() => stores.mergeState('t', '1', '0x0202', { c: 3 }, 13));
    expect(stores.stateOf('t')[0]?.clusters).toEqual([
      { id: '0x0006', attributes: { on: true } },
      { id: '0x0202', attributes: { a: 1, b: 2, c: 3 } },
    ]);
  });

  it('a failing state write rolls back its batch; the replay isolates the unit whose write fails', async () => {
    const db = new Database(':memory:');
    const stores = new MiStores(db);
    // Refuse one attribute value at the database, so the deferred write itself fails.
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON mi_thing_state
      WHEN NEW.attributes LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const committer = new GroupCommitter(db, stores.commitHooks());
    const results = await Promise.allSettled([
      committer.run(() => stores.mergeState('t1', '1', '0x0202', { a: 1 }, 10)),
      committer.run(() => stores.mergeState('t2', '1', '0x0202', { x: 'poison' }, 11)),
      committer.run(() => stores.mergeState('t3', '1', '0x0202', { c: 3 }, 12)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT thing_id FROM mi_thing_state ORDER BY thing_id').all()).toEqual([
      { thing_id: 't1' },
      { thing_id: 't3' },
    ]);
    expect(stores.stateOf('t2')).toEqual([]);
  });
});
