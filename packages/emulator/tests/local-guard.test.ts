import { fileURLToPath } from 'node:url';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';

// Over real sockets: what a web page in the developer's browser could send to the emulator, and
// what the legitimate callers (SDK clients, `c2c dev`, curl) send.

const KEYS = {
  accessKeyId: 'AKIAC2CKITGUARD00001',
  secretAccessKey: 'c2c-kit-guard-test-secret-access-key-0001',
  accountId: '111122223333',
};
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

let emu: RunningEmulator;
let own: string;

beforeAll(async () => {
  emu = await startEmulator({ memory: true, credentials: [KEYS] });
  own = `http://127.0.0.1:${emu.port}`;
  emu.app.lambdaHost.registerFunction({ name: 'web', handler: fixture('http.mjs') });
});
afterAll(async () => emu?.close());

async function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const res = await request(`${own}${path}`, { method: method as 'POST', headers, body });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not every answer is JSON (a 204 preflight); the status says enough then.
  }
  return { status: res.statusCode, json, headers: res.headers };
}

const functionNames = async (): Promise<string[]> => {
  const res = await send('GET', '/_local/functions', {});
  expect(res.status).toBe(200);
  return (res.json.functions as Array<{ name: string }>).map((f) => f.name);
};

const attack = JSON.stringify({
  name: 'evil',
  handler: fixture('echo.mjs'),
  environment: { NODE_OPTIONS: '--require /tmp/evil.cjs' },
});

