// Account linking (OAuth code flow through the vendor's login page) and discovery.

import { $, api, el, setStatus, state, words } from './shared.js';
import { refreshThings } from './things.js';

/** Association states in which the link does not work: the customer must link again. */
const BROKEN_STATES = new Set(['ASSOCIATION_FAILED', 'REFRESH_TOKEN_EXPIRED']);

export async function linkAccount() {
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

export async function refreshAssociations() {
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
