import { describe, expect, it } from 'vitest';
import type { SeenInvocation, Session } from '../../src/conformance/session.js';
import { drained } from '../../src/conformance/settle.js';

// When a "nothing more may happen" watch may end early: only once the vendor has nothing left to
// deliver, the connector's queues are empty, and no invocation finished between two such looks.
// The scripted session plays one look per entry; the real stack is judged in reference.test.ts.

interface Look {
  readonly pending: boolean;
  readonly idle: boolean;
  /** An invocation finishes during this look. */
  readonly finishes?: boolean;
}

function scripted(looks: readonly Look[], signals = true) {
  const seen: SeenInvocation[] = [];
  let n = 0;
  const current = () => looks[Math.min(n, looks.length) - 1] as Look;
  const session = {
    vendor: signals
      ? {
          // Each look starts with the vendor.
          webhooksPending: async () => {
            n += 1;
            if (current().finishes) seen.push({} as SeenInvocation);
            return current().pending;
          },
        }
      : {},
    ...(signals ? { queuesIdle: async () => current().idle } : {}),
    invocations: () => seen,
  } as unknown as Session;
  return { session, looks: () => n };
}

describe('drained', () => {
  it('ends after two idle looks in a row with nothing finishing between them', async () => {
    const run = scripted([
      { pending: true, idle: true },
      { pending: false, idle: false },
      { pending: false, idle: true },
      { pending: false, idle: true },
    ]);
    expect(await drained(run.session, 5_000)).toBe(true);
    expect(run.looks()).toBe(4);
  });

  it('does not end while invocations keep finishing, even with idle queues', async () => {
    const run = scripted([
      { pending: false, idle: true, finishes: true },
      { pending: false, idle: true },
      { pending: false, idle: true, finishes: true },
      { pending: false, idle: true },
      { pending: false, idle: true },
    ]);
    expect(await drained(run.session, 5_000)).toBe(true);
    expect(run.looks()).toBe(5);
  });

  it('gives up when the bound passes first', async () => {
    const run = scripted([{ pending: true, idle: true }]);
    expect(await drained(run.session, 50)).toBe(false);
  });

  it('says it cannot tell when the vendor or the queues cannot be seen', async () => {
    const run = scripted([{ pending: false, idle: true }], false);
    expect(await drained(run.session, 5_000)).toBeUndefined();
  });
});
