import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos.js';
import { countRun } from '../count.js';
import { DEFAULTS, killSchedule, parseChaosArgs, seqOf, temperatureOf } from '../plan.js';

// The chaos suite proving itself: a small real run (child processes, SIGKILL, the emulator's
// fault injection) must pass, and the same suite against a store that lost and reordered events
// must report it. No timing asserts; every wait in the suite is bounded by --max-seconds.

describe('chaos counting', () => {
  it('counts losses, copies and first-arrival order per device', () => {
    const acked = new Map([
      ['chaos-d000', [1, 2, 3, 4]],
      ['chaos-d001', [1, 2]],
    ]);
    const arrivals = [
      { device: 'chaos-d000', seq: 1 },
      { device: 'chaos-d000', seq: 3 },
      { device: 'chaos-d000', seq: 2 },
      { device: 'chaos-d000', seq: 1 },
      { device: 'chaos-d001', seq: 1 },
      { device: 'chaos-d001', seq: 2 },
    ];
    const count = countRun(acked, arrivals);
    expect(count.devices[0]).toEqual({
      device: 'chaos-d000',
      acknowledged: 4,
      delivered: 3,
      lost: 1,
      duplicated: 1,
      orderViolations: 1,
    });
    expect(count.total).toEqual({
      acknowledged: 6,
      delivered: 5,
      lost: 1,
      duplicated: 1,
      orderViolations: 1,
    });
    expect(count.lostExamples).toEqual(['chaos-d000#4']);
  });

  it('carries sequence numbers through the temperature and schedules every kind of kill', () => {
    expect(seqOf(Math.round(temperatureOf(4321) * 100))).toBe(4321);
    expect(seqOf(2150)).toBeUndefined();
    const kinds = killSchedule({ events: 300, kills: 2, seed: 7 }).map((k) => k.kind);
    expect(kinds).toEqual(['worker', 'stack', 'emulator', 'worker', 'stack', 'emulator']);
    expect(parseChaosArgs([])).toEqual(DEFAULTS);
    expect(() => parseChaosArgs(['--events', 'many'])).toThrow(/--events/);
  });
});

describe('chaos run', () => {
  it('300 events, 10 devices, one SIGKILL of each kind, faults: nothing lost or reordered', async () => {
    const report = await runChaos(
      { ...DEFAULTS, events: 300, devices: 10, kills: 1, maxSeconds: 300 },
      (line) => console.log(`[chaos] ${line}`),
    );
    expect(report.kills).toEqual({ worker: 1, stack: 1, emulator: 1 });
    expect(report.unacknowledged).toBe(0);
    expect(report.total.acknowledged).toBe(300);
    expect(report.failures).toEqual([]);
    expect(report.total.lost).toBe(0);
    expect(report.total.orderViolations).toBe(0);
    expect(report.total.delivered).toBe(300);
    expect(report.total.duplicated).toBeLessThanOrEqual(report.allowedDuplicates);
  }, 420_000);

  it('reports the loss and the reordering of a deliberately broken store, and fails', async () => {
    const report = await runChaos(
      { ...DEFAULTS, events: 60, devices: 3, kills: 0, maxSeconds: 180, sabotage: true },
      (line) => console.log(`[chaos sabotage] ${line}`),
    );
    expect(report.total.acknowledged).toBe(60);
    expect(report.total.lost).toBe(3);
    expect(report.total.orderViolations).toBeGreaterThanOrEqual(1);
    expect(report.failures.join('; ')).toMatch(/3 acknowledged events lost.*order violations/);
  }, 300_000);
});
