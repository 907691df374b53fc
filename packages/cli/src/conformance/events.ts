import { validateDocument } from '../commands/validate.js';
import { deregisterAll } from '../dev/demoSetup.js';
import type { CapturedWebhook, RunContext } from './context.js';
import { judgeOperation } from './contract.js';
import { type ConnectorEvent, waitFor } from './session.js';
import { drained, quiet } from './settle.js';
import { type CheckOutcome, fail, notRun, pass } from './types.js';
import { deliver, resigned } from './webhooks.js';

// Unsolicited events: a change at the vendor becomes a valid DEVICE_EVENT for the right user, in
// time; none after the user is deactivated; no profile value of the user in any event.

const deviceEvents = (events: readonly ConnectorEvent[], since = 0) =>
  events.filter((e) => e.operation === 'DEVICE_EVENT' && e.receivedAt >= since);

/** Three changes at the vendor, each timed to its DEVICE_EVENT; the last webhook is kept. */
export async function latency(ctx: RunContext, counter: { n: number }): Promise<void> {
  const { session, state } = ctx;
  const { vendor } = session;
  const deviceId = vendor.pickChangeable(state.things.map((t) => t.deviceId));
  await ctx.check('events.latency', async (): Promise<CheckOutcome> => {
    if (deviceId === undefined || vendor.changeState === undefined) {
      return notRun('the vendor config gives no way to change a device (stateChange)');
    }
    const bound = session.settings.eventLatencyMs;
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const t0 = Date.now();
      counter.n += 1;
      await vendor.changeState(deviceId, counter.n);
      const arrived = await waitFor(bound * 2, async () =>
        deviceEvents(await session.events(), t0).find((e) => e.body.ConnectorDeviceId === deviceId),
      );
      if (arrived === undefined) {
        return fail(
          `no DEVICE_EVENT for ${deviceId} within ${bound * 2} ms of a change at the vendor`,
          {
            expected: `a DEVICE_EVENT within ${bound} ms`,
          },
        );
      }
      times.push(arrived.receivedAt - t0);
    }
    const worst = Math.max(...times);
    return worst <= bound
      ? pass(`${times.join(', ')} ms`)
      : fail(`a change took ${worst} ms to reach the service; the bound is ${bound} ms`, {
          expected: `every DEVICE_EVENT within ${bound} ms`,
          details: times.map((t) => `${t} ms`),
        });
  });
  if (deviceId !== undefined) state.webhook = capture(ctx, deviceId);
}

