import { SERVICE_ENDPOINT_VARIABLES } from '@c2c-kit/connector/client';
import type { FaultConfig } from '@c2c-kit/emulator';
import { redactInvocation, validateConnectorInvokeReply } from '@c2c-kit/protocol';
import { customerEndpoints, type PlannedCommand } from './commands.js';
import type { RunContext } from './context.js';
import { type ConnectorEvent, waitFor } from './session.js';
import { quiet } from './settle.js';
import { type CheckOutcome, fail, notRun, pass } from './types.js';

// What the service's retries and the service's own failures must not do to a connector: a
// re-delivered SendCommand repeats nothing, and events SendConnectorEvent refuses for a while
// (429, 5xx) or leaves unanswered (the client times out) all arrive once it accepts again.

const mutating = (method: string) => method !== 'GET' && method !== 'HEAD';

/** Sends one planned command, then delivers its invocation `retries` more times. */
export async function replay(ctx: RunContext, list: readonly PlannedCommand[]): Promise<void> {
  await ctx.check('retries.replay', async (): Promise<CheckOutcome> => {
    const { session, state } = ctx;
    const proxy = session.proxy;
    if (proxy === undefined) {
      return notRun(
        session.noProxy ??
          'the connector names no vendor URL variable (vendorUrlEnv; with --deployed, --vendor-url-env), so its vendor calls cannot be counted',
      );
    }
    const cmd = list.find((c) => c.plan) ?? list[0];
    if (cmd === undefined) return notRun('no discovered device advertises a command');
    const deviceId = cmd.thing.deviceId;
    const at = Date.now();
    const out = await session.call<{ TraceId: string }>('retries', 'SendManagedThingCommand', {
      ManagedThingId: cmd.thing.thingId,
      Endpoints: customerEndpoints(cmd),
    });
    state.commands.push({ traceId: out.TraceId, thingId: cmd.thing.thingId, deviceId, at });
    const { ackMs, retries, commandResponseMs } = session.settings;
    const delivered = await waitFor(ackMs * (retries + 2), () =>
      session
        .invocations()
        .find(
          (i) =>
            i.kind === 'AWS.SendCommand' &&
            (i.event.payload as { traceId?: string } | undefined)?.traceId === out.TraceId,
        ),
    );
    if (delivered === undefined)
      return notRun(`the service's SendCommand for ${out.TraceId} was not seen`);
    const answered = (events: ConnectorEvent[]) =>
      events.filter(
        (e) => e.operation === 'DEVICE_COMMAND_RESPONSE' && e.body.TraceId === out.TraceId,
      );
    await waitFor(commandResponseMs, async () =>
      answered(await session.events()).length > 0 ? true : undefined,
    );
    const problems: string[] = [];
    for (let n = 1; n <= retries; n += 1) {
      const again = await session.invoke(delivered.event);
      const valid = validateConnectorInvokeReply(again.reply, 'AWS.SendCommand');
      const code =
        (again.reply as { header?: { responseCode?: number } })?.header?.responseCode ?? 0;
      if (again.functionError || !valid.ok || code < 200 || code > 299) {
        problems.push(
          `delivery ${n + 1} was answered ${again.functionError ? `with a function error` : `responseCode ${code}`}: ${again.text.slice(0, 200)}`,
        );
      }
    }
    await quiet(session);
    const calls = proxy
      .calls(at)
      .filter((c) => mutating(c.method) && (c.url.includes(deviceId) || c.body.includes(deviceId)));
    const answers = answered(await session.events());
    if (calls.length !== 1) {
      problems.unshift(`${calls.length} vendor calls changed ${deviceId}, expected 1`);
    }
    if (answers.length !== 1) {
      problems.unshift(
        `${answers.length} DEVICE_COMMAND_RESPONSE(s) with TraceId ${out.TraceId}, expected 1`,
      );
    }
    return problems.length === 0
      ? pass(`${retries + 1} deliveries, 1 vendor call, 1 answer`)
      : fail(problems[0] as string, {
          sent: redactInvocation(delivered.event),
          answer: {
            vendorCalls: calls.map((c) => `${c.method} ${c.url} → ${c.status}`),
            responses: answers.map((e) => e.body),
          },
          expected: `one vendor call and one DEVICE_COMMAND_RESPONSE for ${retries + 1} deliveries of the same invocation`,
          details: problems,
        });
  });
}

