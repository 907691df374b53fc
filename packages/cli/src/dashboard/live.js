// Live events: SSE relayed from the emulator's per-account notification stream, shown in the feed.

import { refreshAssociations } from './linking.js';
import { $, el, state, TOKEN } from './shared.js';
import { refreshThings, reloadState } from './things.js';

export function connectStream() {
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
