import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVendorCloud, type VendorCloud } from '../src/index.js';
import { bearer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from './helpers.js';

let cloud: VendorCloud;
let token: string;

/** Code flow through inject(): the same routes as over HTTP, without sockets. */
async function injectLogin(username: string, password: string): Promise<string> {
  const auth = await cloud.app.inject({
    method: 'POST',
    url: '/oauth/authorize',
    payload: new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      username,
      password,
      allowed: 'true',
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const code = new URL(String(auth.headers.location)).searchParams.get('code') ?? '';
  const tok = await cloud.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return (tok.json() as { access_token: string }).access_token;
}

beforeAll(async () => {
  cloud = buildVendorCloud({ tickIntervalMs: 0, seed: 1 });
  token = await injectLogin('alice', 'alice-password');
});
afterAll(async () => {
  await cloud.app.close();
});

function command(deviceId: string, payload: unknown) {
  return cloud.app.inject({
    method: 'POST',
    url: `/api/v1/devices/${deviceId}/commands`,
    headers: { ...bearer(token), 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
}

describe('device REST API', () => {
  it("lists devices in the vendor's own format", async () => {
    const res = await cloud.app.inject({
      method: 'GET',
      url: '/api/v1/devices',
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(200);
    const { devices } = res.json() as {
      devices: { deviceId: string; kind: string; state: unknown }[];
    };
    expect(devices.map((d) => d.kind).sort()).toEqual([
      'camera',
      'contact',
      'fan',
      'light',
      'lock',
      'thermostat',
    ]);
    expect(devices.find((d) => d.deviceId === 'cam-1')).toMatchObject({
      kind: 'camera',
      manufacturer: 'Acme',
      online: true,
      state: { motion: false, battery: 100 },
    });
  });

  it('executes a command and returns the new state', async () => {
    const res = await command('fan-1', { command: 'setMode', params: { mode: 'high' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      deviceId: 'fan-1',
      state: { mode: 'high', speedPercent: 100 },
    });
    const read = await cloud.app.inject({
      method: 'GET',
      url: '/api/v1/devices/fan-1',
      headers: bearer(token),
    });
    expect(read.json()).toMatchObject({ state: { mode: 'high' } });
  });

  it('answers bad commands with 4xx naming the field, expected and got', async () => {
    const bad = await command('fan-1', { command: 'setMode', params: { mode: 7 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'body.params.mode: expected one of off|low|medium|high|auto, got 7',
        path: 'body.params.mode',
      },
    });
    const unknown = await command('fan-1', { command: 'explode' });
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as { error: { code: string } }).error.code).toBe('unsupported_command');
    const missing = await command('nope', { command: 'lock' });
    expect(missing.statusCode).toBe(404);
    const extra = await command('fan-1', {
      command: 'setMode',
      params: { mode: 'low' },
      force: true,
    });
    expect((extra.json() as { error: { path: string } }).error.path).toBe('body.force');
    const notJson = await cloud.app.inject({
      method: 'POST',
      url: '/api/v1/devices/fan-1/commands',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: '{"command":',
    });
    expect(notJson.statusCode).toBe(400);
    cloud.simulation.trigger('lock-1', 'jam');
    const jammed = await command('lock-1', { command: 'unlock' });
    expect(jammed.statusCode).toBe(409);
    expect((jammed.json() as { error: { code: string } }).error.code).toBe('device_jammed');
    cloud.simulation.trigger('lock-1', 'unjam');
  });

  it('runs scenarios and advances the simulated clock over the control API', async () => {
    const bad = await cloud.app.inject({
      method: 'POST',
      url: '/_sim/scenario',
      payload: { steps: [{ afterMs: -1, deviceId: 'cam-1', event: 'motion' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { path: string } }).error.path).toBe('body.steps[0].afterMs');
    const ok = await cloud.app.inject({
      method: 'POST',
      url: '/_sim/scenario',
      payload: { steps: [{ afterMs: 1000, deviceId: 'contact-1', event: 'open' }] },
    });
    expect(ok.json()).toEqual({ scheduled: 1, pending: 1 });
    await cloud.app.inject({ method: 'POST', url: '/_sim/advance', payload: { ms: 1000 } });
    const all = await cloud.app.inject({ method: 'GET', url: '/_sim/devices' });
    const contact = (
      all.json() as { devices: { deviceId: string; state: { open: boolean } }[] }
    ).devices.find((d) => d.deviceId === 'contact-1');
    expect(contact?.state.open).toBe(true);
  });
});

describe('simulation API: removing a device', () => {
  it("DELETE /_sim/devices/:id takes it out of its owner's list; an unknown id is a 404", async () => {
    const added = await cloud.app.inject({
      method: 'POST',
      url: '/_sim/devices',
      payload: { deviceId: 'gone-1', kind: 'light', owner: 'alice' },
    });
    expect(added.statusCode).toBe(201);
    const listed = async () =>
      (
        (
          await cloud.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(token) })
        ).json() as { devices: { deviceId: string }[] }
      ).devices.map((d) => d.deviceId);
    expect(await listed()).toContain('gone-1');
    const removed = await cloud.app.inject({ method: 'DELETE', url: '/_sim/devices/gone-1' });
    expect(removed.statusCode).toBe(200);
    expect((removed.json() as { removed: { deviceId: string } }).removed.deviceId).toBe('gone-1');
    expect(await listed()).not.toContain('gone-1');
    const again = await cloud.app.inject({ method: 'DELETE', url: '/_sim/devices/gone-1' });
    expect(again.statusCode).toBe(404);
    expect((again.json() as { error: { code: string } }).error.code).toBe('device_not_found');
  });
});

describe('robustness: arbitrary JSON never yields a 5xx', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const deviceId = fc.constantFrom(
    'cam-1',
    'fan-1',
    'light-1',
    'lock-1',
    'contact-1',
    'thermo-1',
    'zzz',
  );
  const command = fc.oneof(
    fc.constantFrom(
      'setMode',
      'setSpeed',
      'turnOn',
      'setBrightness',
      'setColorTemperature',
      'lock',
      'unlock',
      'setSetpoints',
    ),
    fc.string(),
  );
  const body = fc.oneof(
    json,
    fc.record(
      {
        command,
        params: fc.oneof(
          json,
          fc.dictionary(
            fc.constantFrom(
              'mode',
              'speedPercent',
              'brightness',
              'kelvin',
              'heatSetpointC',
              'coolSetpointC',
              'level',
              'temperatureC',
            ),
            json,
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  );
  const routes = fc.constantFrom('command', 'trigger', 'scenario', 'advance', 'webhook-config');

  it('answers 2xx or 4xx with an error that names a path or code', async () => {
    await fc.assert(
      fc.asyncProperty(routes, deviceId, body, async (route, id, payload) => {
        const reqs = {
          command: {
            method: 'POST' as const,
            url: `/api/v1/devices/${id}/commands`,
            headers: bearer(token),
          },
          trigger: { method: 'POST' as const, url: `/_sim/devices/${id}/trigger`, headers: {} },
          scenario: { method: 'POST' as const, url: '/_sim/scenario', headers: {} },
          advance: { method: 'POST' as const, url: '/_sim/advance', headers: {} },
          'webhook-config': { method: 'PUT' as const, url: '/_sim/webhooks/config', headers: {} },
        };
        const r = reqs[route];
        const trigger =
          route === 'trigger' && typeof payload === 'object' && payload && 'command' in payload
            ? {
                event: (payload as { command?: unknown }).command,
                params: (payload as { params?: unknown }).params,
              }
            : payload;
        const res = await cloud.app.inject({
          ...r,
          headers: { ...r.headers, 'content-type': 'application/json' },
          payload: JSON.stringify(trigger ?? null),
        });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const err = (res.json() as { error: { code: string; message: string } }).error;
          expect(err.code).toMatch(/^[a-z_]+$/);
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    // The property must have left the webhook target sane (no URL accepted that is not http(s)).
    expect(
      cloud.webhooks.targetUrl === undefined || /^https?:/.test(cloud.webhooks.targetUrl),
    ).toBe(true);
  });
});

describe('robustness: arbitrary OAuth form posts never yield a 5xx', () => {
  it('token, revoke and authorize answer 2xx/3xx/4xx', async () => {
    const field = fc.constantFrom(
      'grant_type',
      'code',
      'refresh_token',
      'redirect_uri',
      'client_id',
      'client_secret',
      'token',
      'token_type_hint',
      'response_type',
      'scope',
      'state',
      'username',
      'password',
      'allowed',
    );
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'authorization_code',
        'refresh_token',
        'code',
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT_URI,
        'alice',
        'true',
        'false',
      ),
    );
    const url = fc.constantFrom('/oauth/token', '/oauth/revoke', '/oauth/authorize');
    const auth = fc.option(
      fc.oneof(
        fc.string(),
        fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`),
        fc.constant('Basic %%%'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        url,
        fc.dictionary(field, value),
        auth,
        async (path, fields, authorization) => {
          const headers: Record<string, string> = {
            'content-type': 'application/x-www-form-urlencoded',
          };
          if (authorization) headers.authorization = authorization;
          const res = await cloud.app.inject({
            method: 'POST',
            url: path,
            headers,
            payload: new URLSearchParams(fields).toString(),
          });
          expect(res.statusCode).toBeLessThan(500);
          // The client secret is never echoed (other fields may be: a client_id is shown on the page).
          const echoed = Object.entries(fields).some(
            ([k, v]) => k !== 'client_secret' && v.includes(CLIENT_SECRET),
          );
          if (!echoed) expect(res.body).not.toContain(CLIENT_SECRET);
        },
      ),
      { numRuns: 300 },
    );
  });
});
