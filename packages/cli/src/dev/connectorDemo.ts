import { capabilityOf } from '@c2c-kit/matter';
import { StepFailedError } from '../errors.js';
import { describeNotification } from '../notifications.js';
import type { DemoNarrator, DemoOptions, DemoStepResult } from './demo.js';
import { demoCaller, type Json, linkAndRegister } from './demoSetup.js';
import { type ArrivedNotification, NotificationWatcher } from './notificationWatcher.js';
import type { DevStack } from './stack.js';

/**
 * `c2c dev --demo` with any connector whose vendor client talks to the simulated vendor cloud (a
 * `c2c init` project, the README example): link a user, discover, create and register the
 * things, then one command per discovered device kind (chosen from the thing's capabilities),
 * then one device event fired at the vendor cloud — each step narrated, each checked by the
 * customer notification it must produce.
 */

export interface ConnectorDemoResult {
  readonly steps: readonly DemoStepResult[];
  readonly accountAssociationId: string;
  /** One per device kind that takes commands: the thing, the command, its trace id. */
  readonly commands: ReadonlyArray<{ kind: string; thingId: string; command: string }>;
  /** The thing the device event was fired at. */
  readonly event: { kind: string; thingId: string };
}

/** Commands the demo knows, by capability (cluster), first match wins. */
const COMMANDS: ReadonlyArray<{ cluster: string; action: string; parameters: Json; say: string }> =
  [
    { cluster: 'DoorLock', action: 'UnlockDoor', parameters: {}, say: 'DoorLock.UnlockDoor' },
    {
      cluster: 'FanControl',
      action: 'FanMode',
      parameters: { FanMode: 3 },
      say: 'FanControl.FanMode = High',
    },
    {
      cluster: 'Thermostat',
      action: 'OccupiedHeatingSetpoint',
      parameters: { OccupiedHeatingSetpoint: 2200 },
      say: 'Thermostat.OccupiedHeatingSetpoint = 22 °C',
    },
    { cluster: 'OnOff', action: 'On', parameters: {}, say: 'OnOff.On' },
  ];

type VendorState = Record<string, unknown>;

/** The simulated cloud's trigger for each kind, and the words its notification must carry. */
const EVENTS: Record<
  string,
  (state: VendorState) => { event: string; params?: Json; words: RegExp }
> = {
  camera: () => ({ event: 'motion', words: /motion detected/ }),
  contact: (s) =>
    s.open === true ? { event: 'close', words: /closed/ } : { event: 'open', words: /opened/ },
  light: (s) => ({ event: 'switch', words: s.on === true ? /turned off/ : /turned on/ }),
  lock: (s) =>
    s.lockState === 'locked'
      ? { event: 'manual_unlock', words: /LockState → Unlocked/ }
      : { event: 'manual_lock', words: /LockState → Locked/ },
  fan: (s) => {
    const next =
      { off: 'Low', low: 'Medium', medium: 'High', high: 'Off' }[String(s.mode)] ?? 'Low';
    return { event: 'button', words: new RegExp(`FanMode → ${next}`) };
  },
  thermostat: (s) => {
    const temperatureC = Math.round((Number(s.temperatureC ?? 20) + 1.5) * 10) / 10;
    return { event: 'temperature', params: { temperatureC }, words: /LocalTemperature/ };
  },
};

async function vendorDevices(
  stack: DevStack,
): Promise<Map<string, { kind: string; state: VendorState }>> {
  const response = await fetch(`${stack.vendorCloudUrl}/_sim/devices`);
  const body = (await response.json()) as {
    devices?: Array<{ deviceId: string; kind: string; state: VendorState }>;
  };
  return new Map((body.devices ?? []).map((d) => [d.deviceId, { kind: d.kind, state: d.state }]));
}

