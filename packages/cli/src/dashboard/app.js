// The customer's app of the seed workflow. Plain ES module, no build step: it talks only to the
// same-origin /api of `c2c dev`, which signs managed-integrations calls server-side.

const $ = (id) => document.getElementById(id);
// This run's API token, put into index.html by the server; every /api call carries it.
const TOKEN = document.querySelector('meta[name="c2c-dashboard-token"]')?.content ?? '';
const TOKEN_HEADER = { 'x-c2c-dashboard-token': TOKEN };
const state = {
  config: null,
  customer: null,
  user: null,
  things: new Map(), // managedThingId -> { summary, capabilities, state }
  stream: null,
  // Notification ids already in the feed: a reconnect replays the recent history again.
  seen: new Set(),
  // accountAssociationId -> { statusCode, words, at }: the latest CONNECTOR_ERROR_REPORT of a
  // discovery through that link (the service reports why a discovery FAILED only there).
  discoveryErrors: new Map(),
};

/** Association states in which the link does not work: the customer must link again. */
const BROKEN_STATES = new Set(['ASSOCIATION_FAILED', 'REFRESH_TOKEN_EXPIRED']);

/** Calls one managed-integrations operation as the chosen customer. */
async function api(operation, input = {}) {
  const response = await fetch(
    `/api/accounts/${encodeURIComponent(state.customer)}/operations/${operation}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TOKEN_HEADER },
      body: JSON.stringify(input),
    },
  );
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body?.body?.Message ?? body?.message ?? JSON.stringify(body);
    throw new Error(`${operation}: ${body?.error ?? response.status} ${detail}`);
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false)
      node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
  }
  return node;
}

function setStatus(id, text, kind = '') {
  const node = $(id);
  node.textContent = text;
  node.dataset.kind = kind;
}

// ---------------------------------------------------------------------------------------------
// Who: customer account and end user

async function loadConfig() {
  const response = await fetch('/api/config', { headers: TOKEN_HEADER });
  state.config = await response.json();
  const customer = $('customer');
  for (const c of state.config.customers) {
    customer.append(el('option', { value: c.accountId }, `${c.name} (${c.accountId})`));
  }
  const user = $('end-user');
  for (const u of state.config.demoUsers) {
    user.append(el('option', { value: u.username }, u.displayName ?? u.username));
  }
  customer.value = localStorage.getItem('c2c.customer') ?? state.config.customers[0]?.accountId;
  user.value = localStorage.getItem('c2c.user') ?? state.config.demoUsers[0]?.username;
  customer.addEventListener('change', () => selectWho());
  user.addEventListener('change', () => selectWho());
  selectWho();
}

function selectWho() {
  state.customer = $('customer').value;
  state.user = $('end-user').value;
  localStorage.setItem('c2c.customer', state.customer);
  localStorage.setItem('c2c.user', state.user);
  const demo = state.config.demoUsers.find((u) => u.username === state.user);
  $('login-hint').textContent = demo ? `vendor login: ${demo.username} / ${demo.password}` : '';
  state.things.clear();
  $('things').replaceChildren();
  connectStream();
  refreshAssociations().then(refreshThings);
}

// ---------------------------------------------------------------------------------------------
// Account linking (OAuth code flow through the vendor's login page) and discovery

async function linkAccount() {
  const destination = state.config.connectorDestinationId;
  if (!destination) {
    setStatus('link-status', 'No connector destination is registered yet.', 'error');
    return;
  }
  setStatus('link-status', 'Creating account association…');
  try {
    const created = await api('CreateAccountAssociation', {
      ConnectorDestinationId: destination,
      Name: `dashboard-${state.user}`,
    });
    sessionStorage.setItem('c2c.pendingAssociation', created.AccountAssociationId);
    setStatus('link-status', 'Redirecting to the vendor login page…');
    window.location.assign(created.OAuthAuthorizationUrl);
  } catch (error) {
    setStatus('link-status', error.message, 'error');
  }
}

async function refreshAssociations() {
  const list = $('associations');
  try {
    const result = await api('ListAccountAssociations', {});
    const items = result.Items ?? [];
    list.replaceChildren(...items.map(associationItem));
    if (items.length === 0)
      list.append(el('li', { class: 'empty muted' }, 'No linked accounts yet.'));
    const pending = sessionStorage.getItem('c2c.pendingAssociation');
    if (pending) {
      const linked = items.find((a) => a.AccountAssociationId === pending);
      if (linked?.AssociationState === 'ASSOCIATION_SUCCEEDED') {
        setStatus('link-status', 'Account linked. Run discovery to add its devices.', 'ok');
        sessionStorage.removeItem('c2c.pendingAssociation');
      } else if (linked) {
        setStatus('link-status', `Link state: ${words(linked.AssociationState)}`);
      }
    }
  } catch (error) {
    setStatus('link-status', error.message, 'error');
  }
}

/**
 * One linked account: its state, and when the link is broken (the vendor refused its tokens, the
 * authorization failed) the reason and a way to link it again. A discovery that failed through a
 * working link shows the connector's reason.
 */
function associationItem(a) {
  const id = a.AccountAssociationId;
  const broken = BROKEN_STATES.has(a.AssociationState);
  const failure = state.discoveryErrors.get(id);
  const reason = broken
    ? `Link broken: ${a.ErrorMessage ?? words(a.AssociationState)}${failure ? ` (last discovery: ${failure.words})` : ''}`
    : failure
      ? `Last discovery failed: ${failure.words}`
      : null;
  return el(
    'li',
    {
      class: 'association',
      'data-state': a.AssociationState,
      'data-association': id,
      'data-broken': broken ? 'true' : null,
    },
    el('span', { class: 'assoc-name' }, a.Name ?? id),
    el('code', {}, id),
    el('span', { class: `pill state-${a.AssociationState}` }, words(a.AssociationState)),
    el(
      'span',
      { class: 'assoc-actions' },
      a.AssociationState === 'ASSOCIATION_SUCCEEDED'
        ? el('button', { type: 'button', onclick: () => discover(id) }, 'Discover devices')
        : null,
      broken ? el('button', { type: 'button', onclick: () => relink(id) }, 'Link again') : null,
      el('button', { type: 'button', onclick: (e) => unlink(id, e.currentTarget) }, 'Unlink'),
    ),
    reason === null
      ? null
      : el('p', { class: 'assoc-reason', role: broken ? 'alert' : 'status' }, reason),
  );
}

/** A broken link: StartAccountAssociationRefresh, then the vendor login again. */
async function relink(accountAssociationId) {
  setStatus('link-status', 'Starting the vendor login again…');
  try {
    const refreshed = await api('StartAccountAssociationRefresh', {
      AccountAssociationId: accountAssociationId,
    });
    sessionStorage.setItem('c2c.pendingAssociation', accountAssociationId);
    window.location.assign(refreshed.OAuthAuthorizationUrl);
  } catch (error) {
    setStatus('link-status', error.message, 'error');
  }
}

/**
 * Every registration of a thing or of a link (ListManagedThingAccountAssociations, all pages):
 * `[{ ManagedThingId, AccountAssociationId }]`.
 */
async function registrations(filter) {
  const found = [];
  let token;
  do {
    const page = await api('ListManagedThingAccountAssociations', {
      ...filter,
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    });
    found.push(...(page.Items ?? []));
    token = page.NextToken;
  } while (token);
  return found;
}

/** Unlinking as the service wants it: deregister every device from the link, then delete it. */
async function unlink(accountAssociationId, button) {
  if (button) button.disabled = true;
  setStatus('link-status', 'Unlinking…');
  try {
    const registered = await registrations({ AccountAssociationId: accountAssociationId });
    for (const r of registered) {
      await api('DeregisterAccountAssociation', {
        ManagedThingId: r.ManagedThingId,
        AccountAssociationId: accountAssociationId,
      });
    }
    await api('DeleteAccountAssociation', { AccountAssociationId: accountAssociationId });
    state.discoveryErrors.delete(accountAssociationId);
    const plural = registered.length === 1 ? '' : 's';
    setStatus('link-status', `Unlinked; ${registered.length} device${plural} deregistered.`, 'ok');
  } catch (error) {
    setStatus('link-status', error.message, 'error');
  } finally {
    if (button) button.disabled = false;
    await refreshAssociations();
    await refreshThings();
  }
}

async function discover(accountAssociationId) {
  setStatus('things-status', 'Discovery started…');
  const startedAt = Date.now();
  try {
    const started = await api('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: accountAssociationId,
    });
    const deadline = Date.now() + 15_000;
    let status = 'RUNNING';
    while (status === 'RUNNING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await api('GetDeviceDiscovery', { Identifier: started.Id })).Status;
    }
    if (status !== 'SUCCEEDED') {
      // The reason comes as a CONNECTOR_ERROR_REPORT on the live stream: wait a moment for it.
      const reason = await discoveryFailure(accountAssociationId, startedAt);
      setStatus(
        'things-status',
        `Discovery ${words(status)}${reason ? `: ${reason}` : '.'}`,
        'error',
      );
      await refreshAssociations();
      return;
    }
    // Add every discovered device as a managed thing and register it to this link, as the
    // customer's app would after the user confirms. A new thing is UNASSOCIATED (its events reach
    // nobody) until RegisterAccountAssociation; a device that already has a thing gets it back
    // from CreateManagedThing, and moves here from another link (deregister, then register).
    const found = (await api('ListDiscoveredDevices', { Identifier: started.Id })).Items ?? [];
    for (const device of found) {
      let thingId = device.ManagedThingId;
      if (!thingId) {
        const created = await api('CreateManagedThing', {
          Role: 'DEVICE',
          AuthenticationMaterialType: 'DISCOVERED_DEVICE',
          AuthenticationMaterial: `${started.Id}:${device.ConnectorDeviceId}`,
          Name: device.ConnectorDeviceName,
        });
        thingId = created.Id;
      }
      const current = await registrations({ ManagedThingId: thingId });
      if (current.some((r) => r.AccountAssociationId === accountAssociationId)) continue;
      for (const r of current) {
        await api('DeregisterAccountAssociation', {
          ManagedThingId: thingId,
          AccountAssociationId: r.AccountAssociationId,
        });
      }
      await api('RegisterAccountAssociation', {
        ManagedThingId: thingId,
        AccountAssociationId: accountAssociationId,
        DeviceDiscoveryId: started.Id,
      });
    }
    state.discoveryErrors.delete(accountAssociationId);
    const plural = found.length === 1 ? '' : 's';
    setStatus('things-status', `Discovery succeeded: ${found.length} device${plural}.`, 'ok');
    await refreshAssociations();
    await refreshThings();
  } catch (error) {
    setStatus('things-status', error.message, 'error');
  }
}

/** The connector's reason for a discovery through this link that failed after `since`, if told. */
async function discoveryFailure(accountAssociationId, since) {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const failure = state.discoveryErrors.get(accountAssociationId);
    if (failure && failure.at >= since) return failure.words;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Managed things, their live state and controls

async function refreshThings() {
  try {
    const result = await api('ListManagedThings', {});
    const items = result.Items ?? [];
    if (items.length === 0) {
      setStatus('things-status', 'No devices yet. Link an account and run discovery.');
    } else if (($('things-status').dataset.kind ?? '') === '') {
      // A discovery's outcome (succeeded, or failed with its reason) stays until the next one.
      setStatus('things-status', `${items.length} device${items.length === 1 ? '' : 's'}.`);
    }
    await Promise.all(items.map((summary) => loadThing(summary)));
  } catch (error) {
    setStatus('things-status', error.message, 'error');
  }
}

async function loadThing(summary) {
  const id = summary.Id;
  const [capabilities, thingState] = await Promise.all([
    api('GetManagedThingCapabilities', { Identifier: id }).catch(() => ({})),
    api('GetManagedThingState', { ManagedThingId: id }).catch(() => ({ Endpoints: [] })),
  ]);
  state.things.set(id, { summary, capabilities, state: thingState });
  renderThing(id);
}

async function reloadState(id) {
  const thing = state.things.get(id);
  if (!thing) return;
  thing.state = await api('GetManagedThingState', { ManagedThingId: id }).catch(() => thing.state);
  renderThing(id);
}

/** `matter.FanControl@1.4` → `FanControl` */
function clusterName(capabilityId) {
  return String(capabilityId ?? '')
    .replace(/^[a-z]+\./, '')
    .replace(/@.*$/, '');
}

/**
 * Capabilities a thing has, from GetManagedThingCapabilities (customer form:
 * `endpoints[].capabilities[]`, or Matter form `endpoints[].clusters[]`) and from its state:
 * `[{ endpointId, id, name, version, cluster }]`.
 */
function capabilityList(thing) {
  const list = [];
  for (const endpoint of thing.capabilities?.CapabilityReport?.endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      list.push({
        endpointId: endpoint.id,
        id: cap.id,
        name: cap.name,
        version: cap.version,
        cluster: clusterName(cap.id),
      });
    }
    for (const c of endpoint.clusters ?? []) {
      const cluster = clusterName(c.publicId) || c.name;
      list.push({
        endpointId: endpoint.id,
        id: c.publicId ?? `matter.${cluster}@1.4`,
        name: c.name ?? cluster,
        version: String(c.revision ?? 1),
        cluster,
      });
    }
  }
  for (const endpoint of thing.state?.Endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      list.push({
        endpointId: endpoint.endpointId,
        id: cap.id,
        name: cap.name,
        version: cap.version,
        cluster: clusterName(cap.id),
      });
    }
  }
  return list;
}

function capabilityNames(thing) {
  return new Set(capabilityList(thing).map((c) => c.cluster));
}

function kindOf(thing) {
  const names = capabilityNames(thing);
  if (names.has('OccupancySensing')) return { kind: 'camera', icon: 'Ca', label: 'Camera' };
  if (names.has('FanControl')) return { kind: 'fan', icon: 'Fa', label: 'Fan' };
  if (names.has('DoorLock')) return { kind: 'lock', icon: 'Lo', label: 'Door lock' };
  if (names.has('Thermostat')) return { kind: 'thermostat', icon: 'Th', label: 'Thermostat' };
  if (names.has('BooleanState')) return { kind: 'contact', icon: 'Co', label: 'Contact sensor' };
  if (names.has('LevelControl') || names.has('ColorControl'))
    return { kind: 'light', icon: 'Li', label: 'Light' };
  if (names.has('OnOff')) return { kind: 'switch', icon: 'Sw', label: 'Switch' };
  return { kind: 'device', icon: 'De', label: 'Device' };
}

/** `{ id, name, version }` of a capability as the service reported it for this thing. */
function capabilityNaming(thing, cluster) {
  const found = capabilityList(thing).find((c) => c.cluster === cluster);
  return found
    ? { id: found.id, name: found.name, version: found.version }
    : { id: `matter.${cluster}@1.4`, name: cluster, version: '1' };
}

function endpointIdOf(thing, cluster) {
  return capabilityList(thing).find((c) => c.cluster === cluster)?.endpointId ?? '1';
}

function propertyValue(value) {
  if (value && typeof value === 'object' && 'propertyValue' in value) return value.propertyValue;
  return value;
}

function renderThing(id) {
  const thing = state.things.get(id);
  const { kind, icon, label } = kindOf(thing);
  let card = document.querySelector(`[data-thing="${CSS.escape(id)}"]`);
  if (!card) {
    card = $('thing-template').content.firstElementChild.cloneNode(true);
    card.dataset.thing = id;
  }
  card.dataset.sortKey = `${thing.summary.Name ?? label}\u0000${id}`;
  placeInOrder(card);
  card.dataset.kind = kind;
  // Only a thing registered to a link (ACTIVATED) hears from its device and takes commands.
  const linked = thing.summary.ProvisioningStatus === 'ACTIVATED';
  card.dataset.provisioning = thing.summary.ProvisioningStatus ?? '';
  card.querySelector('.icon').textContent = icon;
  card.querySelector('.name').textContent = thing.summary.Name ?? label;
  card.querySelector('.kind').textContent = linked ? label : `${label} · not linked`;
  const dl = card.querySelector('.state');
  dl.replaceChildren();
  for (const endpoint of thing.state?.Endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      for (const prop of cap.properties ?? []) {
        const value = propertyValue(prop.value);
        // The server's label (`Battery`); the Matter name when it sent none.
        const label =
          typeof prop.label === 'string' ? prop.label : `${clusterName(cap.id)}.${prop.name}`;
        dl.append(
          el('dt', { title: `${clusterName(cap.id)}.${prop.name}` }, label),
          el(
            'dd',
            { 'data-prop': `${clusterName(cap.id)}.${prop.name}` },
            // The server's words (`Battery 99 %`); formatValue only when it sent none.
            typeof prop.words === 'string' ? prop.words : formatValue(cap.id, prop.name, value),
          ),
        );
      }
    }
  }
  if (dl.childElementCount === 0) dl.append(el('dt', { class: 'muted' }, 'No state reported yet'));
  // Controls are built once per card: rebuilding them on every state change would reset a
  // selection the user is in the middle of making.
  if (card.dataset.controlsFor !== kind) {
    card.dataset.controlsFor = kind;
    card.querySelector('.controls').replaceChildren(...controlsFor(id, thing, kind));
    card.querySelector('.vendor').replaceChildren(...vendorTriggersFor(thing, kind));
  }
  syncControls(card, thing);
}

/** Cards by name, then id: the same order across reloads and discoveries. */
function placeInOrder(card) {
  const list = $('things');
  const key = card.dataset.sortKey;
  const next = [...list.children].find(
    (other) => other !== card && compareKeys(other.dataset.sortKey ?? '', key) > 0,
  );
  if (next) {
    if (card.nextElementSibling !== next) list.insertBefore(card, next);
  } else if (list.lastElementChild !== card) {
    list.append(card);
  }
}

function compareKeys(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Controls show the device's current state: the brightness slider at its level and the fan-mode
 * list at its mode (unless the user is changing them), the lock button saying what it will do.
 */
function syncControls(card, thing) {
  const slider = card.querySelector('[data-control="level"]');
  const level = findProperty(thing, 'LevelControl', 'CurrentLevel');
  if (slider && typeof level === 'number' && slider.dataset.editing !== 'true') {
    slider.value = String(level);
    slider.dataset.level = String(level);
  }
  const fan = card.querySelector('[data-control="fan-mode"]');
  const mode = findProperty(thing, 'FanControl', 'FanMode');
  if (fan && FAN_CHOICES.includes(FAN_MODES[mode]) && fan.dataset.editing !== 'true') {
    fan.value = FAN_MODES[mode];
  }
  const lock = card.querySelector('[data-control="lock-toggle"]');
  if (lock) {
    const locked = findProperty(thing, 'DoorLock', 'LockState') === 1;
    lock.textContent = locked ? 'Unlock' : 'Lock';
    lock.dataset.action = locked ? 'UnlockDoor' : 'LockDoor';
  }
}

const FAN_MODES = ['Off', 'Low', 'Medium', 'High', 'On', 'Auto'];
/** The modes the fan-mode list offers (On is a vendor shorthand for a speed, not a choice). */
const FAN_CHOICES = ['Off', 'Low', 'Medium', 'High', 'Auto'];

function formatValue(capabilityId, property, value) {
  if (
    clusterName(capabilityId) === 'FanControl' &&
    property === 'FanMode' &&
    typeof value === 'number'
  ) {
    return `${FAN_MODES[value] ?? value} (${value})`;
  }
  // Matter temperatures are hundredths of a degree Celsius.
  const cluster = clusterName(capabilityId);
  if (cluster === 'OccupancySensing' && property === 'Occupancy' && typeof value === 'number') {
    return value & 1 ? 'motion' : 'clear';
  }
  if (cluster === 'OnOff' && property === 'OnOff') return value ? 'on' : 'off';
  if (cluster === 'BooleanState' && property === 'StateValue') return value ? 'closed' : 'open';
  if (
    (cluster === 'Thermostat' || cluster === 'TemperatureMeasurement') &&
    typeof value === 'number' &&
    /Temperature|Setpoint/.test(property)
  ) {
    return `${(value / 100).toFixed(1)} °C`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Sends SendManagedThingCommand with one capability action and reports the trace id. */
async function command(id, cluster, action, parameters, button) {
  const thing = state.things.get(id);
  if (button) button.disabled = true;
  try {
    const result = await api('SendManagedThingCommand', {
      ManagedThingId: id,
      Endpoints: [
        {
          endpointId: endpointIdOf(thing, cluster),
          capabilities: [
            {
              ...capabilityNaming(thing, cluster),
              actions: [parameters === undefined ? { name: action } : { name: action, parameters }],
            },
          ],
        },
      ],
    });
    toast(`Command sent (trace ${result.TraceId ?? '?'})`);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

function controlsFor(id, thing, kind) {
  const names = capabilityNames(thing);
  const controls = [];
  const button = (text, onclick, extra = {}) =>
    el('button', { type: 'button', ...extra, onclick: (e) => onclick(e.currentTarget) }, text);
  if (names.has('FanControl')) {
    const select = el(
      'select',
      {
        'aria-label': 'Fan mode',
        'data-control': 'fan-mode',
        // Chosen by the user: stays on their choice until the command is sent.
        onchange: (e) => {
          e.currentTarget.dataset.editing = 'true';
        },
      },
      ...FAN_CHOICES.map((m) => el('option', { value: m }, m)),
    );
    controls.push(
      el(
        'div',
        { class: 'control' },
        el('label', {}, 'Fan mode ', select),
        button(
          'Set',
          async (b) => {
            await command(
              id,
              'FanControl',
              'FanMode',
              { FanMode: FAN_MODES.indexOf(select.value) },
              b,
            );
            delete select.dataset.editing;
          },
          { 'data-control': 'fan-set' },
        ),
      ),
    );
  }
  if (names.has('OnOff')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        button('On', (b) => command(id, 'OnOff', 'On', undefined, b)),
        button('Off', (b) => command(id, 'OnOff', 'Off', undefined, b)),
      ),
    );
  }
  if (names.has('LevelControl')) {
    const level = el('input', {
      type: 'range',
      min: '1',
      max: '254',
      value: '127',
      'aria-label': 'Brightness',
      'data-control': 'level',
      // Moved by the user: stays where they put it until the command is sent.
      oninput: (e) => {
        e.currentTarget.dataset.editing = 'true';
      },
    });
    controls.push(
      el(
        'div',
        { class: 'control' },
        el('label', {}, 'Brightness ', level),
        button(
          'Apply',
          async (b) => {
            await command(
              id,
              'LevelControl',
              'MoveToLevel',
              { Level: Number(level.value), TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
              b,
            );
            delete level.dataset.editing;
          },
          { 'data-control': 'level-set' },
        ),
      ),
    );
  }
  if (names.has('DoorLock')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        // One button saying what it will do; syncControls names it from the current LockState.
        button('Lock', (b) => command(id, 'DoorLock', b.dataset.action ?? 'LockDoor', {}, b), {
          'data-control': 'lock-toggle',
        }),
      ),
    );
  }
  if (names.has('Thermostat')) {
    controls.push(
      el(
        'div',
        { class: 'control' },
        button('−1 °C', (b) =>
          command(id, 'Thermostat', 'SetpointRaiseLower', { Mode: 0, Amount: -10 }, b),
        ),
        button('+1 °C', (b) =>
          command(id, 'Thermostat', 'SetpointRaiseLower', { Mode: 0, Amount: 10 }, b),
        ),
      ),
    );
  }
  if (controls.length === 0 && kind !== 'camera' && kind !== 'contact') {
    controls.push(el('p', { class: 'muted' }, 'No commands for this device.'));
  }
  return controls;
}

function findProperty(thing, cluster, property) {
  for (const endpoint of thing.state?.Endpoints ?? []) {
    for (const cap of endpoint.capabilities ?? []) {
      if (clusterName(cap.id) !== cluster) continue;
      for (const prop of cap.properties ?? []) {
        if (prop.name === property) return propertyValue(prop.value);
      }
    }
  }
  return undefined;
}

/** Vendor-side buttons: what happens in the real world (someone walks past the camera). */
const VENDOR_EVENTS = {
  camera: [
    ['motion', 'Motion'],
    ['motion_cleared', 'Clear motion'],
  ],
  contact: [
    ['open', 'Open'],
    ['close', 'Close'],
  ],
  fan: [['button', 'Press button']],
  lock: [['jam', 'Jam lock']],
};

function vendorTriggersFor(thing, kind) {
  const events = VENDOR_EVENTS[kind];
  const deviceId = thing.summary.ConnectorDeviceId;
  if (!events || !deviceId) return [];
  return [
    el('span', { class: 'vendor-label muted' }, 'Vendor side:'),
    ...events.map(([event, text]) =>
      el(
        'button',
        {
          type: 'button',
          class: 'vendor-button',
          'data-vendor-event': event,
          onclick: (e) => triggerVendor(deviceId, event, e.currentTarget),
        },
        text,
      ),
    ),
  ];
}

async function triggerVendor(deviceId, event, button) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/vendor/devices/${encodeURIComponent(deviceId)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TOKEN_HEADER },
      body: JSON.stringify({ event, username: state.user }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(`vendor event: ${body.message ?? response.status}`);
    }
    toast(`Vendor event "${event}" fired`);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Live events (SSE relayed from the emulator's per-account notification stream)

function connectStream() {
  state.stream?.close();
  // EventSource cannot send headers: the token goes in the query.
  const stream = new EventSource(
    `/api/accounts/${encodeURIComponent(state.customer)}/events?token=${encodeURIComponent(TOKEN)}`,
  );
  state.stream = stream;
  stream.addEventListener('open', () => {
    $('stream-state').textContent = 'live';
    $('stream-state').dataset.kind = 'ok';
  });
  stream.addEventListener('error', () => {
    $('stream-state').textContent = 'reconnecting…';
    $('stream-state').dataset.kind = 'error';
  });
  stream.addEventListener('notification', (e) => {
    if (e.lastEventId) {
      if (state.seen.has(e.lastEventId)) return;
      state.seen.add(e.lastEventId);
    }
    onNotification(JSON.parse(e.data));
  });
}

function onNotification(item) {
  const feed = $('feed');
  feed.querySelector('.empty')?.remove();
  const time = new Date(item.receivedAt ?? Date.now()).toLocaleTimeString();
  const entry = el(
    'li',
    { class: `event type-${item.eventType}`, 'data-event-type': item.eventType },
    el(
      'div',
      { class: 'event-line' },
      el('time', {}, time),
      el('span', { class: 'event-type' }, item.eventType),
      el('span', { class: 'words' }, item.words),
    ),
    el(
      'details',
      {},
      el('summary', {}, 'raw JSON'),
      el('pre', {}, JSON.stringify(item.raw, null, 2)),
    ),
  );
  // A sensor that drifts (a thermostat's temperature) would flood the feed: a new reading of the
  // same properties of the same device replaces the previous entry, with a repeat count.
  const key = `${item.eventType}|${String(item.words).replace(/→ [^,]*/g, '→')}`;
  entry.dataset.key = key;
  // DEVICE_EVENT and DEVICE_STATE arrive in pairs, so look at the latest entry of the same type
  // among the newest few.
  const recent = [...feed.querySelectorAll('.event')].slice(0, 3);
  const top = recent.find((e) => e.dataset.eventType === item.eventType);
  if (top && top.dataset.key === key && item.eventType !== 'CONNECTOR_ERROR_REPORT') {
    const count = Number(top.dataset.count ?? '1') + 1;
    entry.dataset.count = String(count);
    entry.querySelector('.event-line').append(el('span', { class: 'repeat pill' }, `×${count}`));
    top.remove();
    feed.prepend(entry);
  } else {
    feed.prepend(entry);
  }
  while (feed.childElementCount > 200) feed.lastElementChild.remove();
  if (item.eventType === 'CONNECTOR_ERROR_REPORT') {
    const errors = $('errors');
    errors.querySelector('.empty')?.remove();
    errors.prepend(entry.cloneNode(true));
    const payload = item.raw?.payload ?? {};
    if (payload.operation === 'AWS.DiscoverDevices') {
      for (const id of [payload.resourceId ?? []].flat()) {
        state.discoveryErrors.set(String(id), {
          statusCode: payload.statusCode,
          words: item.words,
          at: item.receivedAt ?? Date.now(),
        });
      }
      refreshAssociations();
    }
  }
  // The recent history replayed on (re)connect is shown, never acted on again: the page loads the
  // current things and links itself.
  if (item.replayed) return;
  if (item.managedThingId && state.things.has(item.managedThingId)) {
    reloadState(item.managedThingId);
  } else if (
    item.eventType === 'DEVICE_DISCOVERY_STATUS' ||
    item.eventType === 'DEVICE_LIFE_CYCLE'
  ) {
    // A discovery registers its things one by one: one refresh for the burst.
    clearTimeout(state.thingsRefresh);
    state.thingsRefresh = setTimeout(refreshThings, 250);
  } else if (item.eventType === 'ACCOUNT_ASSOCIATION') {
    refreshAssociations();
  }
}

// ---------------------------------------------------------------------------------------------

function words(value) {
  return String(value ?? '')
    .toLowerCase()
    .replaceAll('_', ' ');
}

function toast(text, kind = 'ok') {
  const node = el(
    'div',
    { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
  $('toasts').append(node);
  setTimeout(() => node.remove(), 4000);
}

$('link-button').addEventListener('click', linkAccount);
// DEVICE_STATE repeats what each DEVICE_EVENT says; hidden unless asked for.
$('show-state').addEventListener('change', (e) => {
  $('feed').classList.toggle('show-state', e.currentTarget.checked);
});
$('refresh-button').addEventListener('click', () => refreshAssociations().then(refreshThings));
loadConfig().catch((error) =>
  setStatus('link-status', `Cannot load configuration: ${error.message}`, 'error'),
);
