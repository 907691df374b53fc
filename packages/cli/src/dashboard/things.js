// Managed things: the list of cards, each with its live state (controls come from controls.js).

import { clusterName, formatValue, kindOf, propertyValue } from './capabilities.js';
import { controlsFor, syncControls, vendorTriggersFor } from './controls.js';
import { $, api, el, setStatus, state } from './shared.js';

export async function refreshThings() {
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

export async function reloadState(id) {
  const thing = state.things.get(id);
  if (!thing) return;
  thing.state = await api('GetManagedThingState', { ManagedThingId: id }).catch(() => thing.state);
  renderThing(id);
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
