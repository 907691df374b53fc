import { randomBytes } from 'node:crypto';
import {
  type ClusterDef,
  type CommandDef,
  capabilityActionsToMatter,
  capabilityOf,
  formatAttributeId,
  formatClusterId,
  getCluster,
  getCommand,
  tryParseMatterId,
} from '@c2c-kit/matter';
import { buildInvocation, type MatterEndpoint } from '@c2c-kit/protocol';
import { validateDocument } from '../commands/validate.js';
import type { Json } from '../dev/demoSetup.js';
import type { RunContext, TestThing } from './context.js';
import { judgeOperation } from './contract.js';
import { type CommandPlan, type Expectation, genericFields, PLANS } from './plans.js';
import { type ConnectorEvent, waitFor } from './session.js';
import { drained } from './settle.js';
import { type CheckOutcome, fail, notRun, pass } from './types.js';
import type { VendorDeviceState } from './vendor.js';

/** One command of one cluster a discovered device advertises, ready to send. */
export interface PlannedCommand {
  readonly thing: TestThing;
  readonly endpointId: string;
  readonly cluster: ClusterDef;
  readonly command: CommandDef;
  readonly plan?: CommandPlan;
  readonly fields: Record<string, unknown>;
  readonly label: string;
}

/** What happened to one command sent through the service. */
interface Sent {
  readonly cmd: PlannedCommand;
  readonly traceId: string;
  readonly at: number;
  response?: ConnectorEvent;
  /** A refused DEVICE_COMMAND_RESPONSE that arrived instead. */
  stray?: ConnectorEvent;
  expected?: Expectation[];
  vendorBefore?: VendorDeviceState;
  vendorAfter?: VendorDeviceState;
}

/** Every (endpoint, cluster, command) the things' capability reports advertise, in order. */
export function commandList(things: readonly TestThing[]): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  for (const thing of things) {
    for (const endpoint of (thing.report.endpoints as Json[] | undefined) ?? []) {
      for (const c of (endpoint.clusters as Json[] | undefined) ?? []) {
        const cluster = getCluster(String(c.id));
        if (cluster === undefined) continue;
        for (const id of (c.commands as string[] | undefined) ?? []) {
          const command = getCommand(cluster, id, 'request');
          if (command === undefined) continue;
          const plan = PLANS[`${cluster.name}.${command.name}`];
          const fields = plan?.fields ?? genericFields(cluster, command);
          if (fields === undefined) continue;
          out.push({
            thing,
            endpointId: String(endpoint.id),
            cluster,
            command,
            fields: { ...fields },
            label: `${thing.deviceId} ${cluster.name}.${command.name}`,
            ...(plan ? { plan } : {}),
          });
        }
      }
    }
  }
  return out;
}

/** The customer's form of a command (SendManagedThingCommand's Endpoints). */
export function customerEndpoints(cmd: PlannedCommand): Json[] {
  return [
    {
      endpointId: cmd.endpointId,
      capabilities: [
        {
          ...capabilityOf(cmd.cluster.name),
          actions: [{ name: cmd.command.name, parameters: cmd.fields }],
        },
      ],
    },
  ];
}

const key = (cluster: string, attribute: string) => `${cluster}/${attribute}`;

function canonical(id: unknown, format: (n: number) => string): string {
  const n = tryParseMatterId(String(id));
  return n === undefined ? String(id) : format(n);
}

/** Attribute values an event reports: `0x0006/0x0000` → value (numbers and booleans normalised). */
export function reportedAttributes(body: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const endpoint = body.MatterEndpoint as Json | undefined;
  for (const cluster of (endpoint?.clusters as Json[] | undefined) ?? []) {
    const raw = cluster.attributes;
    const entries = Array.isArray(raw)
      ? raw.flatMap((a) => Object.entries(a as Json))
      : Object.entries((raw as Json | undefined) ?? {});
    for (const [id, value] of entries) {
      const v =
        value === 'true'
          ? true
          : value === 'false'
            ? false
            : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
              ? Number(value)
              : value;
      out.set(key(canonical(cluster.id, formatClusterId), canonical(id, formatAttributeId)), v);
    }
  }
  return out;
}