describe('the emulator refuses what a web page can send', () => {
  it('refuses cross-site POSTs to /_local/functions and registers nothing', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      // fetch(…, { mode: 'no-cors', body }) from another site: a "simple" text/plain request.
      [
        { origin: 'http://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // The same from a page on another loopback port: same-site, still another origin.
      [
        { origin: `http://127.0.0.1:${emu.port + 1}`, 'content-type': 'text/plain' },
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // An HTML form.
      [
        { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
        403,
        'LOCAL_GUARD_ORIGIN',
      ],
      // No Origin at all (an old browser or a stripped header): the body type still tells.
      [{ 'content-type': 'text/plain' }, 415, 'LOCAL_GUARD_CONTENT_TYPE'],
      // Right type, wrong origin.
      [{ origin: 'null', 'content-type': 'application/json' }, 403, 'LOCAL_GUARD_ORIGIN'],
      // DNS rebinding: the page's own origin, so the Host names the attacker's domain.
      [
        {
          host: `rebind.example:${emu.port}`,
          origin: `http://rebind.example:${emu.port}`,
          'content-type': 'application/json',
        },
        403,
        'LOCAL_GUARD_HOST',
      ],
    ];
    for (const [headers, status, code] of cases) {
      const res = await send('POST', '/_local/functions', headers, attack);
      expect({ headers, status: res.status, code: res.json.code }).toEqual({
        headers,
        status,
        code,
      });
    }
    expect(await functionNames()).toEqual(['web']);
  });

  it('refuses another name in Host on every route, the signed AWS routes included', async () => {
    const host = { host: `attacker.example:${emu.port}` };
    for (const path of ['/_local/state', '/_local/functions', '/2015-03-31/functions/web']) {
      const res = await send('GET', path, host);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code: 'LOCAL_GUARD_HOST', __type: 'AccessDeniedException' });
      expect(String(res.json.message)).toContain('attacker.example');
      expect(res.json).not.toHaveProperty('functions');
    }
    const url = await send('POST', '/lambda-url/web/hook', {
      ...host,
      'content-type': 'text/plain',
    });
    expect(url.status).toBe(403);
    const callback = await send('GET', '/_local/oauth/callback?state=x&code=y', host);
    expect(callback.status).toBe(403);
  });

  it('answers no preflight on the local API, and CORS on AWS routes only for loopback pages', async () => {
    const preflight = (path: string, origin: string) =>
      send('OPTIONS', path, {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
    const local = await preflight('/_local/functions', `http://127.0.0.1:${emu.port + 1}`);
    expect(local.status).toBe(403);
    expect(local.json.code).toBe('LOCAL_GUARD_PREFLIGHT');
    expect(local.headers['access-control-allow-origin']).toBeUndefined();

    const awsPath = '/2015-03-31/functions/web/invocations';
    const page = 'http://localhost:5173';
    const loopback = await preflight(awsPath, page);
    expect(loopback.status).toBe(204);
    expect(loopback.headers['access-control-allow-origin']).toBe(page);
    const foreign = await preflight(awsPath, 'http://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    // The signature still decides the real request; its refusal is readable by the loopback page.
    const unsigned = await send('POST', awsPath, { origin: page, 'content-type': 'text/plain' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(unsigned.headers['access-control-allow-origin']).toBe(page);
  });
});

describe('legitimate callers still get through', () => {
  it('registers a function from curl/fetch (no Origin) and from the server’s own origin', async () => {
    for (const [name, extra] of [
      ['tool', {}],
      ['page', { origin: `http://localhost:${emu.port}`, host: `localhost:${emu.port}` }],
    ] as const) {
      const res = await send(
        'POST',
        '/_local/functions',
        { 'content-type': 'application/json', ...extra },
        JSON.stringify({ name, handler: fixture('echo.mjs') }),
      );
      expect(res.status).toBe(201);
    }
    expect(await functionNames()).toEqual(['page', 'tool', 'web']);
    for (const name of ['page', 'tool']) {
      expect((await send('DELETE', `/_local/functions/${name}`, {})).status).toBe(204);
    }
  });

  it('serves SDK clients on the signed routes', async () => {
    const client = new LambdaClient({ endpoint: emu.url, region: 'us-east-1', credentials: KEYS });
    try {
      const out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'web' }));
      expect(out.FunctionName).toBe('web');
    } finally {
      client.destroy();
    }
  });

  it('keeps Function URLs public: any Origin, any body type', async () => {
    const res = await send(
      'POST',
      '/lambda-url/web/hook',
      { origin: 'https://vendor.example', 'content-type': 'text/plain' },
      'hello',
    );
    expect(res.status).toBe(201);
    expect(res.json.body).toBe('hello');
  });
});

describe('a function never gets process-level options', () => {
  it('refuses NODE_OPTIONS, loader variables and smuggled flags in a registration (400)', async () => {
    const refused: Array<Record<string, string>> = [
      { NODE_OPTIONS: '--enable-source-maps' },
      { node_options: '--require /tmp/x.cjs' },
      { NODE_PATH: '/tmp' },
      { LD_PRELOAD: '/tmp/x.so' },
      { EXTRA: '--import=data:text/javascript,1' },
      { EXTRA: 'a --inspect-brk=0.0.0.0:9229' },
      { EXTRA: '--experimental-loader /tmp/l.mjs' },
    ];
    for (const environment of refused) {
      const res = await send(
        'POST',
        '/_local/functions',
        { 'content-type': 'application/json' },
        JSON.stringify({ name: 'opts', handler: fixture('echo.mjs'), environment }),
      );
      expect(res.status).toBe(400);
      expect(String(res.json.message)).toMatch(/^environment\.\w+: refused/);
    }
    expect(await functionNames()).toEqual(['web']);
    const fine = await send(
      'POST',
      '/_local/functions',
      { 'content-type': 'application/json' },
      JSON.stringify({
        name: 'opts',
        handler: fixture('echo.mjs'),
        environment: { NODE_ENV: 'production', GREETING: 'uses --color in prose' },
      }),
    );
    expect(fine.status).toBe(201);
    expect((await send('DELETE', '/_local/functions/opts', {})).status).toBe(204);
  });

  it('keeps a stored NODE_OPTIONS (an older data directory) out of the worker', async () => {
    const host = emu.app.lambdaHost;
    host.registerFunction({ name: 'env', handler: fixture('process-env.mjs') });
    // What a registration made before the check existed looks like in the database.
    emu.app.db
      .prepare('UPDATE lambda_functions SET environment = ?, modified_at = ? WHERE name = ?')
      .run(
        JSON.stringify({ NODE_OPTIONS: '--require /nonexistent.cjs', LD_PRELOAD: 'x', KEPT: '1' }),
        Date.now() + 1000,
        'env',
      );
    const result = await host.invoke('env', '{}');
    expect(JSON.parse(result.payload.toString('utf8'))).toEqual({
      NODE_OPTIONS: null,
      LD_PRELOAD: null,
      KEPT: '1',
      execArgv: [],
    });
    host.deleteFunction('env');
  });
});

describe('another name, when allowed', () => {
  it('is answered on every route, and its origin is the server’s own', async () => {
    const named = await startEmulator({
      memory: true,
      credentials: [KEYS],
      allowedHosts: ['devbox.local'],
    });
    try {
      const host = `devbox.local:${named.port}`;
      const state = await request(`${named.url}/_local/state`, { headers: { host } });
      expect(state.statusCode).toBe(200);
      await state.body.dump();
      const page = await request(`${named.url}/_local/functions`, {
        method: 'POST',
        headers: { host, origin: `http://${host}`, 'content-type': 'application/json' },
        body: '{}',
      });
      // Past the guard: the route itself answers (the body names no function).
      expect(page.statusCode).toBe(400);
      expect(((await page.body.json()) as { code?: string }).code).toBeUndefined();
      const other = await request(`${named.url}/_local/state`, {
        headers: { host: `devbox.local.evil.example:${named.port}` },
      });
      expect(other.statusCode).toBe(403);
      await other.body.dump();
    } finally {
      await named.close();
    }
  });
});

describe('with verify: false nothing signs the AWS routes', () => {
  it('refuses their state-changing requests from another origin', async () => {
    const open = await startEmulator({ memory: true, credentials: [KEYS], verify: false });
    try {
      const res = await request(`${open.url}/2015-03-31/functions/web/invocations`, {
        method: 'POST',
        headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
        body: '{}',
      });
      expect(res.statusCode).toBe(403);
      expect(((await res.body.json()) as { code: string }).code).toBe('LOCAL_GUARD_ORIGIN');
    } finally {
      await open.close();
    }
  });
});
