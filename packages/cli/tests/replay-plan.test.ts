import type { OutboxEntry } from '@c2c-kit/connector';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planReplay } from '../src/index.js';
import { runCliInProcess } from './helpers/bin.js';

const OPERATIONS = ['DEVICE_EVENT', 'DEVICE_COMMAND_RESPONSE', 'DEVICE_DISCOVERY'] as const;

const entryArb = fc.record({
  deviceKey: fc.constantFrom('fan-1', 'cam-2', 'lock-3', 'ünï-4'),
  operation: fc.constantFrom(...OPERATIONS),
  attempts: fc.integer({ min: 1, max: 50 }),
  createdAt: fc.integer({ min: 0, max: 2_000_000_000_000 }),
  lastError: fc.oneof(fc.string(), fc.constantFrom('ThrottlingException: token=abc123 secret')),
});

describe('planReplay (the --dry-run grouping)', () => {
  it('groups every entry under its device, first-seen order, with operation counts', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 60 }), (raw) => {
        const entries: OutboxEntry[] = raw.map((e, i) => ({
          id: i + 1,
          deviceKey: e.deviceKey,
          request: { ConnectorId: 'c', Operation: e.operation } as OutboxEntry['request'],
          attempts: e.attempts,
          lastError: e.lastError,
          createdAt: e.createdAt,
        }));
        const plans = planReplay(entries);
        expect(plans.map((p) => p.deviceKey)).toEqual([...new Set(raw.map((e) => e.deviceKey))]);
        expect(plans.reduce((n, p) => n + p.count, 0)).toBe(entries.length);
        for (const plan of plans) {
          const mine = raw.filter((e) => e.deviceKey === plan.deviceKey);
          expect(Object.values(plan.operations).reduce((a, b) => a + b, 0)).toBe(plan.count);
          expect(plan.oldestAt).toBe(Math.min(...mine.map((e) => e.createdAt)));
          expect(plan.maxAttempts).toBe(Math.max(...mine.map((e) => e.attempts)));
          // Only an error *name* is ever shown: never the message after the colon.
          expect(plan.lastErrorName ?? '').not.toMatch(/[:\s]/);
          expect(plan.lastErrorName ?? '').not.toContain('abc123');
        }
      }),
    );
  });

  it('names entries that are not SendConnectorEvent requests', () => {
    const plans = planReplay([
      {
        id: 1,
        deviceKey: 'x',
        request: undefined as never,
        attempts: 1,
        lastError: '',
        createdAt: 1,
      },
    ]);
    expect(plans[0]?.operations).toEqual({ '(not a SendConnectorEvent request)': 1 });
  });
});

const run = (argv: string[]) =>
  runCliInProcess(argv, {
    cwd: '/nonexistent-dir-for-c2c-tests',
    env: { AWS_REGION: 'us-east-1' },
  });

describe('c2c replay flag parsing never crashes', () => {
  it('any --limit / --endpoint / --region value is a usage error (2) or reaches the file check (1)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('--limit', '--endpoint', '--region'),
        async (value, flag) => {
          const args = ['replay', '--sqlite', 'missing.sqlite', `${flag}=${value}`, '--dry-run'];
          const result = await run(args);
          expect(result.stderr).not.toContain('internal error');
          if (result.code === 2) {
            expect(result.stderr).toMatch(/^c2c replay: /);
          } else {
            expect(result.code).toBe(1);
            expect(result.stderr).toContain('cannot read missing.sqlite: no such file');
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
