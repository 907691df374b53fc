import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedHostsFor,
  CONTROL,
  checkRequest,
  type GuardPolicy,
  type GuardRequest,
  HOST_ONLY,
  LocalGuardConfigError,
  parseAllowedHosts,
  policyFor,
  ServerGuard,
} from '../src/index.js';

const PORT = 4100;
const LOOPBACK = allowedHostsFor({ address: '127.0.0.1', port: PORT });
const OWN = `http://127.0.0.1:${PORT}`;

function req(
  method: string,
  headers: Record<string, string>,
  url = '/_local/functions',
): GuardRequest {
  return { method, url, headers: { host: `127.0.0.1:${PORT}`, ...headers } };
}

function codeOf(request: GuardRequest, policy: GuardPolicy = CONTROL): string {
  const verdict = checkRequest(request, LOOPBACK, policy);
  return verdict.ok ? (verdict.answered ? 'answered' : 'ok') : verdict.code;
}

describe('allowed hosts', () => {
  it('a loopback listener answers to its address and the loopback names, with its port', () => {
    expect([...LOOPBACK.hosts].sort()).toEqual(
      [`127.0.0.1:${PORT}`, `[::1]:${PORT}`, `localhost:${PORT}`].sort(),
    );
    expect(LOOPBACK.origins.has(OWN)).toBe(true);
    expect(LOOPBACK.origins.has(`http://localhost:${PORT}`)).toBe(true);
  });

  it('a non-loopback listener answers to that address only, plus configured names', () => {
    const allowed = allowedHostsFor({ address: '192.168.7.9', port: 80 }, [
      'Box.Local',
      '[fd00::1]:8080',
    ]);
    expect([...allowed.hosts].sort()).toEqual(
      ['192.168.7.9:80', 'box.local:80', '[fd00::1]:8080'].sort(),
    );
    // Browsers leave the default port out of an origin.
    expect(allowed.origins.has('http://box.local')).toBe(true);
  });

  it('a wildcard listener answers to the interface addresses, loopback included', () => {
    const allowed = allowedHostsFor({ address: '0.0.0.0', port: PORT });
    expect(allowed.hosts.has(`127.0.0.1:${PORT}`)).toBe(true);
    expect(allowed.hosts.has(`0.0.0.0:${PORT}`)).toBe(true);
    expect(allowed.hosts.has(`attacker.example:${PORT}`)).toBe(false);
  });

  it('refuses an allowedHosts entry that is not a host', () => {
    for (const bad of ['http://x', 'a b', '::1', 'x:y', '']) {
      expect(() => new ServerGuard({ server: createServer(), allowedHosts: [bad] })).toThrow(
        LocalGuardConfigError,
      );
    }
  });

  it('follows its server when it listens again on another port', async () => {
    const server = createServer((_request, response) => response.end());
    const guard = new ServerGuard({ server });
    const host = (port: number) => ({
      method: 'GET',
      url: '/',
      headers: { host: `127.0.0.1:${port}` },
    });
    const listen = () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      );
    const close = () => new Promise((resolve) => server.close(resolve));
    const first = await listen();
    expect(guard.check(host(first), CONTROL).ok).toBe(true);
    await close();
    const second = await listen();
    try {
      expect(guard.check(host(second), CONTROL).ok).toBe(true);
      expect(guard.check(host(first), CONTROL).ok).toBe(false);
    } finally {
      await close();
    }
  });

  it('reads a command line list, naming the flag of a bad entry', () => {
    expect(parseAllowedHosts(' devbox.local, ,emu:4566 ')).toEqual(['devbox.local', 'emu:4566']);
    expect(parseAllowedHosts('')).toEqual([]);
    expect(() => parseAllowedHosts('ok.local,http://x')).toThrow(/^--allowed-hosts: expected/);
  });
});