/** The newest webhook the Function URL received about `deviceId`. */
function capture(ctx: RunContext, deviceId: string): CapturedWebhook | undefined {
  const hooks = ctx.session.invocations().filter((i) => i.kind === 'webhook');
  for (let i = hooks.length - 1; i >= 0; i -= 1) {
    const event = hooks[i]?.event as {
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    if (body.includes(deviceId) && event.headers) {
      return { headers: event.headers, body, deviceId };
    }
  }
  return undefined;
}

export async function validAndRouted(ctx: RunContext): Promise<void> {
  const { session, state } = ctx;
  const events = deviceEvents(await session.events()).filter(
    (e) => state.deactivatedAt === undefined || e.receivedAt < state.deactivatedAt,
  );
  await ctx.check('events.valid', async () => {
    if (events.length === 0) return notRun('the connector sent no DEVICE_EVENT');
    for (const e of events) {
      const report = validateDocument(JSON.stringify(e.body));
      if (!report.valid) {
        return fail(
          `a DEVICE_EVENT is not valid: ${report.issues[0]?.path}: ${report.issues[0]?.message}`,
          {
            answer: e.body,
            expected: 'a SendConnectorEvent request the model and Matter 1.4 accept',
            details: report.issues.map((i) => `${i.path}: ${i.message}`),
          },
        );
      }
    }
    return pass(`${events.length} event(s)`);
  });
  await ctx.check('events.routing', async () => {
    const ours = new Set(state.things.map((t) => t.deviceId));
    const mine = events.filter((e) => ours.has(String(e.body.ConnectorDeviceId)));
    if (mine.length === 0) return notRun("no DEVICE_EVENT named one of the test user's devices");
    for (const e of mine) {
      const wrongUser = e.body.UserId !== undefined && e.body.UserId !== state.userId;
      if (!e.accepted || wrongUser) {
        return fail(
          wrongUser
            ? `a DEVICE_EVENT for ${String(e.body.ConnectorDeviceId)} named user ${String(e.body.UserId)}, not ${state.userId}`
            : `the service could not route a DEVICE_EVENT: ${e.reason}`,
          {
            answer: e.body,
            expected: `UserId ${state.userId} (what ActivateUser answered) and a device of that user`,
          },
        );
      }
    }
    return pass(`${mine.length} event(s)`);
  });
}

/** DeleteAccountAssociation (→ AWS.DeactivateUser), then changes that must not become events. */
export async function deactivation(ctx: RunContext, counter: { n: number }): Promise<void> {
  const { session, state } = ctx;
  if (state.associationId === undefined) return;
  if (!ctx.wants('contract.deactivate-user', 'events.after-deactivation')) return;
  await deregisterAll(session.call, 'deactivation', { AccountAssociationId: state.associationId });
  const mark = Date.now();
  await session.call('deactivation', 'DeleteAccountAssociation', {
    AccountAssociationId: state.associationId,
  });
  const { ackMs, retries } = session.settings;
  const ended = await waitFor(ackMs * (retries + 2), () =>
    session.invocations().find((i) => i.kind === 'AWS.DeactivateUser' && i.at >= mark - 1000),
  );
  state.deactivatedAt = ended ? ended.at + ended.durationMs : Date.now();
  await ctx.check('contract.deactivate-user', async () =>
    judgeOperation(ctx, 'AWS.DeactivateUser'),
  );
  await ctx.check('events.after-deactivation', async (): Promise<CheckOutcome> => {
    // A change the vendor made just before the revocation may still be on its way (a webhook
    // delivered while DeactivateUser ran): once everything in flight has arrived, the watch
    // starts, so only what the suite's changes below set off is held against the connector.
    const arrived = await drained(session, session.settings.eventLatencyMs);
    const since = arrived === true ? Date.now() : (state.deactivatedAt ?? Date.now());
    const tried: string[] = [];
    const deviceId = session.vendor.pickChangeable(state.things.map((t) => t.deviceId));
    if (deviceId !== undefined && session.vendor.changeState) {
      counter.n += 1;
      await session.vendor.changeState(deviceId, counter.n);
      tried.push(`a change of ${deviceId} at the vendor`);
    }
    if (state.webhook && session.vendor.webhookSecret) {
      await deliver(session, resigned(state.webhook, session.vendor.webhookSecret));
      tried.push(`a freshly signed webhook about ${state.webhook.deviceId}`);
    }
    if (tried.length === 0) return notRun('nothing could make the vendor report a change');
    await quiet(session);
    const ours = new Set(state.things.map((t) => t.deviceId));
    const late = (await session.events()).filter(
      (e) =>
        e.receivedAt > since &&
        (e.body.UserId === state.userId || ours.has(String(e.body.ConnectorDeviceId))),
    );
    return late.length === 0
      ? pass(`nothing sent after ${tried.join(' and ')}`)
      : fail(`${late.length} event(s) sent for the user after DeactivateUser`, {
          sent: tried,
          answer: late[0]?.body,
          expected: 'no event for a deactivated user',
        });
  });
}

/** Every string anywhere in a value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) strings(v, out);
  }
  return out;
}

export async function profileData(ctx: RunContext): Promise<void> {
  await ctx.check('events.no-profile-data', async () => {
    const values = ctx.session.vendor.profileValues.filter((v) => v.length >= 3);
    if (values.length === 0)
      return notRun('the vendor config gives no user.profile values to look for');
    const events = await ctx.session.events();
    if (events.length === 0) return notRun('the connector sent no event');
    for (const e of events) {
      for (const text of strings(e.body)) {
        const found = values.find((v) => text.toLowerCase().includes(v.toLowerCase()));
        if (found !== undefined) {
          return fail(`a ${e.operation} carries the user's profile value "${found}"`, {
            answer: e.body,
            expected: "no name, e-mail, address or phone of the vendor's user in any field",
          });
        }
      }
    }
    return pass(`${events.length} event(s) searched`);
  });
}
