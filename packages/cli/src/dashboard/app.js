// The customer's app of the seed workflow. Plain ES module, no build step: it talks only to the
// same-origin /api of `c2c dev`, which signs managed-integrations calls server-side. This entry
// wires the page and starts it; its parts are the sibling modules it imports.

import { linkAccount, refreshAssociations } from './linking.js';
import { connectStream } from './live.js';
import { $, el, setStatus, state, TOKEN_HEADER } from './shared.js';
import { refreshThings } from './things.js';

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

$('link-button').addEventListener('click', linkAccount);
// DEVICE_STATE repeats what each DEVICE_EVENT says; hidden unless asked for.
$('show-state').addEventListener('change', (e) => {
  $('feed').classList.toggle('show-state', e.currentTarget.checked);
});
$('refresh-button').addEventListener('click', () => refreshAssociations().then(refreshThings));
loadConfig().catch((error) =>
  setStatus('link-status', `Cannot load configuration: ${error.message}`, 'error'),
);