/** Latest values reported for a device by its events up to `until` (responses by trace id). */
function latest(
  events: readonly ConnectorEvent[],
  deviceId: string,
  traces: Set<string>,
  from: number,
  until: number,
) {
  const out = new Map<string, unknown>();
  for (const e of events) {
    if (!e.accepted || e.receivedAt < from || e.receivedAt > until) continue;
    const mine =
      (e.operation === 'DEVICE_EVENT' && e.body.ConnectorDeviceId === deviceId) ||
      (e.operation === 'DEVICE_COMMAND_RESPONSE' && traces.has(String(e.body.TraceId)));
    if (mine) for (const [k, v] of reportedAttributes(e.body)) out.set(k, v);
  }
  return out;
}

/** Every value reported for one attribute of a device in a window, in arrival order. */
function reported(
  events: readonly ConnectorEvent[],
  deviceId: string,
  traceId: string,
  from: number,
  until: number,
  attribute: string,
): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    if (!e.accepted || e.receivedAt < from || e.receivedAt > until) continue;
    const mine =
      (e.operation === 'DEVICE_EVENT' && e.body.ConnectorDeviceId === deviceId) ||
      (e.operation === 'DEVICE_COMMAND_RESPONSE' && e.body.TraceId === traceId);
    const value = mine ? reportedAttributes(e.body).get(attribute) : undefined;
    if (value !== undefined) out.push(value);
  }
  return out;
}

function unmet(expected: readonly Expectation[], values: Map<string, unknown>): string[] {
  return expected.flatMap((x) => {
    const got = values.get(key(x.cluster, x.attribute));
    if (got === undefined) return [`${x.name} was never reported`];
    const ok =
      typeof x.value === 'boolean'
        ? got === x.value
        : typeof got === 'number' && Math.abs(got - x.value) <= x.tolerance;
    return ok
      ? []
      : [
          `${x.name} is ${JSON.stringify(got)}, expected ${String(x.value)}${x.tolerance ? ` ± ${x.tolerance}` : ''}`,
        ];
  });
}

/** The direct SendCommand probe, then every advertised command through the service. */
export async function commands(ctx: RunContext): Promise<PlannedCommand[]> {
  const { session, state } = ctx;
  const list = commandList(state.things);
  await ctx.check('contract.send-command', async () => {
    const first = list.find((c) => c.plan) ?? list[0];
    if (first === undefined) return notRun('no discovered device advertises a command');
    const matter = capabilityActionsToMatter(customerEndpoints(first)[0] as never);
    if (!matter.ok) return notRun(`the suite could not build ${first.label}`);
    const traceId = `${randomBytes(8).toString('hex').slice(0, 15)}=_9`;
    state.probeTraces.add(traceId);
    const envelope = buildInvocation({
      operationName: 'AWS.SendCommand',
      auth: { type: 'OAuth2.0', token: state.token ?? (await session.vendor.userToken()) },
      connectorId: session.stack.connectorId,
      connectorDeviceId: first.thing.deviceId,
      traceId,
      endpoints: [matter.value as unknown as MatterEndpoint],
    });
    await session.invoke(envelope);
    return judgeOperation(ctx, 'AWS.SendCommand');
  });
  if (
    !ctx.wants('commands.trace-id', 'commands.response', 'commands.state', 'commands.vendor-state')
  ) {
    return list;
  }
  if (!ctx.passed('contract.send-command')) {
    for (const id of [
      'commands.trace-id',
      'commands.response',
      'commands.state',
      'commands.vendor-state',
    ]) {
      await ctx.check(id, async () => notRun('needs contract.send-command'));
    }
    return list;
  }
  const sent: Sent[] = [];
  await ctx.check('commands.trace-id', async () => {
    let stopped: string | undefined;
    for (const cmd of list) {
      const result = await sendOne(ctx, cmd, sent);
      sent.push(result);
      if (result.response === undefined) {
        stopped = `${cmd.label} was not answered; ${list.length - sent.length} later command(s) not sent`;
        break;
      }
    }
    return traceCheck(sent, stopped, session.settings.commandResponseMs);
  });
  const events = await session.events();
  await ctx.check('commands.response', async () => responseCheck(sent));
  await ctx.check('commands.state', async () => stateCheck(sent, events));
  await ctx.check('commands.vendor-state', async () => vendorCheck(ctx, sent));
  return list;
}