/**
 * SendConnectorEvent answers nothing until the client gives up (a request timeout), then refuses
 * everything (429, then 503), while the vendor's device changes.
 */
export async function sendFaults(ctx: RunContext, counter: { n: number }): Promise<void> {
  await ctx.check('retries.send-faults', async (): Promise<CheckOutcome> => {
    const { session, state } = ctx;
    const { vendor } = session;
    const deviceId = vendor.pickChangeable(state.things.map((t) => t.deviceId));
    if (deviceId === undefined || vendor.changeState === undefined) {
      return notRun('the vendor config gives no way to change a device (stateChange)');
    }
    const mark = Date.now();
    let sent = 0;
    const faults = await session.faults();
    let through: { requests: number; held: number } | undefined;
    try {
      for (const phase of PHASES) {
        faults.set(phase.fault);
        const before = webhooks(ctx, mark);
        const held = faults.seen?.().held ?? 0;
        for (let i = 0; i < phase.changes; i += 1) {
          counter.n += 1;
          await vendor.changeState(deviceId, counter.n);
          sent += 1;
        }
        // Each change's webhook has been through the connector's retries before faults change;
        // a held request is enough for the hang (its retry then finds the fault lifted).
        await waitFor(session.settings.deliveryMs, () =>
          webhooks(ctx, mark) >= before + phase.changes ||
          (phase.fault.hang !== undefined && (faults.seen?.().held ?? 0) > held)
            ? true
            : undefined,
        );
      }
      through = faults.seen?.();
    } finally {
      await faults.close();
    }
    if (through !== undefined && through.requests === 0) {
      return notRun(
        `no SendConnectorEvent reached the suite's fault endpoint: the connector reads its endpoint from none of ${SERVICE_ENDPOINT_VARIABLES.join(', ')}`,
      );
    }
    if (through !== undefined && through.held === 0) {
      return notRun(
        'the change made while SendConnectorEvent hung sent no SendConnectorEvent (was it parked behind earlier events?), so no request timeout was tried',
      );
    }
    const mine = async () =>
      (await session.events()).filter(
        (e) =>
          e.operation === 'DEVICE_EVENT' &&
          e.body.ConnectorDeviceId === deviceId &&
          e.receivedAt >= mark,
      );
    const distinct = (events: ConnectorEvent[]) =>
      new Set(events.map((e) => JSON.stringify(e.body.MatterEndpoint)));
    await waitFor(session.settings.deliveryMs, async () =>
      distinct(await mine()).size >= sent ? true : undefined,
    );
    await quiet(session);
    const events = await mine();
    const delivered = Math.min(distinct(events).size, sent);
    const counts = {
      sent,
      delivered,
      duplicated: events.length - distinct(events).size,
      lost: sent - delivered,
    };
    const line = `sent ${counts.sent}, delivered ${counts.delivered}, duplicated ${counts.duplicated}, lost ${counts.lost}`;
    return counts.lost === 0
      ? pass(line)
      : fail(line, {
          sent: `${sent} changes of ${deviceId} while SendConnectorEvent answered ${PHASES.map((p) => `${p.changes} × ${p.what}`).join(', then ')}`,
          answer: events.map((e) => e.body.MatterEndpoint),
          expected: `every change delivered within ${session.settings.deliveryMs} ms of the faults ending`,
        });
  });
}

/**
 * The faults in turn, each for a few changes. The hang comes first, while no earlier event of the
 * device waits in the connector's outbox (a change behind one is parked without a call), and has
 * one change: its call waits out the connector's own request timeout, and each more adds one.
 */
const PHASES: ReadonlyArray<{ fault: Partial<FaultConfig>; changes: number; what: string }> = [
  { fault: { hang: 1 }, changes: 1, what: 'no answer until the client gave up' },
  { fault: { throttle: 1 }, changes: 3, what: '429 ThrottlingException' },
  { fault: { error: 1 }, changes: 3, what: '503 ServiceUnavailableException' },
];

function webhooks(ctx: RunContext, since: number): number {
  return ctx.session.invocations().filter((i) => i.kind === 'webhook' && i.at >= since).length;
}
