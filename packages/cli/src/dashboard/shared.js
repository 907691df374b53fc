// Shared by every part of the page: the API token, the page state, /api calls and DOM helpers.

export const $ = (id) => document.getElementById(id);
// This run's API token, put into index.html by the server; every /api call carries it.
export const TOKEN = document.querySelector('meta[name="c2c-dashboard-token"]')?.content ?? '';
export const TOKEN_HEADER = { 'x-c2c-dashboard-token': TOKEN };
export const state = {
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

/** Calls one managed-integrations operation as the chosen customer. */
export async function api(operation, input = {}) {
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

export function el(tag, attrs = {}, ...children) {
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

export function setStatus(id, text, kind = '') {
  const node = $(id);
  node.textContent = text;
  node.dataset.kind = kind;
}

export function words(value) {
  return String(value ?? '')
    .toLowerCase()
    .replaceAll('_', ' ');
}

export function toast(text, kind = 'ok') {
  const node = el(
    'div',
    { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
  $('toasts').append(node);
  setTimeout(() => node.remove(), 4000);
}