async function sendOne(
  ctx: RunContext,
  cmd: PlannedCommand,
  earlier: readonly Sent[],
): Promise<Sent> {
  const { session, state } = ctx;
  const deviceId = cmd.thing.deviceId;
  const traces = new Set([...earlier.map((s) => s.traceId), ...state.probeTraces]);
  // A planned command starts from a device whose earlier changes have all been reported: its
  // expectation may rest on the last reported value (Toggle, SetpointRaiseLower), and a late
  // webhook of an earlier command must not land among this command's reports.
  if (cmd.plan) await drained(session, session.settings.eventLatencyMs);
  const before = latest(await session.events(), deviceId, traces, 0, Date.now());
  const vendorBefore = cmd.plan?.vendor ? await session.vendor.trueState?.(deviceId) : undefined;
  const at = Date.now();
  const out = await session.call<{ TraceId: string }>('commands', 'SendManagedThingCommand', {
    ManagedThingId: cmd.thing.thingId,
    Endpoints: customerEndpoints(cmd),
  });
  state.commands.push({ traceId: out.TraceId, thingId: cmd.thing.thingId, deviceId, at });
  const result: Sent = { cmd, traceId: out.TraceId, at, ...(vendorBefore ? { vendorBefore } : {}) };
  await waitFor(session.settings.commandResponseMs, async () => {
    for (const e of await session.events()) {
      if (e.operation !== 'DEVICE_COMMAND_RESPONSE' || e.receivedAt < at) continue;
      if (e.accepted && e.body.TraceId === out.TraceId) {
        result.response = e;
        return true;
      }
      // Refused and not another command's: the connector's answer to this one, gone wrong.
      if (!e.accepted && !traces.has(String(e.body.TraceId))) {
        result.stray = e;
        return true;
      }
    }
    return undefined;
  });
  if (result.response === undefined) return result;
  const expected = cmd.plan?.expect((c, a) => before.get(key(c, a)));
  if (expected !== undefined) {
    result.expected = expected;
    // The new state may come with the answer or in DEVICE_EVENTs just after it.
    await waitFor(session.settings.eventLatencyMs, async () => {
      const now = latest(await session.events(), deviceId, new Set([out.TraceId]), at, Date.now());
      return unmet(expected, now).length === 0 ? true : undefined;
    });
  }
  if (vendorBefore) {
    const after = await session.vendor.trueState?.(deviceId);
    if (after) result.vendorAfter = after;
  }
  return result;
}

function traceCheck(sent: readonly Sent[], stopped: string | undefined, ms: number): CheckOutcome {
  const missing = sent.find((s) => s.response === undefined);
  if (missing === undefined) return pass(`${sent.length} command(s) answered`);
  const stray = missing.stray;
  return fail(
    stray
      ? `${missing.cmd.label}: the answer carried TraceId ${JSON.stringify(stray.body.TraceId ?? null)}, not ${missing.traceId}`
      : `${missing.cmd.label}: no DEVICE_COMMAND_RESPONSE within ${ms} ms`,
    {
      sent: { TraceId: missing.traceId, Endpoints: customerEndpoints(missing.cmd) },
      ...(stray ? { answer: stray.body } : {}),
      expected: `a DEVICE_COMMAND_RESPONSE with TraceId ${missing.traceId}`,
      details: [
        ...(stray?.reason ? [`the service refused it: ${stray.reason}`] : []),
        ...(stopped ? [stopped] : []),
      ],
    },
  );
}

