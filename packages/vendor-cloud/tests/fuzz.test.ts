import {
  deepJson,
  expectHandled,
  expectHugeAndTruncatedHandled,
  hostileRequests,
  messageOf,
  sendRaw,
} from '@c2c-kit/testing/hostile-http';
import { dribbleBody } from '@c2c-kit/testing/slow-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVendorCloud, type StartedVendorCloud, startVendorCloud } from '../src/index.js';
import { FORM, login } from './helpers.js';

// Every route of the vendor cloud (OAuth, /api/v1, /_sim) over real sockets: hostile input gets a
// 4xx with a message, never a 5xx, and the server still answers afterwards.

let cloud: StartedVendorCloud;
let bearer: string;

beforeAll(async () => {
  cloud = await startVendorCloud({ tickIntervalMs: 0, requestTimeoutMs: 2_000 });
  bearer = `Bearer ${(await login(cloud.url, 'alice', 'alice-password')).access_token}`;
});
afterAll(async () => {
  await cloud.close();
});

const PATHS = [
  '/oauth/authorize',
  '/oauth/token',
  '/oauth/revoke',
  '/oauth/userinfo',
  '/api/v1/me',
  '/api/v1/devices',
  '/api/v1/devices/fan-1',
  '/api/v1/devices/fan-1/commands',
  '/_sim/health',
  '/_sim/devices',
  '/_sim/users',
  '/_sim/catalog',
  '/_sim/devices/fan-1/trigger',
  '/_sim/scenario',
  '/_sim/advance',
  '/_sim/webhooks',
  '/_sim/webhooks/config',
  '/_sim/oauth',
];

const health = async () =>
  (await sendRaw(cloud.port, { method: 'GET', target: '/_sim/health' })).status;

describe('vendor cloud fuzz over real sockets', () => {
  it('random hostile requests get a 4xx with a message', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileRequests({
          paths: PATHS,
          queryNames: ['client_id', 'redirect_uri', 'state', 'response_type', 'code_challenge'],
          headers: fc.constantFrom<Record<string, string>>(
            {},
            { authorization: 'x' },
            {
              get authorization() {
                return bearer;
              },
            },
          ),
        }),
        async (req) => {
          const answer = await sendRaw(cloud.port, req);
          expectHandled(answer, `${req.method} ${req.target.toString()}`, {
            head: req.method === 'HEAD',
          });
        },
      ),
      { numRuns: 200, seed: 20261126 },
    );
    expect(await health()).toBe(200);
  });

  it('nesting 10,000 deep, under constructor/__proto__ or not, is a 400', async () => {
    for (const target of ['/_sim/advance', '/_sim/scenario', '/api/v1/devices/fan-1/commands']) {
      for (const body of [
        deepJson(10_000, 'array'),
        deepJson(10_000, 'object'),
        deepJson(10_000, 'object', 'constructor'),
        deepJson(10_000, 'object', '__proto__'),
        `{"command":"setMode","params":${deepJson(10_000, 'object', 'constructor')}}`,
      ]) {
        const answer = await sendRaw(cloud.port, {
          method: 'POST',
          target,
          headers: { 'content-type': 'application/json', authorization: bearer },
          body,
        });
        expectHandled(answer, `${target} ${body.slice(0, 30)}`);
        expect(answer.status, `${target} ${body.slice(0, 30)}`).toBe(400);
      }
    }
  });

  it('a repeated parameter, in the query or a form body, is a 400 naming it', async () => {
    const query = await sendRaw(cloud.port, {
      method: 'GET',
      target: '/oauth/authorize?client_id=a&client_id=b&redirect_uri=x',
    });
    expect(query.status).toBe(400);
    expect(messageOf(query)).toContain('client_id');
    expect(messageOf(query)).toContain('repeated');
    for (const target of ['/oauth/token', '/oauth/revoke']) {
      const form = await sendRaw(cloud.port, {
        method: 'POST',
        target,
        headers: FORM,
        body: 'grant_type=authorization_code&grant_type=refresh_token&token=a&token=b',
      });
      expect(form.status, target).toBe(400);
      expect(messageOf(form), target).toMatch(/(grant_type|token).*repeated/);
    }
  });

  it('huge headers get 431, a truncated body 408 or a close; the server carries on', async () => {
    await expectHugeAndTruncatedHandled(cloud.port, {
      health: '/_sim/health',
      post: '/_sim/advance',
    });
  });
});

describe('vendor cloud request timeouts', () => {
  it('disconnects a client that sends its body one byte at a time (408 or a close)', async () => {
    const answer = await dribbleBody(cloud.port, '/_sim/advance', { everyMs: 200 });
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await health()).toBe(200);
  });

  it('refuses timeouts that are not positive integers', () => {
    expect(() => buildVendorCloud({ requestTimeoutMs: -1 })).toThrow(/requestTimeoutMs/);
  });
});
