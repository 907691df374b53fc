import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildVendorCloud,
  type StartedVendorCloud,
  startVendorCloud,
  VendorConfigError,
} from '../src/index.js';
import {
  authorize,
  basic,
  CLIENT_ID,
  CLIENT_SECRET,
  exchange,
  FORM,
  form,
  http,
} from './helpers.js';

// Over real sockets: what a web page in the developer's browser could send to the simulator, and
// what its legitimate callers (the dev stack, the connector, the login page itself) send.

let cloud: StartedVendorCloud;
let own: string;

beforeAll(async () => {
  cloud = await startVendorCloud({ tickIntervalMs: 0 });
  own = `http://127.0.0.1:${cloud.port}`;
});
afterAll(async () => cloud?.close());

const devices = async (): Promise<string> => {
  const res = await http(`${cloud.url}/_sim/devices`);
  expect(res.status).toBe(200);
  return res.text;
};
const unlock = (headers: Record<string, string>, body: string) =>
  http(`${cloud.url}/_sim/devices/lock-1/trigger`, { method: 'POST', headers, body });

describe('the vendor cloud refuses what a web page can send', () => {
  it('refuses cross-site POSTs to /_sim and leaves the devices as they were', async () => {
    const before = await devices();
    const json = JSON.stringify({ event: 'manual_unlock' });
    const cases: Array<[Record<string, string>, string, number, string]> = [
      // An HTML form on another site.
      [
        { ...FORM, origin: 'http://evil.example' },
        form({ event: 'manual_unlock' }),
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // A sandboxed page's form.
      [{ ...FORM, origin: 'null' }, form({ event: 'manual_unlock' }), 403, 'LOCAL_GUARD_ORIGIN'],
      // fetch(…, { mode: 'no-cors' }) from a page on another loopback port.
      [
        { 'content-type': 'text/plain', origin: `http://127.0.0.1:${cloud.port + 1}` },
        json,
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // Without an Origin the body type still tells.
      [{ 'content-type': 'text/plain' }, json, 415, 'LOCAL_GUARD_CONTENT_TYPE'],
      // DNS rebinding: another name in Host.
      [
        { 'content-type': 'application/json', host: `rebind.example:${cloud.port}` },
        json,
        403,
        'LOCAL_GUARD_HOST',
      ],
    ];
    for (const [headers, body, status, code] of cases) {
      const res = await unlock(headers, body);
      const got = res.json() as { error: { code: string } };
      expect({ headers, status: res.status, code: got.error.code }).toEqual({
        headers,
        status,
        code,
      });
    }
    expect(await devices()).toBe(before);
  });

  it('refuses another name in Host on every route (nothing readable after DNS rebinding)', async () => {
    for (const path of ['/_sim/devices', '/oauth/authorize', '/api/v1/devices']) {
      const res = await http(`${cloud.url}${path}`, {
        headers: { host: `attacker.example:${cloud.port}` },
      });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('lock-1');
      expect((res.json() as { error: { code: string } }).error.code).toBe('LOCAL_GUARD_HOST');
    }
  });

  it('refuses a login form posted from another origin, and a token request a page sends', async () => {
    const stats = (await http(`${cloud.url}/_sim/oauth`)).text;
    const login = await http(`${cloud.url}/oauth/authorize`, {
      method: 'POST',
      headers: { ...FORM, origin: 'http://evil.example' },
      body: form({ username: 'alice', password: 'alice-password', allowed: 'true' }),
    });
    expect(login.status).toBe(403);
    const token = await http(`${cloud.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, origin: 'null', authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: form({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(token.status).toBe(403);
    // No code was issued, no grant touched.
    expect((await http(`${cloud.url}/_sim/oauth`)).text).toBe(stats);
  });
});

describe('legitimate callers still get through', () => {
  it('the dev stack triggers devices with JSON (no Origin), and the page’s own origin may too', async () => {
    const res = await unlock({ 'content-type': 'application/json' }, '{"event":"offline"}');
    expect(res.status).toBe(200);
    const again = await unlock(
      { 'content-type': 'application/json', origin: own },
      '{"event":"online"}',
    );
    expect(again.status).toBe(200);
  });

  it('the login page posts its form from its own origin; the connector exchanges the code', async () => {
    const { code } = await authorize(cloud.url, 'alice', 'alice-password');
    expect((await exchange(cloud.url, code, 'basic')).status).toBe(200);
    const page = `http://localhost:${cloud.port}`;
    const login = await http(`${page}/oauth/authorize`, {
      method: 'POST',
      headers: { ...FORM, origin: page },
      body: form({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: 'http://127.0.0.1:4567/_local/oauth/callback',
        state: 's',
        username: 'alice',
        password: 'alice-password',
        allowed: 'true',
      }),
    });
    expect(login.status).toBe(302);
  });
});

describe('another name, when allowed', () => {
  it('is answered; a malformed one is refused by the library and the bin', async () => {
    const named = await startVendorCloud({ tickIntervalMs: 0, allowedHosts: ['devbox.local'] });
    try {
      const res = await http(`${named.url}/_sim/health`, {
        headers: { host: `devbox.local:${named.port}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await named.close();
    }
    expect(() => buildVendorCloud({ allowedHosts: ['http://x'] })).toThrow(VendorConfigError);
    const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', bin, '--port', '0', '--allowed-hosts', 'http://x'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--allowed-hosts: expected a host name/);
  }, 30_000);
});
