import { type Session, sleep } from './session.js';

// "Wait, then assert nothing more happened" without waiting blindly: when the suite can see every
// way something could still happen — the vendor's webhooks not yet delivered, the connector's
// queues (work, outbox) not yet empty — it asserts as soon as all of that is done, instead of
// watching a fixed quiet period go by.

/** Between two looks at the vendor's deliveries and the connector's queues. */
const LOOK_MS = 20;

/**
 * Resolves true once nothing set off so far can still reach the service: the vendor has no
 * webhook left to deliver, the connector's queues hold no message (waiting, in flight or
 * delayed), and no invocation of the connector finished between two such observations in a row
 * (so work handed from queue to vendor to webhook is never caught between two looks). False when
 * that did not happen within `ms`; undefined at once when the suite cannot see the vendor's
 * deliveries or the connector's queues (a vendor config, a deployed connector).
 */
export async function drained(session: Session, ms: number): Promise<boolean | undefined> {
  const pending = session.vendor.webhooksPending;
  const idle = session.queuesIdle;
  if (pending === undefined || idle === undefined) return undefined;
  // The vendor first: a delivery it finishes may leave work in a queue, seen by the look after.
  const busy = async () => (await pending.call(session.vendor)) || !(await idle());
  const deadline = Date.now() + ms;
  let quietSince: number | undefined;
  for (;;) {
    const finished = session.invocations().length;
    const still = !(await busy()) && session.invocations().length === finished;
    if (still && quietSince === finished) return true;
    quietSince = still ? finished : undefined;
    if (Date.now() >= deadline) return false;
    // A short, even step: what it waits for (a webhook, a queue message) takes milliseconds.
    await sleep(Math.min(LOOK_MS, Math.max(0, deadline - Date.now())));
  }
}

/**
 * The quiet period of a check that asserts something did not happen: over as soon as `drained`
 * says nothing more can, else after `quietMs` (what the suite waits when it cannot tell).
 */
export async function quiet(session: Session): Promise<void> {
  const { quietMs } = session.settings;
  if ((await drained(session, quietMs)) === undefined) await sleep(quietMs);
}
