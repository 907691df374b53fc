import { capabilityOf } from '@c2c-kit/matter';
import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { StepFailedError, UpstreamError } from '../errors.js';
import { describeNotification } from '../notifications.js';
import type { ArrivedNotification } from './notificationWatcher.js';
import { NotificationWatcher } from './notificationWatcher.js';
import type { DevStack } from './stack.js';

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

type Json = Record<string, unknown>;

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
  const call = async <T = Json>(step: string, name: string, input: Json): Promise<T> => {
    const response = await stack.client.send(
      name as OperationName,
      input as OperationShapes[OperationName]['input'],
    );
    const status = response.statusCode;
    if (status < 200 || status > 299) {
      const message = (response.body as Json | undefined)?.Message ?? JSON.stringify(response.body);
      throw new StepFailedError(
        step,
        `${name} → HTTP ${status} ${response.errorType ?? ''}: ${String(message)}`,
      );
    }
    return response.body as T;
  };
  const show = (n: ArrivedNotification, names: Map<string, string>) => {
    const thingId = describeNotification(n.message).managedThingId;
    const described = describeNotification(n.message, thingId ? names.get(thingId) : undefined);
    narrator.detail(`notification ${described.eventType}: ${described.words}`);
  };

  try {
    // 1. Link the account.
    let mark = watcher.received().length;
    narrator.step(
      'link account',
      `Linking vendor user "${user.username}" (OAuth code flow through the vendor login page)`,
    );
    // A data directory reused across starts keeps the links of earlier demo runs, whose vendor
    // tokens died with the previous vendor cloud; unlink them first so events route to the new
    // link's things (DeleteAccountAssociation → AWS.DeactivateUser, as a customer would).
    // (Not filtered by destination: a restart on other ports registers a new destination.)
    const earlier = await call<{ Items?: Json[] }>('link account', 'ListAccountAssociations', {
      MaxResults: 1000,
    });
    for (const item of earlier.Items ?? []) {
      if (item.Name !== `demo-${user.username}`) continue;
      await call('link account', 'DeleteAccountAssociation', {
        AccountAssociationId: item.AccountAssociationId,
      });
      narrator.detail(
        `removed the link of an earlier demo run (${String(item.AccountAssociationId)})`,
      );
    }
    const association = await call<{ AccountAssociationId: string; OAuthAuthorizationUrl: string }>(
      'link account',
      'CreateAccountAssociation',
      { ConnectorDestinationId: stack.connectorDestinationId, Name: `demo-${user.username}` },
    );
    const landing = await oauthLogin(association.OAuthAuthorizationUrl, user.username, password);
    narrator.detail(`vendor login accepted; emulator callback redirected to ${landing}`);
    const linked = await poll('link account', timeoutMs, async () => {
      const got = await call<{ AssociationState: string }>(
        'link account',
        'GetAccountAssociation',
        {
          AccountAssociationId: association.AccountAssociationId,
        },
      );
      if (got.AssociationState === 'ASSOCIATION_FAILED') {
        throw new StepFailedError('link account', 'association state ASSOCIATION_FAILED');
      }
      return got.AssociationState === 'ASSOCIATION_SUCCEEDED' ? got : undefined;
    });
    const associationNote = await watcher
      .waitFor('link account', (n) => n.eventType === 'ACCOUNT_ASSOCIATION', 2000, mark)
      .catch(() => undefined);
    narrator.ok(
      'link account',
      `account association ${association.AccountAssociationId} is ${linked.AssociationState}`,
    );
    steps.push({ step: 'link account', notifications: associationNote ? [associationNote] : [] });

    // 2. Discovery.
    mark = watcher.received().length;
    narrator.step(
      'discovery',
      'Starting device discovery (AWS.DiscoverDevices → connector → DEVICE_DISCOVERY)',
    );
    const discovery = await call<{ Id: string }>('discovery', 'StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: association.AccountAssociationId,
    });
    const finished = await poll('discovery', timeoutMs, async () => {
      const got = await call<{ Status: string }>('discovery', 'GetDeviceDiscovery', {
        Identifier: discovery.Id,
      });
      if (got.Status === 'FAILED' || got.Status === 'TIMED_OUT') {
        throw new StepFailedError('discovery', `discovery ${discovery.Id} ended ${got.Status}`);
      }
      return got.Status === 'SUCCEEDED' ? got : undefined;
    });
    const devices = await call<{ Items?: Json[] }>('discovery', 'ListDiscoveredDevices', {
      Identifier: discovery.Id,
    });
    const discoveryNote = await watcher.waitFor(
      'discovery',
      (n) => n.eventType === 'DEVICE_DISCOVERY_STATUS',
      timeoutMs,
      mark,
    );
    narrator.ok(
      'discovery',
      `discovery ${discovery.Id} ${finished.Status}: ${(devices.Items ?? []).length} device(s) found`,
    );
    steps.push({ step: 'discovery', notifications: [discoveryNote] });

    // 3. Managed things.
    narrator.step(
      'managed things',
      'Creating a managed thing for each discovered device (CreateManagedThing)',
    );
    // The things of this discovery: a data directory reused across starts also holds things of
    // earlier links whose vendor tokens are gone, so never pick by name from the whole list.
    const thingIds = new Set<string>();
    for (const device of devices.Items ?? []) {
      if (typeof device.ManagedThingId === 'string') {
        thingIds.add(device.ManagedThingId);
        continue;
      }
      const created = await call<{ Id: string }>('managed things', 'CreateManagedThing', {
        Role: 'DEVICE',
        AuthenticationMaterialType: 'DISCOVERED_DEVICE',
        AuthenticationMaterial: `${discovery.Id}:${String(device.ConnectorDeviceId)}`,
        ...(typeof device.ConnectorDeviceName === 'string'
          ? { Name: device.ConnectorDeviceName }
          : {}),
      });
      thingIds.add(created.Id);
    }
    const things = await poll('managed things', timeoutMs, async () => {
      const list = await call<{ Items?: Json[] }>('managed things', 'ListManagedThings', {
        MaxResults: 1000,
      });
      const items = (list.Items ?? []).filter((t) => thingIds.has(String(t.Id)));
      return items.length === thingIds.size && items.length > 0 ? items : undefined;
    });
    const names = new Map<string, string>();
    for (const thing of things)
      names.set(String(thing.Id), String(thing.Name ?? thing.ConnectorDeviceId));
    for (const thing of things)
      narrator.detail(
        `${String(thing.Name)} (${String(thing.ConnectorDeviceId)}) → ${String(thing.Id)}`,
      );
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

