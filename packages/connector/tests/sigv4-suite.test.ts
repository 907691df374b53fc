/**
 * The client's SigV4 signer against AWS's own expectations: the AWS SigV4 test suite, and an
 * independent verifier (the emulator's) over random requests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigV4Verifier } from '@c2c-kit/emulator';
import { queryString } from '@c2c-kit/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRequestSigner, type SignableRequest } from '../src/client/signing.js';

// The AWS SigV4 test suite, as copied (with its NOTICE) into the emulator's test fixtures.
const SUITE = fileURLToPath(
  new URL('../../emulator/tests/fixtures/sigv4-test-suite/v4', import.meta.url),
);

interface Case {
  readonly name: string;
  readonly request: SignableRequest;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly date: Date;
  readonly signBody: boolean;
  readonly expectedSignature: string;
}

/** Parses a suite case; undefined when our Record-of-strings headers cannot express it. */
function loadCase(name: string): Case | undefined {
  const dir = join(SUITE, name);
  const context = JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8'));
  if (context.normalize === false) return undefined; // uriEscapePath always normalises
  const raw = readFileSync(join(dir, 'request.txt'), 'utf8');
  const [head = '', ...rest] = raw.split('\n\n');
  const [requestLine = '', ...headerLines] = head.split('\n').filter((l) => l.length > 0);
  if (headerLines.some((l) => /^[ \t]/.test(l))) return undefined; // folded header value
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const at = line.indexOf(':');
    const key = line.slice(0, at);
    if (Object.keys(headers).some((k) => k.toLowerCase() === key.toLowerCase())) return undefined;
    headers[key] = line.slice(at + 1);
  }
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine);
  if (!m) return undefined;
  const [pathPart = '', queryPart] = (m[2] as string).split('?');
  const query: Record<string, string | string[]> = {};
  for (const pair of queryPart ? queryPart.split('&') : []) {
    const [k = '', v = ''] = pair.split('=').map((x) => decodeURIComponent(x));
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const body = rest.join('\n\n');
  return {
    name,
    request: {
      method: m[1] as string,
      hostname: 'example.amazonaws.com',
      path: pathPart,
      query,
      headers,
      ...(body ? { body } : {}),
    },
    credentials: {
      accessKeyId: context.credentials.access_key_id,
      secretAccessKey: context.credentials.secret_access_key,
      ...(context.credentials.token ? { sessionToken: context.credentials.token } : {}),
    },
    date: new Date(context.timestamp),
    signBody: context.sign_body === true,
    expectedSignature: readFileSync(join(dir, 'header-signature.txt'), 'utf8').trim(),
  };
}

/** Signs with the very signer ConnectorEventsClient builds (smithy, node:crypto SHA-256). */
function sign(c: Omit<Case, 'name' | 'expectedSignature'>, service = 'service') {
  return createRequestSigner({
    service,
    region: 'us-east-1',
    credentials: () => Promise.resolve(c.credentials),
    applyChecksum: c.signBody,
  })(c.request, c.date);
}

const signatureOf = (headers: Record<string, string>) =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];

describe('createRequestSigner: signatures AWS accepts', () => {
  it('produces the AWS SigV4 test suite signatures', async () => {
    const cases = readdirSync(SUITE)
      .map(loadCase)
      .filter((c): c is Case => c !== undefined);
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const matched: string[] = [];
    const mismatched: string[] = [];
    for (const c of cases) {
      const headers = await sign(c);
      (signatureOf(headers) === c.expectedSignature ? matched : mismatched).push(c.name);
    }
    // The classic vectors, signed exactly as the suite expects.
    for (const name of [
      'get-vanilla',
      'get-vanilla-query',
      'get-vanilla-query-order-key-case',
      'get-vanilla-with-session-token',
      'get-header-value-trim',
      'get-utf8',
      'post-vanilla',
      'post-vanilla-query',
      'post-header-key-sort',
      'post-header-value-case',
      'post-x-www-form-urlencoded',
    ]) {
      expect(matched, name).toContain(name);
    }
    expect(matched.length).toBeGreaterThanOrEqual(20);
  });

  it('signs what the client sends: random requests verify with an independent verifier (property)', async () => {
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    };
    const segment = fc.oneof(
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.constantFrom('a b', 'ሴ', "!'()*", 'x~y', 'abc_1'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
          segments: fc.array(segment, { maxLength: 4 }),
          query: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 5 }),
            fc.string({ maxLength: 6 }),
            {
              maxKeys: 3,
            },
          ),
          body: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          // Session tokens are base64 text (HTTP trims a header value's surrounding spaces).
          token: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,16}$/), { nil: undefined }),
        }),
        async (r) => {
          const now = new Date();
          // As ConnectorEventsClient builds a request: labels encoded once, query sent sorted.
          const path = `/${r.segments.map((x) => encodeURIComponent(x)).join('/')}`;
          // A session token belongs to a temporary key (the verifier refuses it on a long-term one).
          const signing = r.token
            ? { accessKeyId: 'ASIDEXAMPLE', secretAccessKey: credentials.secretAccessKey }
            : credentials;
          const headers = await createRequestSigner({
            region: 'us-east-1',
            credentials: () =>
              Promise.resolve({ ...signing, ...(r.token ? { sessionToken: r.token } : {}) }),
          })(
            {
              method: r.method,
              hostname: 'api.example',
              path,
              query: r.query,
              headers: { host: 'api.example', 'content-type': 'application/json' },
              ...(r.body !== undefined ? { body: r.body } : {}),
            },
            now,
          );
          expect(headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
          if (r.token) expect(headers['x-amz-security-token']).toBe(r.token);
          const session = r.token
            ? {
                ...signing,
                sessionToken: r.token,
                accountId: '111122223333',
                expiresAt: now.getTime() + 3_600_000,
              }
            : undefined;
          const identity = new SigV4Verifier({
            credentials: [{ ...credentials, accountId: '111122223333' }],
            sessions: { find: (id) => (id === session?.accessKeyId ? session : undefined) },
            now: () => now.getTime(),
          }).verify({
            method: r.method,
            path,
            query: queryString(r.query).slice(1),
            rawHeaders: Object.entries(headers).flat(),
            body: r.body ? Buffer.from(r.body) : undefined,
          });
          expect(identity).toMatchObject({
            service: 'iotmanagedintegrations',
            region: 'us-east-1',
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
