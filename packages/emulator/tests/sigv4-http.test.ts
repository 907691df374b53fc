import { createHash } from 'node:crypto';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmulator, SigV4Verifier } from '../src/index.js';
import { credentialScopeService } from '../src/sigv4/parse.js';
import { signedInject, signRequest } from './helpers/sign.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  // A probe route in the managed-integrations service that echoes who signed.
  app.post(
    '/probe/:id',
    // `a` is a list parameter: its repeats are part of the canonical query under test.
    { constraints: { awsService: 'iotmanagedintegrations' }, config: { repeatableQuery: ['a'] } },
    async (req) => ({
      aws: req.aws,
      body: req.body,
    }),
  );
  app.get('/probe/:id', { constraints: { awsService: 'iotmanagedintegrations' } }, async (req) => ({
    aws: req.aws,
  }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

function errorType(res: { headers: Record<string, unknown> }): unknown {
  return res.headers['x-amzn-errortype'];
}

describe('SigV4 over HTTP', () => {
  it('accepts a request signed by @smithy/signature-v4 and decorates request.aws', async () => {
    const res = await signedInject(app, {
      method: 'POST',
      path: '/probe/a',
      query: { b: 'x y', a: ['2', '1'] },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      aws: {
        accessKeyId: 'AKIAC2CKITTEST000001',
        accountId: '111122223333',
        region: 'us-east-1',
        service: 'iotmanagedintegrations',
      },
      body: { hello: 'world' },
    });
  });

  it('parses every JSON content-type spelling (cached per type), keeps others as bytes, and hashes the exact bytes', async () => {
    const body = JSON.stringify({ hello: 'wörld' });
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/x-amz-json-1.0',
      'application/x-amz-json-1.1',
      'application/json',
    ]) {
      const res = await signedInject(app, {
        method: 'POST',
        path: '/probe/a',
        headers: { 'content-type': type },
        body,
      });
      expect(res.statusCode, type).toBe(200);
      expect(res.json().body, type).toEqual({ hello: 'wörld' });
    }
    const text = await signedInject(app, {
      method: 'POST',
      path: '/probe/a',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    expect(text.statusCode).toBe(200);
    // A Buffer body serialises as { type: 'Buffer', data: [...] }: the bytes were not parsed.
    expect(Buffer.from(text.json().body.data).toString('utf8')).toBe(body);
  });

  it('unknown access key → 403 UnrecognizedClientException', async () => {
    const res = await signedInject(app, {
      method: 'GET',
      path: '/probe/a',
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever' },
    });
    expect(res.statusCode).toBe(403);
    expect(errorType(res)).toBe('UnrecognizedClientException');
    expect(res.body).not.toContain('AKIAUNKNOWN');
  });

  it('wrong secret → 403 InvalidSignatureException (signature not echoed)', async () => {
    const res = await signedInject(app, {
      method: 'GET',
      path: '/probe/a',
      credentials: { accessKeyId: 'AKIAC2CKITTEST000001', secretAccessKey: 'wrong' },
    });
    expect(res.statusCode).toBe(403);
    expect(errorType(res)).toBe('InvalidSignatureException');
    expect(res.json().message).toMatch(/does not match/);
  });

  it('no Authorization → 403 MissingAuthenticationTokenException', async () => {
    const res = await app.inject({ method: 'GET', url: '/probe/a' });
    expect(res.statusCode).toBe(403);
    expect(errorType(res)).toBe('MissingAuthenticationTokenException');
  });

  it('missing x-amz-date → 400 IncompleteSignatureException', async () => {
    const s = await signRequest({ method: 'GET', path: '/probe/a' });
    const { 'x-amz-date': _drop, ...headers } = s.headers;
    const res = await app.inject({ method: 'GET', url: s.url, headers });
    expect(res.statusCode).toBe(400);
    expect(errorType(res)).toBe('IncompleteSignatureException');
    expect(res.json().message).toMatch(/X-Amz-Date/);
  });

  it('host or x-amz-date not signed → 400 IncompleteSignatureException naming the header', async () => {
    const s = await signRequest({ method: 'GET', path: '/probe/a' });
    for (const [drop, name] of [
      ['host;', 'Host'],
      [';x-amz-date', 'X-Amz-Date'],
    ] as const) {
      const authorization = s.headers.authorization?.replace(drop, '') as string;
      const res = await app.inject({
        method: 'GET',
        url: s.url,
        headers: { ...s.headers, authorization },
      });
      expect(res.statusCode).toBe(400);
      expect(errorType(res)).toBe('IncompleteSignatureException');
      expect(res.json().message).toContain(name);
    }
  });

  it('clock skew > 5 min → 403 InvalidSignatureException "Signature expired"', async () => {
    const res = await signedInject(app, {
      method: 'GET',
      path: '/probe/a',
      signingDate: new Date(Date.now() - 6 * 60_000),
    });
    expect(res.statusCode).toBe(403);
    expect(errorType(res)).toBe('InvalidSignatureException');
    expect(res.json().message).toMatch(/^Signature expired/);
    const future = await signedInject(app, {
      method: 'GET',
      path: '/probe/a',
      signingDate: new Date(Date.now() + 6 * 60_000),
    });
    expect(future.json().message).toMatch(/^Signature not yet current/);
    const within = await signedInject(app, {
      method: 'GET',
      path: '/probe/a',
      signingDate: new Date(Date.now() - 4 * 60_000),
    });
    expect(within.statusCode).toBe(200);
  });

  it('body swapped under a signed x-amz-content-sha256 → rejected (body hashed, header not trusted)', async () => {
    const original = JSON.stringify({ amount: 1 });
    // Re-sign with the correct hash header, then swap the body.
    const good = await signRequest({
      method: 'POST',
      path: '/probe/a',
      body: original,
      headers: { 'x-amz-content-sha256': createHash('sha256').update(original).digest('hex') },
    });
    expect(good.headers['x-amz-content-sha256']).toBeDefined();
    const ok = await app.inject({
      method: 'POST',
      url: good.url,
      headers: good.headers,
      payload: original,
    });
    expect(ok.statusCode).toBe(200);
    const swapped = await app.inject({
      method: 'POST',
      url: good.url,
      headers: good.headers,
      payload: JSON.stringify({ amount: 9 }),
    });
    expect(swapped.statusCode).toBe(403);
    expect(errorType(swapped)).toBe('InvalidSignatureException');
    expect(swapped.json().message).toMatch(/x-amz-content-sha256/);
  });

  it('body swapped without a hash header → signature mismatch', async () => {
    const s = await signRequest({ method: 'POST', path: '/probe/a', body: '{"a":1}' });
    const res = await app.inject({
      method: 'POST',
      url: s.url,
      headers: s.headers,
      payload: '{"a":2}',
    });
    expect(res.statusCode).toBe(403);
    expect(errorType(res)).toBe('InvalidSignatureException');
  });

  it('--no-verify accepts unsigned requests as the default account', async () => {
    const open = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS], verify: false });
    open.get(
      '/probe/:id',
      { constraints: { awsService: 'iotmanagedintegrations' } },
      async (req) => ({
        aws: req.aws,
      }),
    );
    const res = await open.inject({ method: 'GET', url: '/probe/a' });
    expect(res.statusCode).toBe(200);
    expect(res.json().aws).toMatchObject({ accountId: '111122223333', region: 'us-east-1' });
    await open.close();
  });
});

