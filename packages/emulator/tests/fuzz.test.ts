import { fileURLToPath } from 'node:url';
import { OPERATIONS, type OperationName } from '@c2c-kit/protocol';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import {
  deepJson,
  expectHandled,
  expectHugeAndTruncatedHandled,
  hostileRequests,
  messageOf,
  type RawAnswer,
  sendRaw,
} from '@c2c-kit/testing/hostile-http';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmulator, type RunningEmulator, startEmulator } from '../src/index.js';
import { signRequest } from './helpers/sign.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const NAMES = Object.keys(OPERATIONS) as OperationName[];

/** A 4xx with a restJson1 error (or a 501 for an operation the emulator does not implement). */
function expectClientError(res: LightMyRequestResponse, what: string): void {
  const implemented = !(
    res.statusCode === 501 && res.headers['x-amzn-errortype'] === 'NotImplementedException'
  );
  if (implemented) expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['x-amzn-errortype'], what).toBeTypeOf('string');
    const body = JSON.parse(res.body) as Record<string, unknown>;
    const message = body.Message ?? body.message;
    expect(message, what).toBeTypeOf('string');
    expect((message as string).length, what).toBeGreaterThan(0);
  }
}

function pathFor(name: OperationName, label: (i: number) => string): string {
  let i = 0;
  return OPERATIONS[name].uri.replace(/\{[^}]+\}/g, () => encodeURIComponent(label(i++)) || 'x');
}

async function send(
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const signed = await signRequest({ method, path, query, body, headers });
  return app.inject({
    method: method as 'GET',
    url: signed.url,
    headers: signed.headers,
    payload: body,
  });
}