describe('checkRequest', () => {
  it('refuses a Host the server does not answer to, on every policy (DNS rebinding)', () => {
    for (const policy of [CONTROL, HOST_ONLY]) {
      const verdict = checkRequest(
        req('GET', { host: `attacker.example:${PORT}` }, '/_local/state'),
        LOOPBACK,
        policy,
      );
      expect(verdict).toMatchObject({ ok: false, status: 403, code: 'LOCAL_GUARD_HOST' });
      expect(verdict.ok ? '' : verdict.message).toContain('attacker.example');
      expect(verdict.ok ? '' : verdict.message).toContain('allowedHosts');
      // A rebound page reads this answer: it must not learn the server's addresses.
      expect(verdict.ok ? '' : verdict.message).not.toContain('127.0.0.1');
    }
    expect(codeOf({ method: 'GET', url: '/', headers: {} })).toBe('LOCAL_GUARD_HOST');
    expect(codeOf(req('GET', { host: `127.0.0.1:${PORT + 1}` }))).toBe('LOCAL_GUARD_HOST');
    expect(codeOf(req('GET', { host: `LOCALHOST:${PORT}` }))).toBe('ok');
  });

  it('refuses state-changing requests from another origin, null and other ports included', () => {
    for (const origin of ['null', `http://127.0.0.1:${PORT + 1}`, 'http://evil.example', '']) {
      expect(codeOf(req('POST', { origin, 'content-type': 'application/json' }))).toBe(
        'LOCAL_GUARD_ORIGIN',
      );
      expect(codeOf(req('DELETE', { origin }))).toBe('LOCAL_GUARD_ORIGIN');
    }
    // Reads are left to the same-origin policy; requests without Origin are not from a page.
    expect(codeOf(req('GET', { origin: 'http://evil.example' }))).toBe('ok');
    expect(codeOf(req('POST', { 'content-type': 'application/json' }))).toBe('ok');
    expect(codeOf(req('POST', { origin: OWN, 'content-type': 'application/json' }))).toBe('ok');
  });

  it('requires JSON on control routes with a body, whatever the origin', () => {
    const body = { 'content-length': '10' };
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      expect(codeOf(req('POST', { ...body, 'content-type': type }))).toBe(
        'LOCAL_GUARD_CONTENT_TYPE',
      );
    }
    expect(codeOf(req('POST', { 'transfer-encoding': 'chunked' }))).toBe(
      'LOCAL_GUARD_CONTENT_TYPE',
    );
    expect(
      codeOf(req('POST', { ...body, 'content-type': 'Application/JSON; charset=utf-8' })),
    ).toBe('ok');
    expect(codeOf(req('POST', { ...body, 'content-type': 'application/json-patch' }))).toBe(
      'LOCAL_GUARD_CONTENT_TYPE',
    );
    // Host-only routes take any body (AWS protocols, Function URLs, OAuth forms).
    expect(codeOf(req('POST', { ...body, 'content-type': 'text/plain' }), HOST_ONLY)).toBe('ok');
  });

  it('checks the token in its header, or in the query where the policy allows it', () => {
    const token = { value: 'a'.repeat(43), header: 'x-token', query: 'token' };
    const withQuery: GuardPolicy = { ...CONTROL, token };
    const headerOnly: GuardPolicy = {
      ...CONTROL,
      token: { value: token.value, header: 'x-token' },
    };
    expect(codeOf(req('GET', {}, '/api/config'), headerOnly)).toBe('LOCAL_GUARD_TOKEN');
    expect(codeOf(req('GET', { 'x-token': 'b'.repeat(43) }, '/api/config'), headerOnly)).toBe(
      'LOCAL_GUARD_TOKEN',
    );
    expect(codeOf(req('GET', { 'x-token': token.value }, '/api/config'), headerOnly)).toBe('ok');
    expect(codeOf(req('GET', {}, `/api/config?token=${token.value}`), headerOnly)).toBe(
      'LOCAL_GUARD_TOKEN',
    );
    expect(codeOf(req('GET', {}, `/api/events?token=${token.value}`), withQuery)).toBe('ok');
    expect(codeOf(req('GET', {}, '/api/events?token=short'), withQuery)).toBe('LOCAL_GUARD_TOKEN');
  });

  it('answers preflights for loopback origins only, and never with *', () => {
    const aws: GuardPolicy = { ...HOST_ONLY, preflight: 'loopback', exposeHeaders: ['x-id'] };
    const preflight = (origin: string) =>
      checkRequest(
        req('OPTIONS', {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, x-amz-date',
        }),
        LOOPBACK,
        aws,
      );
    const answered = preflight('http://localhost:5173');
    expect(answered).toMatchObject({ ok: true, answered: true });
    expect(answered.ok && answered.headers['access-control-allow-origin']).toBe(
      'http://localhost:5173',
    );
    expect(answered.ok && answered.headers['access-control-allow-headers']).toBe(
      'authorization, x-amz-date',
    );
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.2:80']) {
      expect(preflight(origin)).toMatchObject({ ok: false, code: 'LOCAL_GUARD_PREFLIGHT' });
    }
    // Control routes answer no preflight at all.
    const control = checkRequest(
      req('OPTIONS', { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' }),
      LOOPBACK,
      CONTROL,
    );
    expect(control).toMatchObject({ ok: false, status: 403, code: 'LOCAL_GUARD_PREFLIGHT' });
    // A loopback page's real request gets its origin back (so it may read the answer).
    const real = checkRequest(req('POST', { origin: 'http://localhost:5173' }), LOOPBACK, aws);
    expect(real.ok && real.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const foreign = checkRequest(req('POST', { origin: 'http://evil.example' }), LOOPBACK, aws);
    expect(foreign.ok && foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('checkRequest properties', () => {
  const name = fc.oneof(
    fc.domain(),
    fc.ipV4(),
    fc.ipV6().map((a) => `[${a}]`),
    fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'LOCALHOST', 'localhost.', '127.0.0.01'),
  );
  const port = fc.oneof(fc.constant(PORT), fc.integer({ min: 1, max: 65535 }));
  const hostHeader = fc.tuple(name, port).map(([n, p]) => `${n}:${p}`);

  it('only the exact names of the server pass the Host check', () => {
    fc.assert(
      fc.property(hostHeader, (host) => {
        const verdict = checkRequest(req('GET', { host }), LOOPBACK, HOST_ONLY);
        expect(verdict.ok).toBe(LOOPBACK.hosts.has(host.toLowerCase()));
      }),
      { numRuns: 500 },
    );
  });

  it('only the exact origins of the server may change state', () => {
    const origin = fc.oneof(
      fc.tuple(fc.constantFrom('http', 'https'), hostHeader).map(([s, h]) => `${s}://${h}`),
      fc.constantFrom(OWN, `${OWN}/`, `${OWN} `, 'null', `http://localhost:${PORT}`),
      fc.webUrl(),
    );
    fc.assert(
      fc.property(origin, fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), (o, method) => {
        const verdict = checkRequest(
          req(method, { origin: o, 'content-type': 'application/json' }),
          LOOPBACK,
          CONTROL,
        );
        expect(verdict.ok).toBe(LOOPBACK.origins.has(o));
      }),
      { numRuns: 500 },
    );
  });
});

describe('policyFor', () => {
  const open: GuardPolicy = { ...HOST_ONLY, preflight: 'route' };
  const rules = [
    { path: '/lambda-url/*', policy: open, reason: 'public' },
    { methods: ['GET'], path: '/_local/oauth/callback', policy: HOST_ONLY, reason: 'navigation' },
    { path: '/api/accounts/:id/events', policy: HOST_ONLY, reason: 'stream' },
  ];

  it('matches literal, parameter and rest segments; anything else gets the fallback', () => {
    expect(policyFor(rules, 'post', '/lambda-url/fn/hook', CONTROL)).toBe(open);
    expect(policyFor(rules, 'GET', '/lambda-url', CONTROL)).toBe(open);
    expect(policyFor(rules, 'GET', '/_local/oauth/callback', CONTROL)).toBe(HOST_ONLY);
    expect(policyFor(rules, 'POST', '/_local/oauth/callback', CONTROL)).toBe(CONTROL);
    expect(policyFor(rules, 'GET', '/api/accounts/1/events', CONTROL)).toBe(HOST_ONLY);
    expect(policyFor(rules, 'GET', '/api/accounts//events', CONTROL)).toBe(CONTROL);
    expect(policyFor(rules, 'GET', '/api/accounts/1/events/x', CONTROL)).toBe(CONTROL);
    // Spellings a router may decode to an exempt route still get the strict fallback.
    expect(policyFor(rules, 'POST', '//lambda-url/fn', CONTROL)).toBe(CONTROL);
    expect(policyFor(rules, 'POST', '/%6cambda-url/fn', CONTROL)).toBe(CONTROL);
  });
});