describe('SigV4 verifier: property tests against @smithy/signature-v4', () => {
  const verifier = new SigV4Verifier({
    credentials: [
      {
        accessKeyId: TEST_CREDENTIALS.accessKeyId,
        secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
        accountId: '111122223333',
      },
    ],
  });
  const segment = fc.string({ minLength: 1, maxLength: 12 }).map((s) => encodeURIComponent(s));
  const requestArb = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    path: fc.array(segment, { minLength: 0, maxLength: 4 }).map((segs) => `/${segs.join('/')}`),
    query: fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 8 })
        .filter((k) => k.toLowerCase() !== 'x-amz-signature'),
      fc.string({ maxLength: 10 }),
      { maxKeys: 4 },
    ),
    headers: fc.dictionary(
      fc.stringMatching(/^x-c2c-[a-z0-9-]{1,10}$/),
      fc.stringMatching(/^[ -~]{0,20}$/),
      { maxKeys: 3 },
    ),
    body: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }),
  });

  it('everything the SDK signer signs verifies; any change to it is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.nat(), async (r, pick) => {
        const signed = await signRequest({ ...r, host: 'localhost:80' });
        const [path, query = ''] = signed.url.split('?') as [string, string?];
        const rawHeaders = Object.entries(signed.headers).flat();
        const body = r.body === undefined ? undefined : Buffer.from(r.body);
        const input = { method: r.method, path, query, rawHeaders, body };
        expect(verifier.verify(input).service).toBe('iotmanagedintegrations');
        const tampered = [
          { ...input, method: r.method === 'GET' ? 'HEAD' : 'GET' },
          { ...input, path: `${path}/x` },
          { ...input, query: query === '' ? 'z=1' : `${query}&z=1` },
          { ...input, body: Buffer.from(`${r.body ?? ''}!`) },
          {
            ...input,
            rawHeaders: rawHeaders.map((h) => (h === 'localhost:80' ? 'localhost:81' : h)),
          },
        ];
        const variant = tampered[pick % tampered.length] as typeof input;
        expect(() => verifier.verify(variant)).toThrow(/does not match/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SigV4 verifier: cached Authorization prefixes and precomputed HMAC pads', () => {
  const credential = {
    accessKeyId: TEST_CREDENTIALS.accessKeyId,
    secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
    accountId: '111122223333',
  };
  async function signed(body: string, service = 'iotmanagedintegrations') {
    const s = await signRequest({ method: 'POST', path: '/connector-event/c1', body, service });
    const rawHeaders = Object.entries(s.headers).flat();
    return {
      method: 'POST',
      path: '/connector-event/c1',
      query: '',
      rawHeaders,
      body: Buffer.from(body),
    };
  }
  function withAuthorization(input: Awaited<ReturnType<typeof signed>>, value: string) {
    const rawHeaders = [...input.rawHeaders];
    rawHeaders[rawHeaders.indexOf('authorization') + 1] = value;
    return { ...input, rawHeaders };
  }

  it('a warm prefix still checks every signature: wrong, duplicated or malformed ones are rejected', async () => {
    const verifier = new SigV4Verifier({ credentials: [credential] });
    const first = await signed('{"a":1}');
    const second = await signed('{"a":2}');
    const auth = first.rawHeaders[first.rawHeaders.indexOf('authorization') + 1] as string;
    const secondAuth = second.rawHeaders[second.rawHeaders.indexOf('authorization') + 1] as string;
    // Same second, same scope and signed headers: the two share the prefix before the signature.
    expect(auth.slice(0, -64)).toBe(secondAuth.slice(0, -64));
    expect(verifier.verify(first).accountId).toBe('111122223333');
    expect(verifier.verify(second).accountId).toBe('111122223333');
    // The first request's signature on the second body: cached prefix, wrong signature.
    expect(() => verifier.verify(withAuthorization(second, auth))).toThrow(/does not match/);
    // A second Signature item after the valid one wins (as when parsing from scratch): rejected.
    expect(() =>
      verifier.verify(withAuthorization(first, `${auth}, Signature=${'0'.repeat(64)}`)),
    ).toThrow(/does not match/);
    // Upper-case hex is not a signature a conforming signer sends.
    expect(() =>
      verifier.verify(withAuthorization(first, auth.slice(0, -64) + auth.slice(-64).toUpperCase())),
    ).toThrow(/64 lowercase hex/);
    // A changed prefix misses the cache and is parsed and checked again.
    expect(() =>
      verifier.verify(
        withAuthorization(first, auth.replace('AKIAC2CKITTEST000001', 'AKIAOTHER0000000000')),
      ),
    ).toThrow(/security token/);
    expect(() =>
      verifier.verify(
        withAuthorization(first, auth.replace('SignedHeaders=', 'SignedHeaders=x-c2c-extra;')),
      ),
    ).toThrow(/does not match/);
    expect(verifier.verify(first).service).toBe('iotmanagedintegrations');
  });

  it('alternating cached prefixes each verify under their own scope, and never lend one request prefix to another signature', async () => {
    const verifier = new SigV4Verifier({ credentials: [credential] });
    const a = await signed('{"a":1}');
    const b = await signed('{"b":1}', 'lambda');
    const bAuth = b.rawHeaders[b.rawHeaders.indexOf('authorization') + 1] as string;
    for (let i = 0; i < 3; i++) {
      expect(verifier.verify(a).service).toBe('iotmanagedintegrations');
      expect(verifier.verify(b).service).toBe('lambda');
      expect(verifier.verify(b).service).toBe('lambda');
      // b's signature under a's body: b's (warm) prefix, signature wrong for this request.
      expect(() => verifier.verify(withAuthorization(a, bAuth))).toThrow(/does not match/);
    }
  });

  it('verifies a string to sign longer than the HMAC scratch buffer (multi-byte credential scope)', async () => {
    const verifier = new SigV4Verifier({ credentials: [credential] });
    const service = 'é'.repeat(700);
    const request = await signed('{}', service);
    expect(verifier.verify(request).service).toBe(service);
    expect(verifier.verify(request).service).toBe(service);
    const other = await signed('{"b":1}', service);
    expect(verifier.verify(other).service).toBe(service);
    const auth = request.rawHeaders[request.rawHeaders.indexOf('authorization') + 1] as string;
    expect(() => verifier.verify(withAuthorization(other, auth))).toThrow(/does not match/);
  });
});

describe('credentialScopeService (routing by the unverified credential scope)', () => {
  it('is the fourth of exactly five slash-separated Credential parts, for any header text', () => {
    const reference = (credential: string): string | undefined => {
      const parts = credential.trim().split('/');
      return parts.length === 5 ? parts[3] : undefined;
    };
    const part = fc.stringMatching(/^[ a-z0-9/_-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(part, { minLength: 0, maxLength: 7 }), fc.boolean(), (parts, comma) => {
        const credential = parts.join('/');
        const header = `AWS4-HMAC-SHA256 Credential=${credential}${comma ? ', SignedHeaders=host, Signature=00' : ''}`;
        expect(credentialScopeService(header, '/')).toBe(reference(credential));
        const query = `/p?X-Amz-Credential=${encodeURIComponent(credential)}&X-Amz-Date=1`;
        expect(credentialScopeService(undefined, query)).toBe(reference(credential));
      }),
      { numRuns: 500 },
    );
    expect(
      credentialScopeService(
        'AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/iotmanagedintegrations/aws4_request, SignedHeaders=host',
        '/',
      ),
    ).toBe('iotmanagedintegrations');
    expect(credentialScopeService('AWS4-HMAC-SHA256 Signature=00', '/')).toBeUndefined();
  });
});