describe('fuzz: every managed-integrations route answers bad input with a 4xx, never a 5xx or a crash', () => {
  it('random JSON bodies, labels and query values (wrong types, missing members)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES),
        fc.array(fc.string({ maxLength: 80 }), { minLength: 3, maxLength: 3 }),
        fc.jsonValue({ maxDepth: 4 }),
        fc.dictionary(
          fc.constantFrom('MaxResults', 'NextToken', 'LambdaArn', 'Type', 'x'),
          fc.string({ maxLength: 30 }),
        ),
        async (name, labels, value, query) => {
          const op = OPERATIONS[name];
          const body = op.bodyMembers.length > 0 ? JSON.stringify(value) : undefined;
          const res = await send(
            op.method,
            pathFor(name, (i) => labels[i] ?? 'x'),
            body,
            {},
            query,
          );
          expectClientError(res, `${name} ${JSON.stringify(value).slice(0, 100)}`);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('well-typed but wrong-valued members derived from the model are rejected by field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES.filter((n) => OPERATIONS[n].bodyMembers.length > 0)),
        fc.constantFrom<unknown>(null, 12, -1, 'x'.repeat(5000), [], {}, true, 'bad value!', {
          nested: [1, 2],
        }),
        async (name, bad) => {
          const op = OPERATIONS[name];
          const body: Record<string, unknown> = {};
          for (const m of op.bodyMembers) body[m] = bad;
          const res = await send(
            op.method,
            pathFor(name, () => 'abc123'),
            JSON.stringify(body),
          );
          expectClientError(res, `${name} all members = ${JSON.stringify(bad).slice(0, 40)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('malformed JSON → 400 ValidationException naming the position', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES.filter((n) => OPERATIONS[n].method !== 'GET')),
        // Whitespace-only bodies count as empty (parsed to {}), like a missing body.
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => {
          if (s.trim() === '') return false;
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        }),
        async (name, text) => {
          const res = await send(
            OPERATIONS[name].method,
            pathFor(name, () => 'abc'),
            text,
            {
              'content-type': 'application/json',
            },
          );
          expectClientError(res, `${name} ${JSON.stringify(text)}`);
          expect(res.statusCode).toBe(400);
          expect(JSON.parse(res.body).Message).toMatch(/line \d+, column \d+/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('huge bodies → 413', async () => {
    const huge = JSON.stringify({ Name: 'x'.repeat(2 * 1024 * 1024) });
    for (const name of ['CreateCloudConnector', 'SendConnectorEvent'] as const) {
      const res = await send(
        'POST',
        pathFor(name, () => 'abc'),
        huge,
      );
      expect(res.statusCode).toBe(413);
      expectClientError(res, name);
    }
  });

  it('bad headers (garbage Authorization, dates, content types) → 4xx with a clear message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES),
        fc.record({
          authorization: fc.oneof(
            fc.string({ maxLength: 200 }),
            fc.constant(
              'AWS4-HMAC-SHA256 Credential=AKIAC2CKITTEST000001/2026/us-east-1/iotmanagedintegrations/aws4_request',
            ),
            fc.constant(
              'AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=zz',
            ),
          ),
          'x-amz-date': fc.oneof(fc.string({ maxLength: 20 }), fc.constant('20261126T999999Z')),
          'content-type': fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.constant('application/x-amz-json-1.1'),
          ),
        }),
        async (name, headers) => {
          const clean = Object.fromEntries(
            Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)),
          );
          const res = await app.inject({
            method: OPERATIONS[name].method as 'GET',
            url: pathFor(name, () => 'abc'),
            headers: clean,
            payload: OPERATIONS[name].method === 'GET' ? undefined : '{}',
          });
          expectClientError(res, `${name} ${JSON.stringify(clean)}`);
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// The same promise over real sockets, for every route of the emulator (AWS JSON and REST services,
// /_local, Function URLs): bytes no client library would send, a 4xx with a message for each.
describe('fuzz over real sockets: hostile input anywhere gets a 4xx with a message', () => {
  let emu: RunningEmulator;
  const fixture = (name: string): string =>
    fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

  beforeAll(async () => {
    // Unverified, so fuzzed input reaches the routes instead of stopping at SigV4.
    emu = await startEmulator({ memory: true, verify: false, requestTimeoutMs: 2_000 });
    emu.app.lambdaHost.registerFunction({ name: 'echo', handler: fixture('echo.mjs') });
    emu.app.lambdaHost.registerFunction({ name: 'web', handler: fixture('http.mjs') });
  });
  afterAll(async () => {
    await emu.close();
  });

  /** A 501 for an unimplemented operation, or a Function URL's own (function's) 5xx. */
  const documented5xx = (a: RawAnswer): boolean =>
    (a.status === 501 && a.headers['x-amzn-errortype'] === 'NotImplementedException') ||
    (a.status === 502 && messageOf(a) === 'Internal Server Error');

  const paths = [
    ...NAMES.map((n) => pathFor(n, () => 'x')),
    '/',
    '/2015-03-31/functions/echo/invocations',
    '/2015-03-31/functions/echo',
    '/2015-03-31/functions/echo/configuration',
    '/2021-10-31/functions/echo/url',
    '/2015-03-31/event-source-mappings',
    '/2015-03-31/event-source-mappings/x',
    '/lambda-url/web/x',
    '/lambda-url/nope',
    '/_local/health',
    '/_local/functions',
    '/_local/functions/echo',
    '/_local/oauth/callback',
    '/_local/rejected',
    '/_local/events',
    '/_local/notifications',
    '/_local/state',
  ];
  const scope = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;
  const routing = fc.constantFrom<Record<string, string>>(
    {},
    { 'x-amz-target': 'AmazonSQS.SendMessage' },
    { 'x-amz-target': 'secretsmanager.GetSecretValue' },
    { authorization: scope('lambda') },
    { authorization: scope('iotmanagedintegrations') },
  );

  it('random hostile requests (nesting, repeats, encodings, content types, methods)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileRequests({
          paths,
          queryNames: ['code', 'state', 'limit', 'account', 'Qualifier', 'MaxItems', 'MaxResults'],
          headers: routing,
        }),
        async (req) => {
          const answer = await sendRaw(emu.port, req);
          expectHandled(answer, `${req.method} ${req.target.toString()}`, {
            allow5xx: documented5xx,
            head: req.method === 'HEAD',
          });
        },
      ),
      { numRuns: 250, seed: 20261126 },
    );
    expect((await sendRaw(emu.port, { method: 'GET', target: '/_local/health' })).status).toBe(200);
  });

  it('nesting 10,000 deep, under constructor/__proto__ or not, is a 400 on every JSON route', async () => {
    const bodies = [
      deepJson(10_000, 'array'),
      deepJson(10_000, 'object'),
      deepJson(10_000, 'object', 'constructor'),
      deepJson(10_000, 'array', 'constructor'),
      deepJson(10_000, 'object', '__proto__'),
    ];
    const routes: Array<[string, Record<string, string>]> = [
      ['/_local/functions', {}],
      ['/2015-03-31/functions/echo/invocations', {}],
      ['/2015-03-31/event-source-mappings', {}],
      ['/', { 'x-amz-target': 'AmazonSQS.CreateQueue' }],
      ['/', { 'x-amz-target': 'secretsmanager.CreateSecret' }],
      [pathFor('CreateCloudConnector', () => 'x'), {}],
      [pathFor('SendConnectorEvent', () => 'x'), {}],
    ];
    for (const [target, headers] of routes) {
      for (const body of bodies) {
        const contentType = target === '/' ? 'application/x-amz-json-1.1' : 'application/json';
        const answer = await sendRaw(emu.port, {
          method: 'POST',
          target,
          headers: { ...headers, 'content-type': contentType },
          body,
        });
        const what = `${target} ${JSON.stringify(headers)} ${body.slice(0, 20)}`;
        expectHandled(answer, what);
        expect(answer.status, what).toBe(400);
        expect(messageOf(answer), what).toMatch(/nested more than \d+ levels|reserved key/);
      }
    }
  });

  it('a repeated single-valued query parameter is a 400 naming it (the OAuth callback too)', async () => {
    for (const target of [
      '/_local/oauth/callback?code=a&code=b&state=s',
      '/_local/oauth/callback?state=a&state=b',
      '/_local/events?limit=1&limit=2',
      '/2015-03-31/functions/echo?Qualifier=a&Qualifier=b',
    ]) {
      const answer = await sendRaw(emu.port, { method: 'GET', target });
      expect(answer.status, target).toBe(400);
      const name = /\?.*?(\w+)=[^&]*&\1=/.exec(target)?.[1] ?? '';
      expect(messageOf(answer), target).toContain(`"${name}" is repeated`);
    }
  });

  it('huge headers get 431 and a truncated body 408 or a close, and the server carries on', async () => {
    await expectHugeAndTruncatedHandled(emu.port, {
      health: '/_local/health',
      post: '/_local/functions',
    });
  });
});
