import { type Session, sleep, waitFor } from './session.js';

// "Wait, then assert nothing more happened" without waiting blindly: when the suite can see every
// way something could still happen — the vendor's webhooks not yet delivered, the connector's
// queues (work, outbox) not yet empty — it asserts as soon as all of that is done, instead of
// watching a fixed quiet period go by.

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
  let quietSince: number | undefined;
  const done = await waitFor(ms, async () => {
    const finished = session.invocations().length;
    if (await busy()) {
      quietSince = undefined;
      return undefined;
    }
    if (quietSince === finished && session.invocations().length === finished) return true;
    quietSince = session.invocations().length === finished ? finished : undefined;
    return undefined;
  });
  return done === true;
}

/**
 * The quiet period of a check that asserts something did not happen: over as soon as `drained`
 * says nothing more can, else after `quietMs` (what the suite waits when it cannot tell).
 */
export async function quiet(session: Session): Promise<void> {
  const { quietMs } = session.settings;
  if ((await drained(session, quietMs)) === undefined) await sleep(quietMs);
}
