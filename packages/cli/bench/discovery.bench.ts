// Discovery of one user's whole fleet, end to end on the dev stack: the customer's
// StartDeviceDiscovery → AWS.DiscoverDevices to the reference connector in the emulator's Lambda
// host → its SQS work → the vendor cloud's device list → DEVICE_DISCOVERY split under the
// request-size limit → the emulator assembling one discovery → the DEVICE_DISCOVERY_STATUS that
// counts them all → the customer listing every device through ListDiscoveredDevices pages.
// Same-run baseline: the same flow for a user with one device (its fixed cost), so the
// difference divided by the devices is what each device costs.
// Env: BENCH_DEVICES (10000). Run: npm run build && npm run bench -- discovery

import { NotificationWatcher, oauthLogin, startDevStack } from '@c2c-kit/cli';
import { DEVICE_KINDS } from '@c2c-kit/vendor-cloud';
import { Pool } from 'undici';
import { reportFigure } from '../../../scripts/bench-figure.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 10_000);
const TIMEOUT_MS = 120_000;

const stack = await startDevStack({ emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
const watcher = new NotificationWatcher(stack.notificationStreamUrl);
await watcher.start();
const vendor = new Pool(stack.vendorCloudUrl, { connections: 8 });

async function sim(path: string, body: unknown): Promise<void> {
  const res = await vendor.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`${path}: HTTP ${res.statusCode} ${text}`);
}

async function call<T>(name: string, input: object): Promise<T> {
  const res = await stack.client.send(name as never, input as never);
  if (res.statusCode >= 300) throw new Error(`${name}: HTTP ${res.statusCode} ${res.text}`);
  return res.body as T;
}

/** A vendor user owning `count` devices, linked to the customer through the OAuth flow. */
async function linkedUser(username: string, count: number): Promise<string> {
  const password = `${username}-password-1`;
  await sim('/_sim/users', { username, password });
  const kinds = DEVICE_KINDS.filter((k) => k !== 'camera');
  for (let from = 0; from < count; from += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, count - from) }, (_, k) =>
        sim('/_sim/devices', {
          deviceId: `${username}-${from + k}`,
          kind: kinds[(from + k) % kinds.length],
          owner: username,
        }),
      ),
    );
  }
  const link = await call<{ AccountAssociationId: string; OAuthAuthorizationUrl: string }>(
    'CreateAccountAssociation',
    { ConnectorDestinationId: stack.connectorDestinationId, Name: `fleet-${username}` },
  );
  await oauthLogin(link.OAuthAuthorizationUrl, username, password);
  for (let i = 0; i < 200; i++) {
    const got = await call<{ AssociationState: string }>('GetAccountAssociation', {
      AccountAssociationId: link.AccountAssociationId,
    });
    if (got.AssociationState === 'ASSOCIATION_SUCCEEDED') return link.AccountAssociationId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${username}: the account link did not succeed`);
}

/** StartDeviceDiscovery → every device counted and listed; ms and the parts it came in. */
async function discover(associationId: string, expected: number) {
  const mark = watcher.received().length;
  const started = performance.now();
  const { Id: id } = await call<{ Id: string }>('StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: associationId,
  });
  const isMine = (n: { eventType: string; message: { payload?: unknown } }) =>
    n.eventType === 'DEVICE_DISCOVERY_STATUS' &&
    (n.message.payload as { deviceDiscoveryId?: string }).deviceDiscoveryId === id;
  await watcher.waitFor(
    'discovery',
    (n) => isMine(n) && (n.message.payload as { deviceCount: number }).deviceCount === expected,
    TIMEOUT_MS,
    mark,
  );
  const counted = performance.now();
  let listed = 0;
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await call<{ Items: unknown[]; NextToken?: string }>('ListDiscoveredDevices', {
      Identifier: id,
      MaxResults: 1000,
      ...(token === undefined ? {} : { NextToken: token }),
    });
    listed += res.Items.length;
    token = res.NextToken;
    if (token === undefined) break;
  }
  const done = performance.now();
  if (listed !== expected) throw new Error(`listed ${listed} devices, expected ${expected}`);
  const parts = watcher.received().slice(mark).filter(isMine).length;
  return { totalMs: done - started, countedMs: counted - started, listMs: done - counted, parts };
}

try {
  const one = await linkedUser('solo', 1);
  const fleet = await linkedUser('fleet', DEVICES);
  // The one-device flow twice around the fleet's: its median is the fixed cost.
  const single = [await discover(one, 1)];
  const big = await discover(fleet, DEVICES);
  single.push(await discover(one, 1));
  const fixed = Math.min(...single.map((s) => s.totalMs));
  const perDeviceUs = ((big.totalMs - fixed) / (DEVICES - 1)) * 1000;
  console.log(`discovery of ${DEVICES.toLocaleString()} devices for one user, end to end:`);
  console.log(
    `  StartDeviceDiscovery → DEVICE_DISCOVERY_STATUS counting all: ${big.countedMs.toFixed(0)} ms (${big.parts} parts)`,
  );
  console.log(
    `  listing all through ListDiscoveredDevices (1,000 a page): ${big.listMs.toFixed(0)} ms`,
  );
  console.log(
    `  total ${big.totalMs.toFixed(0)} ms; one-device discovery ${single.map((s) => `${s.totalMs.toFixed(0)} ms`).join(', ')}`,
  );
  console.log(
    `  per device: ${perDeviceUs.toFixed(0)} µs (total less the one-device cost, ÷ ${DEVICES - 1})`,
  );
  reportFigure({
    name: `discovery of ${DEVICES.toLocaleString()} devices for one user, end to end (${big.parts} parts)`,
    value: `${(big.totalMs / 1000).toFixed(2)} s, ${perDeviceUs.toFixed(0)} µs per device`,
    baseline: `one device: ${fixed.toFixed(0)} ms`,
    goal: '≤ 10 s',
    met: big.totalMs <= 10_000,
  });
} finally {
  await watcher.close();
  await vendor.close();
  await stack.close();
}