export async function runConnectorDemo(
  stack: DevStack,
  narrator: DemoNarrator,
  options: DemoOptions = {},
): Promise<ConnectorDemoResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const user = stack.demoUsers.find(
    (u) => u.username === (options.username ?? stack.demoUsers[0]?.username),
  );
  if (user === undefined) throw new StepFailedError('link account', 'no demo user to link');
  const watcher = new NotificationWatcher(stack.notificationStreamUrl);
  await watcher.start();
  const call = demoCaller(stack);
  try {
    const setup = await linkAndRegister(stack, narrator, watcher, call, {
      username: user.username,
      password: options.password ?? user.password,
      timeoutMs,
    });
    const steps: DemoStepResult[] = [...setup.steps];
    const { things, names } = setup;
    const show = (n: ArrivedNotification) => {
      const thingId = describeNotification(n.message).managedThingId;
      const described = describeNotification(n.message, thingId ? names.get(thingId) : undefined);
      narrator.detail(`notification ${described.eventType}: ${described.words}`);
    };
    // The vendor's kind of each device: what the demo groups by and fires events at.
    const vendor = await vendorDevices(stack);
    const byKind = new Map<string, Json>();
    for (const thing of things) {
      const kind = vendor.get(String(thing.ConnectorDeviceId))?.kind ?? 'unknown';
      if (!byKind.has(kind)) byKind.set(kind, thing);
    }
    narrator.ok(
      'managed things',
      `${things.length} managed things; device kinds: ${[...byKind.keys()].join(', ')}`,
    );
    steps.push({ step: 'managed things', notifications: [] });

    // One command per kind, chosen from the thing's capabilities.
    const commands: Array<{ kind: string; thingId: string; command: string }> = [];
    for (const [kind, thing] of byKind) {
      const step = `command ${kind}`;
      const thingId = String(thing.Id);
      const capabilities = await call<{ CapabilityReport?: { endpoints?: Json[] } }>(
        step,
        'GetManagedThingCapabilities',
        { Identifier: thingId },
      );
      const ids = (capabilities.CapabilityReport?.endpoints ?? []).flatMap((e) =>
        ((e.capabilities as Json[] | undefined) ?? []).map((c) => String(c.id)),
      );
      const choice = COMMANDS.find((c) => ids.includes(capabilityOf(c.cluster).id));
      if (choice === undefined) {
        narrator.detail(`${names.get(thingId)} (${kind}) takes no command the demo knows; skipped`);
        continue;
      }
      const mark = watcher.received().length;
      narrator.step(step, `SendManagedThingCommand: ${names.get(thingId)} (${kind}) ${choice.say}`);
      const sent = await call<{ TraceId?: string }>(step, 'SendManagedThingCommand', {
        ManagedThingId: thingId,
        Endpoints: [
          {
            endpointId: '1',
            capabilities: [
              {
                ...capabilityOf(choice.cluster),
                actions: [{ name: choice.action, parameters: choice.parameters }],
              },
            ],
          },
        ],
      });
      const result = await watcher.waitFor(
        step,
        (n) =>
          n.eventType === 'DEVICE_COMMAND' &&
          (sent.TraceId === undefined || JSON.stringify(n.message).includes(sent.TraceId)),
        timeoutMs,
        mark,
      );
      show(result);
      const words = describeNotification(result.message).words;
      if (/fail/i.test(words)) throw new StepFailedError(step, words);
      narrator.ok(step, `the connector carried out ${choice.say} (trace ${sent.TraceId ?? '-'})`);
      steps.push({ step, notifications: [result] });
      commands.push({ kind, thingId, command: choice.say });
    }

    // One device event, fired at the vendor cloud: webhook → connector → DEVICE_EVENT.
    const target = [...byKind].find(([kind]) => EVENTS[kind] !== undefined);
    if (target === undefined) {
      throw new StepFailedError(
        'device event',
        'no discovered device the vendor cloud can fire an event at',
      );
    }
    const [kind, thing] = target;
    const thingId = String(thing.Id);
    const deviceId = String(thing.ConnectorDeviceId);
    const state = (await vendorDevices(stack)).get(deviceId)?.state ?? {};
    const plan = (EVENTS[kind] as (typeof EVENTS)[string])(state);
    const mark = watcher.received().length;
    narrator.step(
      'device event',
      `Vendor cloud: ${plan.event} on ${deviceId} (${kind}); webhook → connector → SendConnectorEvent`,
    );
    await stack.triggerVendorEvent(deviceId, plan.event, plan.params);
    const arrived = await watcher.waitFor(
      'device event',
      (n) =>
        (n.eventType === 'DEVICE_EVENT' || n.eventType === 'DEVICE_STATE') &&
        describeNotification(n.message).managedThingId === thingId &&
        plan.words.test(describeNotification(n.message).words),
      timeoutMs,
      mark,
    );
    show(arrived);
    narrator.ok(
      'device event',
      `${arrived.eventType} about ${names.get(thingId)} reached the customer`,
    );
    steps.push({ step: 'device event', notifications: [arrived] });
    return {
      steps,
      accountAssociationId: setup.association.AccountAssociationId,
      commands,
      event: { kind, thingId },
    };
  } catch (error) {
    if (error instanceof StepFailedError) throw error;
    throw new StepFailedError('demo', (error as Error).message, { cause: error });
  } finally {
    await watcher.close();
  }
}
