import { capabilityOf } from '@c2c-kit/matter';
import { StepFailedError } from '../errors.js';
import { describeNotification } from '../notifications.js';
import { demoCaller, type Json, linkAndRegister } from './demoSetup.js';
import type { ArrivedNotification } from './notificationWatcher.js';
import { NotificationWatcher } from './notificationWatcher.js';
import type { DevStack } from './stack.js';

export { oauthLogin } from './demoSetup.js';

/** What the demo reports as it goes; `c2c dev --demo` prints it, tests collect it. */
export interface DemoNarrator {
  step(name: string, text: string): void;
  ok(name: string, text: string): void;
  detail(text: string): void;
}

export interface DemoStepResult {
  readonly step: string;
  readonly notifications: readonly ArrivedNotification[];
}

export interface DemoResult {
  readonly steps: readonly DemoStepResult[];
  readonly accountAssociationId: string;
  readonly cameraThingId: string;
  readonly fanThingId: string;
}

export interface DemoOptions {
  /** Vendor user to link (default: the first demo user, alice). */
  readonly username?: string;
  readonly password?: string;
  /** Per-step timeout in ms. */
  readonly timeoutMs?: number;
}

/** Demo steps in order; a failure names one of these. */
export const DEMO_STEPS = [
  'link account',
  'discovery',
  'managed things',
  'camera motion',
  'fan to High',
] as const;

/**
 * The seed workflow, unattended: link a vendor user (the OAuth code flow done over HTTP, as a
 * browser would), discover devices, see managed things, fire camera motion at the vendor and
 * watch the DEVICE_EVENT reach the customer, then set the fan to High by command and watch the
 * command result, state and event come back. Throws `StepFailedError` naming the failed step.
 */
export async function runDemo(
  stack: DevStack,
  narrator: DemoNarrator,
  options: DemoOptions = {},
): Promise<DemoResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const user = stack.demoUsers.find(
    (u) => u.username === (options.username ?? stack.demoUsers[0]?.username),
  );
  if (user === undefined) throw new StepFailedError('link account', 'no demo user to link');
  const password = options.password ?? user.password;
  const watcher = new NotificationWatcher(stack.notificationStreamUrl);
  await watcher.start();
  const steps: DemoStepResult[] = [];
  const call = demoCaller(stack);
  const show = (n: ArrivedNotification, names: Map<string, string>) => {
    const thingId = describeNotification(n.message).managedThingId;
    const described = describeNotification(n.message, thingId ? names.get(thingId) : undefined);
    narrator.detail(`notification ${described.eventType}: ${described.words}`);
  };

  try {
    const setup = await linkAndRegister(stack, narrator, watcher, call, {
      username: user.username,
      password,
      timeoutMs,
    });
    const { association, things, names } = setup;
    steps.push(...setup.steps);
    let mark: number;
    const camera = findThing(things, 'cam-1', /camera/i);
    const fan = findThing(things, 'fan-1', /fan/i);
    if (camera === undefined || fan === undefined) {
      throw new StepFailedError(
        'managed things',
        `expected a camera and a fan among ${things.length} managed things`,
      );
    }
    narrator.ok(
      'managed things',
      `${things.length} managed things, including camera ${camera.id} and fan ${fan.id}`,
    );
    steps.push({ step: 'managed things', notifications: [] });

    // 4. Camera motion, vendor side → DEVICE_EVENT at the customer.
    mark = watcher.received().length;
    narrator.step(
      'camera motion',
      `Vendor cloud: motion on ${camera.connectorDeviceId}; webhook → connector → SendConnectorEvent`,
    );
    await stack.triggerVendorEvent(camera.connectorDeviceId, 'motion');
    const motion = await watcher.waitFor(
      'camera motion',
      (n) =>
        n.eventType === 'DEVICE_EVENT' &&
        aboutThing(n, camera.id) &&
        describeNotification(n.message).words.includes('motion detected'),
      timeoutMs,
      mark,
    );
    show(motion, names);
    narrator.ok(
      'camera motion',
      'DEVICE_EVENT with OccupancySensing.Occupancy = occupied reached the customer',
    );
    steps.push({ step: 'camera motion', notifications: [motion] });

    // 5. Fan to High by command.
    mark = watcher.received().length;
    narrator.step('fan to High', `SendManagedThingCommand: ${fan.id} FanControl.FanMode = High`);
    const sent = await call<{ TraceId?: string }>('fan to High', 'SendManagedThingCommand', {
      ManagedThingId: fan.id,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            {
              ...capabilityOf('FanControl'),
              actions: [{ name: 'FanMode', parameters: { FanMode: 3 } }],
            },
          ],
        },
      ],
    });
    narrator.detail(`command accepted, trace id ${sent.TraceId ?? '(none)'}`);
    const commandNote = await watcher.waitFor(
      'fan to High',
      (n) =>
        n.eventType === 'DEVICE_COMMAND' &&
        (sent.TraceId === undefined || JSON.stringify(n.message).includes(sent.TraceId)),
      timeoutMs,
      mark,
    );
    show(commandNote, names);
    const highNote = await watcher.waitFor(
      'fan to High',
      (n) =>
        (n.eventType === 'DEVICE_STATE' || n.eventType === 'DEVICE_EVENT') &&
        aboutThing(n, fan.id) &&
        /FanMode → High/.test(describeNotification(n.message).words),
      timeoutMs,
      mark,
    );
    show(highNote, names);
    const state = await call<{ Endpoints?: unknown[] }>('fan to High', 'GetManagedThingState', {
      ManagedThingId: fan.id,
    });
    if (!JSON.stringify(state).includes('FanMode')) {
      throw new StepFailedError(
        'fan to High',
        'GetManagedThingState has no FanMode after the command',
      );
    }
    narrator.ok(
      'fan to High',
      'DEVICE_COMMAND result, FanMode → High and the managed thing state all arrived',
    );
    steps.push({ step: 'fan to High', notifications: [commandNote, highNote] });

    return {
      steps,
      accountAssociationId: association.AccountAssociationId,
      cameraThingId: camera.id,
      fanThingId: fan.id,
    };
  } catch (error) {
    if (error instanceof StepFailedError) throw error;
    const current = DEMO_STEPS[steps.length] ?? 'demo';
    throw new StepFailedError(current, (error as Error).message, { cause: error });
  } finally {
    await watcher.close();
  }
}

function findThing(things: Json[], connectorDeviceId: string, name: RegExp) {
  const thing =
    things.find((t) => t.ConnectorDeviceId === connectorDeviceId) ??
    things.find((t) => name.test(String(t.Name ?? '')));
  if (thing === undefined) return undefined;
  return {
    id: String(thing.Id),
    connectorDeviceId: String(thing.ConnectorDeviceId ?? connectorDeviceId),
  };
}

function aboutThing(n: ArrivedNotification, thingId: string): boolean {
  return (
    JSON.stringify(n.message.resources ?? '').includes(thingId) ||
    JSON.stringify(n.message).includes(thingId)
  );
}
