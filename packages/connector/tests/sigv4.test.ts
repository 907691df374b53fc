import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SignableRequest, SigV4Signer } from '../src/client/sigv4.js';
import { NodeSha256 } from '../src/util/sha256.js';

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
  if (context.normalize === false) return undefined; // smithy (uriEscapePath) always normalises
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

async function both(c: Omit<Case, 'name' | 'expectedSignature'>, service = 'service') {
  const credentials = () => Promise.resolve(c.credentials);
  const ours = await new SigV4Signer({
    service,
    region: 'us-east-1',
    credentials,
    applyChecksum: c.signBody,
  }).sign(c.request, c.date);
  const smithy = await new SignatureV4({
    service,
    region: 'us-east-1',
    credentials,
    sha256: NodeSha256,
    applyChecksum: c.signBody,
    uriEscapePath: true,
  }).sign(
    {
      method: c.request.method,
      protocol: 'https:',
      hostname: 'example.amazonaws.com',
      path: c.request.path,
      query: { ...c.request.query } as Record<string, string>,
      headers: { ...c.request.headers },
      ...(c.request.body !== undefined ? { body: c.request.body } : {}),
    },
    { signingDate: c.date },
  );
  return { ours, smithy: smithy.headers as Record<string, string> };
}

const signatureOf = (headers: Record<string, string>) =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];

describe('SigV4Signer', () => {
  it('matches the AWS SigV4 test suite and smithy on every case it can express', async () => {
    const cases = readdirSync(SUITE)
      .map(loadCase)
      .filter((c): c is Case => c !== undefined);
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const matchedSuite: string[] = [];
    for (const c of cases) {
      const { ours, smithy } = await both(c);
      expect(ours, c.name).toEqual(smithy);
      if (signatureOf(ours) === c.expectedSignature) matchedSuite.push(c.name);
    }
    // The classic vectors, signed exactly as the suite expects.
    for (const name of [
      'get-vanilla',
      'get-vanilla-query',
      'get-vanilla-with-session-token',
      'get-header-value-trim',
      'post-vanilla',
      'post-vanilla-query',
      'post-header-key-sort',
      'post-x-www-form-urlencoded',
    ]) {
      expect(matchedSuite, name).toContain(name);
    }
  });

  it('signs random requests exactly as @smithy/signature-v4 does (property)', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('.', '..', '', 'a b', '%2F', 'ሴ', "!'()*"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
          segments: fc.array(segment, { maxLength: 5 }),
          trailing: fc.boolean(),
          query: fc.dictionary(
            fc.string({ maxLength: 5 }),
            fc.oneof(fc.string({ maxLength: 6 }), fc.array(fc.string({ maxLength: 4 }))),
            { maxKeys: 4 },
          ),
          headers: fc.dictionary(
            fc.constantFrom('Content-Type', 'X-Amz-Meta', 'user-agent', 'Proxy-Auth', 'X-Custom'),
            fc.string({ maxLength: 12 }),
            { maxKeys: 4 },
          ),
          body: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          token: fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
          time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
          signBody: fc.boolean(),
        }),
        async (r) => {
          const path = `/${r.segments.join('/')}${r.trailing ? '/' : ''}`;
          const { ours, smithy } = await both(
            {
              request: {
                method: r.method,
                path,
                query: r.query,
                headers: { host: 'example.amazonaws.com', ...r.headers },
                ...(r.body !== undefined ? { body: r.body } : {}),
              },
              credentials: {
                accessKeyId: 'AKIDEXAMPLE',
                secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
                ...(r.token ? { sessionToken: r.token } : {}),
              },
              date: new Date(Math.floor(r.time / 1000) * 1000),
              signBody: r.signBody,
            },
            'iotmanagedintegrations',
          );
          expect(ours).toEqual(smithy);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects credentials without a key id or secret', async () => {
    const signer = new SigV4Signer({
      service: 's',
      region: 'us-east-1',
      credentials: () => Promise.resolve({ accessKeyId: 'A' } as never),
    });
    await expect(signer.sign({ method: 'GET', path: '/', headers: {} })).rejects.toThrow(
      /credential/,
    );
  });
});
