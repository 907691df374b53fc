import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conformance } from './run.js';

// Proof that `c2c test` catches what it claims: each fixture is the reference connector with one
// thing broken, run through the real bin, and must fail exactly the checks listed — no more (a
// broken part must not drag others down), no fewer. Checks that need a failed one are "not run".

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const CASES: ReadonlyArray<{
  fixture: string;
  fails: string[];
  notRun?: string[];
  flags?: string[];
  /** Time bounds (default: loose ones, see run.ts); [] keeps the service's. */
  bounds?: string[];
}> = [
  // A 6 s answer against the service's 2 s: missed by far on any machine.
  {
    fixture: 'slow-ack.ts',
    bounds: [],
    fails: ['contract.send-command'],
    notRun: [
      'commands.trace-id',
      'commands.response',
      'commands.state',
      'commands.vendor-state',
      'retries.replay',
    ],
  },
  {
    fixture: 'wrong-discovery-id.ts',
    fails: ['discovery.discovery-id'],
    notRun: [
      'discovery.rediscovery',
      'contract.send-command',
      'commands.trace-id',
      'commands.response',
      'commands.state',
      'commands.vendor-state',
      'retries.replay',
      'events.valid',
      'events.routing',
      'events.latency',
      'retries.send-faults',
      'security.webhook-replay',
      'security.webhook-signature',
      'security.webhook-expired',
      'events.after-deactivation',
    ],
  },
  {
    fixture: 'missing-trace-id.ts',
    fails: ['commands.trace-id'],
    notRun: ['commands.response', 'commands.state', 'commands.vendor-state', 'retries.replay'],
  },
  { fixture: 'duplicate-vendor-call.ts', fails: ['retries.replay'], notRun: [] },
  // Its events are lost for good: waiting the default 30 s for them proves nothing more.
  {
    fixture: 'lost-events.ts',
    fails: ['retries.send-faults'],
    notRun: [],
    flags: ['--delivery-ms', '8000'],
  },
  { fixture: 'event-after-deactivation.ts', fails: ['events.after-deactivation'], notRun: [] },
  { fixture: 'name-in-events.ts', fails: ['events.no-profile-data'], notRun: [] },
  { fixture: 'stale-webhooks.ts', fails: ['security.webhook-expired'], notRun: [] },
  { fixture: 'token-in-logs.ts', fails: ['security.secrets-in-logs'], notRun: [] },
];

describe('c2c test: each broken connector fails exactly its checks', () => {
  for (const { fixture, fails, notRun, flags, bounds } of CASES) {
    it(fixture, async () => {
      const run = await conformance(`${FIXTURES}${fixture}`, flags, undefined, bounds);
      const why = JSON.stringify(
        run.report.results.filter((r) => r.status !== 'pass'),
        null,
        2,
      );
      expect(run.failed, why).toEqual(fails);
      if (notRun) expect(run.notRun, why).toEqual(notRun);
      expect(run.code).toBe(1);
      // Each failure carries its evidence and where the doc explains the fix.
      for (const r of run.report.results.filter((x) => x.status === 'fail')) {
        expect(r.evidence?.expected).toBeTruthy();
        expect(r.doc).toMatch(/^docs\/conformance\.md#/);
      }
    }, 180_000);
  }
});