function responseCheck(sent: readonly Sent[]): CheckOutcome {
  for (const s of sent) {
    if (s.response === undefined) continue;
    const report = validateDocument(JSON.stringify(s.response.body));
    const status = Number(s.response.body.StatusCode ?? 200);
    const problem = !report.valid
      ? report.issues.map((i) => `${i.path}: ${i.message}`).join('; ')
      : s.cmd.plan && status >= 300
        ? `StatusCode ${status} (${String(s.response.body.Message ?? 'no message')}) for a command the device advertises`
        : status >= 300 && typeof s.response.body.Message !== 'string'
          ? `StatusCode ${status} without a Message saying why`
          : undefined;
    if (problem) {
      return fail(`${s.cmd.label}: ${problem}`, {
        sent: { TraceId: s.traceId, Endpoints: customerEndpoints(s.cmd) },
        answer: s.response.body,
        expected: s.cmd.plan
          ? 'a valid, successful response'
          : 'a valid response (a failure needs its Message)',
      });
    }
  }
  const answered = sent.filter((s) => s.response);
  return pass(
    `${answered.length} response(s), ${answered.filter((s) => s.cmd.plan).length} planned`,
  );
}

function stateCheck(sent: readonly Sent[], events: readonly ConnectorEvent[]): CheckOutcome {
  const planned = sent.filter((s) => s.expected !== undefined);
  if (planned.length === 0)
    return notRun('no planned command with a known starting state was sent');
  for (const s of planned) {
    // Everything reported about the device until the next command to it: the last word counts,
    // except a late report of what the device's previous command set (its vendor webhook can
    // arrive after this command's answer) once this command's own value has been reported.
    const deviceId = s.cmd.thing.deviceId;
    const next = sent.find((o) => o.at > s.at && o.cmd.thing.deviceId === deviceId);
    const until = next?.at ?? Date.now();
    const values = latest(events, deviceId, new Set([s.traceId]), s.at, until);
    const earlier = planned.filter((o) => o.at < s.at && o.cmd.thing.deviceId === deviceId).at(-1);
    const wrong = (s.expected ?? []).flatMap((x) => {
      const problems = unmet([x], values);
      const k = key(x.cluster, x.attribute);
      const before = earlier?.expected?.find((e) => key(e.cluster, e.attribute) === k);
      if (problems.length === 0 || before === undefined) return problems;
      const series = reported(events, deviceId, s.traceId, s.at, until, k);
      const meets = (e: Expectation, v: unknown) => unmet([e], new Map([[k, v]])).length === 0;
      const forgiven = series.some((v) => meets(x, v)) && meets(before, series.at(-1));
      return forgiven ? [] : problems;
    });
    if (wrong.length > 0) {
      return fail(`${s.cmd.label}: ${wrong[0]}`, {
        sent: { TraceId: s.traceId, Endpoints: customerEndpoints(s.cmd) },
        answer: Object.fromEntries(values),
        expected: (s.expected ?? []).map((x) => `${x.name} = ${String(x.value)}`).join(', '),
        details: wrong,
      });
    }
  }
  return pass(`${planned.length} planned command(s)`);
}

function vendorCheck(ctx: RunContext, sent: readonly Sent[]): CheckOutcome {
  if (ctx.session.vendor.trueState === undefined) {
    return notRun("the vendor config gives no way to read the vendor's device state");
  }
  const judged = sent.filter((s) => s.cmd.plan?.vendor && s.vendorBefore && s.vendorAfter);
  for (const s of judged) {
    const wrong = s.cmd.plan?.vendor?.(
      s.vendorAfter?.kind ?? '',
      s.vendorBefore?.state ?? {},
      s.vendorAfter?.state ?? {},
    );
    if (wrong) {
      return fail(`${s.cmd.label}: at the vendor, ${wrong}`, {
        sent: { TraceId: s.traceId, Endpoints: customerEndpoints(s.cmd) },
        answer: s.vendorAfter,
        expected: `the vendor's device in the state ${s.cmd.cluster.name}.${s.cmd.command.name} sets`,
      });
    }
  }
  return judged.length > 0
    ? pass(`${judged.length} command(s)`)
    : notRun('no planned command was sent');
}
