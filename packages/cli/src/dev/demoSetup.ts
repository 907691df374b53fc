import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { StepFailedError, UpstreamError } from '../errors.js';
import type { DemoNarrator, DemoStepResult } from './demo.js';
import type { NotificationWatcher } from './notificationWatcher.js';
import type { DevStack } from './stack.js';

// The first three steps every demo plays, whatever the connector: link a vendor user (the OAuth
// code flow over HTTP, as a browser would), discover devices, create and register a managed
// thing for each. `runDemo` (the seed workflow) and `runConnectorDemo` go on from here.

export type Json = Record<string, unknown>;

/** Calls an operation as the customer; an answer other than 2xx fails `step`, naming the call. */
export function demoCaller(stack: Pick<DevStack, 'client'>): Call {
  return async <T = Json>(step: string, name: string, input: Json): Promise<T> => {
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
}

export interface LinkedDemo {
  readonly association: { AccountAssociationId: string };
  readonly discoveryId: string;
  /** The managed things of this discovery (ListManagedThings items). */
  readonly things: Json[];
  /** Managed thing id → its name, for describing notifications. */
  readonly names: Map<string, string>;
  readonly steps: DemoStepResult[];
}

/** Steps 1-3: link account, discovery, managed things. */
export async function linkAndRegister(
  stack: DevStack,
  narrator: DemoNarrator,
  watcher: NotificationWatcher,
  call: Call,
  options: { username: string; password: string; timeoutMs: number },
): Promise<LinkedDemo> {
  const { timeoutMs, password } = options;
  const user = { username: options.username };
  const steps: DemoStepResult[] = [];
  // 1. Link the account.
  let mark = watcher.received().length;
  narrator.step(
    'link account',
    `Linking vendor user "${user.username}" (OAuth code flow through the vendor login page)`,
  );
  // A data directory reused across starts keeps the links of earlier demo runs: unlink them
  // first, as a customer app does — deregister each managed thing from the link, then delete
  // it (DeleteAccountAssociation → AWS.DeactivateUser; the service refuses it while things are
  // registered). (Not filtered by destination: a restart on other ports registers a new one.)
  const earlier = await listAll(call, 'link account', 'ListAccountAssociations', {});
  for (const item of earlier) {
    if (item.Name !== `demo-${user.username}`) continue;
    const id = String(item.AccountAssociationId);
    await deregisterAll(call, 'link account', { AccountAssociationId: id });
    await call('link account', 'DeleteAccountAssociation', { AccountAssociationId: id });
    narrator.detail(`removed the link of an earlier demo run (${id})`);
  }
  const association = await call<{ AccountAssociationId: string; OAuthAuthorizationUrl: string }>(
    'link account',
    'CreateAccountAssociation',
    { ConnectorDestinationId: stack.connectorDestinationId, Name: `demo-${user.username}` },
  );
  const landing = await oauthLogin(association.OAuthAuthorizationUrl, user.username, password);
  narrator.detail(`vendor login accepted; emulator callback redirected to ${landing}`);
  const linked = await poll('link account', timeoutMs, async () => {
    const got = await call<{ AssociationState: string }>('link account', 'GetAccountAssociation', {
      AccountAssociationId: association.AccountAssociationId,
    });
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
  const devices = await listAll(call, 'discovery', 'ListDiscoveredDevices', {
    Identifier: discovery.Id,
  });
  if (devices.length === 0) {
    throw new StepFailedError(
      'discovery',
      `discovery ${discovery.Id} found no devices of "${user.username}" the connector supports; the demo needs one`,
    );
  }
  const discoveryNote = await watcher.waitFor(
    'discovery',
    (n) => n.eventType === 'DEVICE_DISCOVERY_STATUS',
    timeoutMs,
    mark,
  );
  narrator.ok(
    'discovery',
    `discovery ${discovery.Id} ${finished.Status}: ${devices.length} device(s) found`,
  );
  steps.push({ step: 'discovery', notifications: [discoveryNote] });

  // 3. Managed things.
  narrator.step(
    'managed things',
    'Creating a managed thing for each discovered device and registering it to the account association (CreateManagedThing, RegisterAccountAssociation)',
  );
  // The things of this discovery: a data directory reused across starts also holds things of
  // earlier links, so never pick by name from the whole list.
  const thingIds = new Set<string>();
  for (const device of devices) {
    let thingId = typeof device.ManagedThingId === 'string' ? device.ManagedThingId : undefined;
    if (thingId === undefined) {
      const created = await call<{ Id: string }>('managed things', 'CreateManagedThing', {
        Role: 'DEVICE',
        AuthenticationMaterialType: 'DISCOVERED_DEVICE',
        AuthenticationMaterial: `${discovery.Id}:${String(device.ConnectorDeviceId)}`,
        ...(typeof device.ConnectorDeviceName === 'string'
          ? { Name: device.ConnectorDeviceName }
          : {}),
      });
      thingId = created.Id;
    } else {
      // A thing the customer already has, maybe registered to another link (the dashboard's,
      // say): moving it to this link is deregister, then register.
      const moved = await deregisterAll(call, 'managed things', {
        ManagedThingId: thingId,
        except: association.AccountAssociationId,
      });
      for (const from of moved) narrator.detail(`moved ${thingId} from link ${from}`);
    }
    // Until it is registered the thing is UNASSOCIATED: its device's events reach nobody.
    await call('managed things', 'RegisterAccountAssociation', {
      ManagedThingId: thingId,
      AccountAssociationId: association.AccountAssociationId,
      DeviceDiscoveryId: discovery.Id,
    });
    thingIds.add(thingId);
  }
  const things = await poll('managed things', timeoutMs, async () => {
    const list = await listAll(call, 'managed things', 'ListManagedThings', {});
    const items = list.filter((t) => thingIds.has(String(t.Id)));
    return items.length === thingIds.size && items.length > 0 ? items : undefined;
  });
  const names = new Map<string, string>();
  for (const thing of things)
    names.set(String(thing.Id), String(thing.Name ?? thing.ConnectorDeviceId));
  for (const thing of things)
    narrator.detail(
      `${String(thing.Name)} (${String(thing.ConnectorDeviceId)}) → ${String(thing.Id)}`,
    );
  return {
    association,
    discoveryId: discovery.Id,
    things,
    names,
    steps,
  };
}

export type Call = <T = Json>(step: string, name: string, input: Json) => Promise<T>;

/**
 * DeregisterAccountAssociation for every registration of a thing or of an account association
 * (ListManagedThingAccountAssociations, all pages), except to `except`; returns the associations
 * it deregistered from. What a customer app does before deleting a link or moving a thing to
 * another link.
 */
export async function deregisterAll(
  call: Call,
  step: string,
  filter: { ManagedThingId?: string; AccountAssociationId?: string; except?: string },
): Promise<string[]> {
  const { except, ...query } = filter;
  const registrations = await listAll(call, step, 'ListManagedThingAccountAssociations', query);
  const from: string[] = [];
  for (const registration of registrations) {
    const associationId = String(registration.AccountAssociationId);
    if (associationId === except) continue;
    await call(step, 'DeregisterAccountAssociation', {
      ManagedThingId: registration.ManagedThingId,
      AccountAssociationId: associationId,
    });
    from.push(associationId);
  }
  return from;
}

/**
 * Every item of a List operation, all pages (a page holds at most 100 unless MaxResults says
 * otherwise: a discovery of more devices than that has more than one page).
 */
export async function listAll(
  call: Call,
  step: string,
  name: string,
  input: Json,
): Promise<Json[]> {
  const items: Json[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call<{ Items?: Json[]; NextToken?: string }>(step, name, {
      ...input,
      MaxResults: 1000,
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    });
    items.push(...(page.Items ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return items;
}

export async function poll<T>(
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
  const callbackUrl = await postLoginForm(authorizationUrl, username, password);
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

/**
 * Logs in on a plain HTML login form (the simulated vendor cloud's, and any like it): fetches the
 * page, posts its form with the hidden fields and the credentials, and returns where the form
 * redirects (the authorization's redirect_uri with `code`, or `error`). Failures are
 * `StepFailedError`s of step "link account".
 */
export async function postLoginForm(
  authorizationUrl: string,
  username: string,
  password: string,
): Promise<URL> {
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
  return new URL(callback, action);
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