async function poll<T>(
  step: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new StepFailedError(step, `not done within ${timeoutMs} ms`);
}

/**
 * The browser's part of the OAuth code flow, over plain HTTP: open the authorization URL (the
 * vendor's login page), post the login form with its hidden fields, follow the redirect to the
 * emulator's callback, and return where the callback sends the user (the completion page).
 */
export async function oauthLogin(
  authorizationUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) {
    throw new StepFailedError('link account', `vendor login page answered HTTP ${page.status}`);
  }
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new StepFailedError('link account', 'vendor login page has no form');
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined) fields.set(name, decodeEntities(value ?? ''));
  }
  fields.set('username', username);
  fields.set('password', password);
  fields.set('allowed', 'true');
  const action = new URL(decodeEntities(form[1] ?? ''), authorizationUrl);
  const posted = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  const callback = posted.headers.get('location');
  if (posted.status < 300 || posted.status > 399 || callback === null) {
    throw new StepFailedError(
      'link account',
      `vendor login answered HTTP ${posted.status}, not a redirect`,
    );
  }
  const callbackUrl = new URL(callback, action);
  if (callbackUrl.searchParams.has('error')) {
    throw new StepFailedError(
      'link account',
      `vendor refused: ${callbackUrl.searchParams.get('error')}`,
    );
  }
  const completed = await fetch(callbackUrl, { redirect: 'manual' });
  await completed.text();
  if (completed.status >= 400) {
    throw new UpstreamError(
      'emulator OAuth callback',
      completed.status,
      undefined,
      'token exchange failed',
    );
  }
  const location = completed.headers.get('location');
  if (location !== null && new URL(location, callbackUrl).searchParams.has('error')) {
    const landing = new URL(location, callbackUrl);
    throw new StepFailedError(
      'link account',
      `callback reported ${landing.searchParams.get('error')}: ${landing.searchParams.get('error_description') ?? ''}`,
    );
  }
  // The code is single-use and the URL carries it: report only where we landed, without query.
  return location === null ? `HTTP ${completed.status}` : new URL(location, callbackUrl).pathname;
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
