import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedVendorCloud, startVendorCloud, userIdFor } from '../src/index.js';
import {
  authorize,
  basic,
  bearer,
  CLIENT_ID,
  CLIENT_SECRET,
  exchange,
  FORM,
  form,
  http,
  login,
  REDIRECT_URI,
  type Tokens,
} from './helpers.js';

let cloud: StartedVendorCloud;
let base: string;

beforeAll(async () => {
  cloud = await startVendorCloud({ tickIntervalMs: 0 });
  base = cloud.url;
});
afterAll(async () => {
  await cloud.close();
});

describe('authorization-code grant over real HTTP', () => {
  it('serves an accessible login form that carries the request forward', async () => {
    const query = form({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 's<1>',
    });
    const page = await http(`${base}/oauth/authorize?${query}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<label for="username">');
    expect(page.text).toContain('<label for="password">');
    expect(page.text).toContain('autocomplete="current-password"');
    // The state is carried as an escaped hidden field, never raw HTML.
    expect(page.text).toContain('value="s&#60;1&#62;"');
    expect(page.text).not.toContain('s<1>');
  });

  it('issues a code, then tokens with HTTP Basic client authentication', async () => {
    const { code, state } = await authorize(base, 'alice', 'alice-password');
    expect(state).toBe('xyz-123');
    const res = await exchange(base, code, 'basic');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const tokens = res.json() as Tokens;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.access_token).toMatch(/^acme_at_/);
    expect(tokens.refresh_token).toMatch(/^acme_rt_/);
    expect(tokens.expires_in).toBeGreaterThan(3500);
    // A code is single use.
    const again = await exchange(base, code, 'basic');
    expect(again.status).toBe(400);
    expect((again.json() as { error: string }).error).toBe('invalid_grant');
  });

  it('issues tokens with request-body client credentials', async () => {
    const { code } = await authorize(base, 'bob', 'bob-password');
    const res = await exchange(base, code, 'body');
    expect(res.status).toBe(200);
    const me = await http(`${base}/oauth/userinfo`, {
      headers: bearer((res.json() as Tokens).access_token),
    });
    expect(me.json()).toEqual({
      sub: userIdFor('bob'),
      userId: userIdFor('bob'),
      name: 'Bob Brown',
    });
  });

  it('rejects a wrong client secret on the token endpoint', async () => {
    const { code } = await authorize(base, 'alice', 'alice-password');
    const res = await http(`${base}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, 'wrong') },
      body: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
    });
    expect(res.status).toBe(401);
    expect((res.json() as { error: string }).error).toBe('invalid_client');
    expect(res.text).not.toContain(CLIENT_SECRET);
  });

  it('re-renders the form with 401 on a wrong password and redirects access_denied on Deny', async () => {
    const q = {
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'st',
    };
    const wrong = await http(`${base}/oauth/authorize`, {
      method: 'POST',
      headers: FORM,
      body: form({ ...q, username: 'alice', password: 'nope', allowed: 'true' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('role="alert"');
    const deny = await http(`${base}/oauth/authorize`, {
      method: 'POST',
      headers: FORM,
      body: form({ ...q, allowed: 'false' }),
    });
    expect(deny.status).toBe(302);
    const loc = new URL(String(deny.headers.location));
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('st');
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const q = form({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: 'https://evil.example/cb',
    });
    const res = await http(`${base}/oauth/authorize?${q}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('not registered');
    const unknown = await http(
      `${base}/oauth/authorize?${form({ client_id: 'nobody', redirect_uri: REDIRECT_URI })}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Unknown client');
  });

  it('accepts a loopback redirect URI on any port (RFC 8252)', async () => {
    const other = 'http://127.0.0.1:9/_local/oauth/callback';
    const { location } = await authorize(base, 'alice', 'alice-password', { redirect_uri: other });
    expect(location.startsWith(other)).toBe(true);
  });

  it('refreshes, rotating the refresh token', async () => {
    const tokens = await login(base, 'alice', 'alice-password');
    const res = await http(`${base}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    expect(res.status).toBe(200);
    const next = res.json() as Tokens;
    expect(next.access_token).not.toBe(tokens.access_token);
    const list = await http(`${base}/api/v1/devices`, { headers: bearer(next.access_token) });
    expect(list.status).toBe(200);
    const reuse = await http(`${base}/oauth/token`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(reuse.status).toBe(400);
    expect((reuse.json() as { error: string }).error).toBe('invalid_grant');
  });
});

describe('RFC 7009 revocation', () => {
  it('revoking the access token also ends its refresh token (DeactivateUser)', async () => {
    const tokens = await login(base, 'alice', 'alice-password');
    const res = await http(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: form({ token: tokens.access_token, token_type_hint: 'access_token' }),
    });
    expect(res.status).toBe(200);
    const list = await http(`${base}/api/v1/devices`, { headers: bearer(tokens.access_token) });
    expect(list.status).toBe(401);
    expect(String(list.headers['www-authenticate'])).toContain('invalid_token');
    const refresh = await http(`${base}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    expect(refresh.status).toBe(400);
    // Idempotent: revoking again is still a success.
    const again = await http(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: FORM,
      body: form({
        token: tokens.access_token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(again.status).toBe(200);
  });

  it('lets the bearer of a token revoke it without client credentials', async () => {
    const tokens = await login(base, 'bob', 'bob-password');
    const res = await http(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: FORM,
      body: form({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }),
    });
    expect(res.status).toBe(200);
    expect(
      (await http(`${base}/api/v1/devices`, { headers: bearer(tokens.access_token) })).status,
    ).toBe(401);
  });

  it('rejects bad client credentials and a missing token', async () => {
    const bad = await http(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(CLIENT_ID, 'wrong') },
      body: form({ token: 'x' }),
    });
    expect(bad.status).toBe(401);
    expect((bad.json() as { error: string }).error).toBe('invalid_client');
    const missing = await http(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: FORM,
      body: form({}),
    });
    expect(missing.status).toBe(400);
    expect((missing.json() as { error_description: string }).error_description).toContain(
      'body.token',
    );
  });
});

describe('per-user scoping', () => {
  it("bob cannot see or command alice's devices", async () => {
    const alice = await login(base, 'alice', 'alice-password');
    const bob = await login(base, 'bob', 'bob-password');
    const aliceIds = (
      (await http(`${base}/api/v1/devices`, { headers: bearer(alice.access_token) })).json() as {
        devices: { deviceId: string }[];
      }
    ).devices.map((d) => d.deviceId);
    const bobIds = (
      (await http(`${base}/api/v1/devices`, { headers: bearer(bob.access_token) })).json() as {
        devices: { deviceId: string }[];
      }
    ).devices.map((d) => d.deviceId);
    expect(aliceIds).toContain('cam-1');
    expect(bobIds).toEqual(['cam-2', 'fan-2', 'lock-2']);
    expect(bobIds.some((id) => aliceIds.includes(id))).toBe(false);
    const peek = await http(`${base}/api/v1/devices/cam-1`, { headers: bearer(bob.access_token) });
    expect(peek.status).toBe(404);
    const cmd = await http(`${base}/api/v1/devices/fan-1/commands`, {
      method: 'POST',
      headers: { ...bearer(bob.access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'setMode', params: { mode: 'high' } }),
    });
    expect(cmd.status).toBe(404);
    expect(cloud.simulation.getDevice(undefined, 'fan-1').state).toMatchObject({ mode: 'off' });
  });

  it('honours scopes: a read-only token cannot send commands', async () => {
    const { code } = await authorize(base, 'alice', 'alice-password', { scope: 'devices:read' });
    const tokens = (await exchange(base, code, 'basic')).json() as Tokens;
    expect(tokens.scope).toBe('devices:read');
    const res = await http(`${base}/api/v1/devices/light-1/commands`, {
      method: 'POST',
      headers: { ...bearer(tokens.access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'turnOn' }),
    });
    expect(res.status).toBe(403);
    expect((res.json() as { error: { code: string } }).error.code).toBe('insufficient_scope');
  });

  it('requires a bearer token and says so', async () => {
    const res = await http(`${base}/api/v1/devices`);
    expect(res.status).toBe(401);
    expect((res.json() as { error: { code: string } }).error.code).toBe('missing_token');
    const bogus = await http(`${base}/api/v1/devices`, { headers: bearer('acme_at_forged') });
    expect(bogus.status).toBe(401);
  });
});
