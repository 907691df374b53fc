import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboard } from '../src/dev/dashboardServer.js';
import { UpstreamError } from '../src/errors.js';
import { runBin } from './helpers/bin.js';

// Over real sockets: what a web page in the developer's browser could send to the dashboard (a
// form, a no-cors fetch, a DNS-rebound page), and what the dashboard's own page sends.

let dashboard: DashboardServer;
const triggers: string[] = [];

beforeAll(async () => {
  dashboard = await startDashboard({
    region: 'us-east-1',
    // Nothing listens here: a refused request must never get as far as an upstream call.
    emulatorUrl: 'http://127.0.0.1:9',
    vendorCloudUrl: 'http://127.0.0.1:9',
    customers: [
      {
        accountId: '111122223333',
        name: 'Demo',
        credentials: { accessKeyId: 'AKIAC2CKITGUARD00001', secretAccessKey: 'x'.repeat(40) },
      },
    ],
    demoUsers: [],
    connectorDestinationId: () => 'dest1',
    notificationStreamUrl: () => 'http://127.0.0.1:9/_local/notifications/stream',
    triggerVendorEvent: async (_user, deviceId, event) => {
      if (deviceId === 'missing') {
        throw new UpstreamError('vendor trigger', 404, undefined, 'no device missing');
      }
      triggers.push(`${deviceId}:${event}`);
      return { ok: true };
    },
  });
});
afterAll(async () => dashboard?.close());

/** node:http, so the test can send any Host header (fetch sets its own). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${dashboard.url}${path}`,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const own = () => `http://127.0.0.1:${dashboard.port}`;
const TOKEN = 'x-c2c-dashboard-token';
const codeOf = (text: string): string => (JSON.parse(text) as { error: string }).error;

describe('the dashboard refuses what a web page can send', () => {
  it('refuses POSTs to its API without the page’s token, origin and JSON, and fires nothing', async () => {
    const path = '/api/vendor/devices/lock-1/events';
    const json = JSON.stringify({ event: 'manual_unlock' });
    const cases: Array<[Record<string, string>, string, number, string]> = [
      // An HTML form on another site.
      [
        { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        'event=manual_unlock',
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // fetch(…, { mode: 'no-cors' }) from a page on another loopback port.
      [
        { origin: `http://127.0.0.1:${dashboard.port + 1}`, 'content-type': 'text/plain' },
        json,
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      [{ origin: 'null', 'content-type': 'application/json' }, json, 403, 'LOCAL_GUARD_ORIGIN'],
      // Same origin and JSON, but no token: only a page this server served knows it.
      [{ origin: own(), 'content-type': 'application/json' }, json, 403, 'LOCAL_GUARD_TOKEN'],
      [
        { origin: own(), 'content-type': 'application/json', [TOKEN]: 'guessed' },
        json,
        403,
        'LOCAL_GUARD_TOKEN',
      ],
      // With the token, a form body is still refused.
      [
        { 'content-type': 'text/plain', [TOKEN]: dashboard.token },
        json,
        415,
        'LOCAL_GUARD_CONTENT_TYPE',
      ],
      // DNS rebinding: the attacker's name in Host.
      [
        {
          host: `rebind.example:${dashboard.port}`,
          'content-type': 'application/json',
          [TOKEN]: dashboard.token,
        },
        json,
        403,
        'LOCAL_GUARD_HOST',
      ],
    ];
    for (const [headers, body, status, code] of cases) {
      const res = await send('POST', path, headers, body);
      expect({ headers, status: res.status, code: codeOf(res.text) }).toEqual({
        headers,
        status,
        code,
      });
    }
    expect(triggers).toEqual([]);
  });

  it('keeps config, the event stream and the page itself from another Host (DNS rebinding)', async () => {
    const host = { host: `attacker.example:${dashboard.port}`, [TOKEN]: dashboard.token };
    for (const path of [
      '/api/config',
      `/api/accounts/111122223333/events?token=${dashboard.token}`,
      '/',
    ]) {
      const res = await send('GET', path, host);
      expect(res.status).toBe(403);
      expect(codeOf(res.text)).toBe('LOCAL_GUARD_HOST');
      expect(res.text).not.toContain('dest1');
      expect(res.text).not.toContain(dashboard.token);
    }
  });

  it('needs the token for reads too; the stream may take it in the query only', async () => {
    expect((await send('GET', '/api/config', {})).status).toBe(403);
    expect((await send('GET', `/api/config?token=${dashboard.token}`, {})).status).toBe(403);
    const stream = await send('GET', '/api/accounts/111122223333/events', {});
    expect(codeOf(stream.text)).toBe('LOCAL_GUARD_TOKEN');
  });
});

describe('the dashboard’s own page still works', () => {
  it('serves the page with this run’s token, uncached, and the page’s calls pass', async () => {
    const page = await send('GET', '/', {});
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<meta name="c2c-dashboard-token" content="${dashboard.token}">`);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await send('GET', '/app.js', {});
    expect(js.text).not.toContain(dashboard.token);

    const config = await send('GET', '/api/config', { [TOKEN]: dashboard.token });
    expect(config.status).toBe(200);
    expect(config.text).toContain('dest1');
    const fired = await send(
      'POST',
      '/api/vendor/devices/lock-1/events',
      { origin: own(), 'content-type': 'application/json', [TOKEN]: dashboard.token },
      JSON.stringify({ event: 'manual_unlock' }),
    );
    expect(fired.status).toBe(202);
    expect(triggers).toEqual(['lock-1:manual_unlock']);
  });

  it('passes an upstream 4xx on as that 4xx; an unreachable upstream is a 502', async () => {
    const post = (path: string, body: string) =>
      send('POST', path, { 'content-type': 'application/json', [TOKEN]: dashboard.token }, body);
    const missing = await post('/api/vendor/devices/missing/events', '{"event":"motion"}');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('no device missing');
    const down = await post('/api/accounts/111122223333/operations/ListManagedThings', '{}');
    expect(down.status).toBe(502);
  });
});

describe('--allowed-hosts', () => {
  it('refuses a malformed name on every command that starts a server: one line, exit 2', async () => {
    for (const args of [
      ['dev', '--memory'],
      ['emulator', '--memory', '--port', '0'],
      ['vendor-cloud', '--port', '0'],
    ]) {
      const r = await runBin([...args, '--allowed-hosts', 'devbox.local,http://x']);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/--allowed-hosts: expected a host name.*got "http:\/\/x"/);
    }
  }, 90_000);
});
