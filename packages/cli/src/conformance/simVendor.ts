import { randomBytes } from 'node:crypto';
import { oauthLogin } from '../dev/demoSetup.js';
import type { VendorWorld } from './session.js';
import {
  codeFlowToken,
  revokeToken,
  runTag,
  type VendorDeviceState,
  type VendorDriver,
} from './vendor.js';

// The simulated vendor cloud as the resource server (the stack's own, or the one a deployed
// connector calls): the suite makes a test user of its own with one device of every kind, so
// nothing of the demo users is touched and every run starts from the same world.

const KINDS = ['light', 'lock', 'fan', 'thermostat', 'contact', 'camera'] as const;

/** How the `n`-th state change of a device of each kind is made, with a value of its own. */
const CHANGES: Record<string, (n: number) => { trigger?: object; command?: object }> = {
  light: (n) => ({ command: { command: 'setBrightness', params: { brightness: 10 + (n % 80) } } }),
  fan: (n) => ({ command: { command: 'setSpeed', params: { speedPercent: 5 + (n % 90) } } }),
  thermostat: (n) => ({
    trigger: { event: 'temperature', params: { temperatureC: 10 + (n % 200) / 10 } },
  }),
  contact: (n) => ({ trigger: { event: 'battery', params: { level: 5 + (n % 90) } } }),
  camera: (n) => ({ trigger: { event: 'battery', params: { level: 5 + (n % 90) } } }),
};

export async function simVendor(world: VendorWorld): Promise<VendorDriver> {
  const base = world.vendorCloudUrl;
  const client = world.oauthClient;
  const missing = [
    ...(base === undefined ? ['its URL'] : []),
    ...(client === undefined ? ['the OAuth client of a connector destination'] : []),
    ...(world.routeWebhooks && world.webhookSecret === undefined
      ? ["the connector's webhook secret"]
      : []),
  ];
  if (base === undefined || client === undefined || missing.length > 0) {
    throw new Error(`the simulated vendor cloud needs ${missing.join(' and ')}`);
  }
  const tag = runTag();
  const username = `c2c-test-${tag}`;
  const password = randomBytes(12).toString('base64url');
  // A name a leak can be found by: it appears nowhere else in the vendor's world.
  const displayName = `Rowan Testperson-${tag}`;
  const kinds = new Map<string, string>();
  const tokens: string[] = [];
  const redirectUri = `${world.emulatorUrl}/_local/oauth/callback`;

  const sim = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new Error(`vendor cloud ${method} ${path} answered ${response.status}`);
    }
    return answer;
  };
  const token = async () => {
    const got = await codeFlowToken({
      authorizeUrl: `${base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/token`,
      redirectUri,
      client,
      username,
      password,
    });
    tokens.push(got.accessToken, ...(got.refreshToken ? [got.refreshToken] : []));
    return got.accessToken;
  };
  let commandToken: string | undefined;
  const addDevice = async (kind: string, id: string) => {
    await sim('POST', '/_sim/devices', {
      deviceId: id,
      kind,
      owner: username,
      name: `Conformance ${kind}`,
    });
    kinds.set(id, kind);
    return id;
  };

  return {
    description: `the simulated vendor cloud at ${base}`,
    apiUrl: base,
    profileValues: [displayName, username],
    webhookSecret: world.webhookSecret,
    get secrets() {
      return [password, client.clientSecret, ...tokens];
    },
    async prepare(functionUrl) {
      if (world.routeWebhooks) {
        // Where `c2c vendor-cloud --webhook-url --webhook-secret` would have pointed them.
        await sim('PUT', '/_sim/webhooks/config', {
          url: functionUrl,
          ...(world.webhookSecret === undefined ? {} : { secret: world.webhookSecret }),
        });
      }
      await sim('POST', '/_sim/users', { username, password, displayName });
      for (const kind of KINDS) await addDevice(kind, `ct-${tag}-${kind}`);
    },
    userToken: token,
    async revokedToken() {
      const revoked = await token();
      await revokeToken(`${base}/oauth/revoke`, client, revoked);
      return revoked;
    },
    async login(authorizationUrl) {
      await oauthLogin(authorizationUrl, username, password);
    },
    async addDevice(like) {
      const kind = kinds.get(like) ?? 'light';
      return addDevice(kind, `ct-${tag}-${kind}-added`);
    },
    async removeDevice(deviceId) {
      await sim('DELETE', `/_sim/devices/${encodeURIComponent(deviceId)}`);
      kinds.delete(deviceId);
    },
    // A light or fan changes only when told; thermostats drift, batteries drain.
    pickChangeable: (ids) =>
      ['light', 'fan', 'contact', 'camera', 'thermostat']
        .map((kind) => ids.find((id) => kinds.get(id) === kind))
        .find((id) => id !== undefined),
    async changeState(deviceId, n) {
      const change = CHANGES[kinds.get(deviceId) ?? '']?.(n);
      if (change?.trigger) {
        await sim('POST', `/_sim/devices/${encodeURIComponent(deviceId)}/trigger`, change.trigger);
      } else if (change?.command) {
        commandToken ??= await token();
        const response = await fetch(
          `${base}/api/v1/devices/${encodeURIComponent(deviceId)}/commands`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${commandToken}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify(change.command),
          },
        );
        await response.text();
        if (!response.ok) throw new Error(`vendor command answered ${response.status}`);
      }
    },
    async webhooksPending() {
      const log = (await sim('GET', '/_sim/webhooks')) as { deliveries?: Array<{ state: string }> };
      return (log.deliveries ?? []).some((d) => d.state === 'pending');
    },
    async trueState(deviceId): Promise<VendorDeviceState | undefined> {
      const all = (await sim('GET', '/_sim/devices')) as {
        devices?: Array<{ deviceId: string; kind: string; state: Record<string, unknown> }>;
      };
      const device = all.devices?.find((d) => d.deviceId === deviceId);
      return device && { kind: device.kind, state: device.state };
    },
    async close() {},
  };
}
