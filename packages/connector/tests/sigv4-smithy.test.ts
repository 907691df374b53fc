/**
 * The client's SigV4 signer against `@smithy/signature-v4`: the same headers for any request, date
 * and credentials, through its caches, its fallback to smithy's public API, and odd inputs.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credentials } from '../src/client/credentials.js';
import {
  createRequestSigner,
  type RequestSigner,
  type SignableRequest,
  type SmithyModule,
} from '../src/client/signing.js';
import { NodeSha256 } from '../src/util/sha256.js';

/** The headers `SignatureV4.sign()` returns, configured as the client's signer is. */
async function smithyHeaders(
  request: SignableRequest,
  credentials: Credentials,
  date: Date,
  service = 'iotmanagedintegrations',
) {
  const signed = await new SignatureV4({
    service,
    region: 'us-east-1',
    credentials,
    sha256: NodeSha256,
  }).sign(
    {
      ...request,
      query: request.query as Record<string, string | string[]>,
      protocol: 'https:',
    },
    { signingDate: date },
  );
  return signed.headers;
}

/** A small POST, for the tests that vary everything but the request. */
const smallPost = () => ({
  method: 'POST',
  hostname: 'h',
  path: '/p',
  query: {},
  headers: { host: 'h' },
  body: '{}',
});

describe('createRequestSigner: the client signer on @smithy/signature-v4', () => {
  it('returns exactly the headers SignatureV4.sign() returns (random requests, dates, credentials)', async () => {
    const segment = fc.oneof(
      fc.string({ minLength: 0, maxLength: 6 }),
      fc.constantFrom('.', '..', 'a b', 'ሴ', "!'()*", '%2F', 'x~y'),
    );
    const headerName = fc.oneof(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/),
      fc.constantFrom(
        'X-Amz-Date',
        'Authorization',
        'date',
        'X-Amz-Content-Sha256',
        'User-Agent',
        'X-Forwarded-For',
        'Connection',
      ),
    );
    const headerValue = fc.oneof(
      fc.string({ maxLength: 12 }),
      // The last one is the signer's own date stand-in (see signing.ts: such a request is not
      // templated).
      fc.constantFrom('  a  b ', 'x\ty', 'UNSIGNED-PAYLOAD', '\uE000d\uE000'),
    );
    const secret = fc.stringMatching(/^[A-Za-z0-9/+]{1,40}$/);
    // Two long-lived signers, as in a client: their caches (signing keys, dates, canonical
    // paths) see every run's credentials, days and paths.
    let current: Credentials = { accessKeyId: 'A', secretAccessKey: 'S' };
    const [withChecksum, withoutChecksum] = [true, false].map((applyChecksum) =>
      createRequestSigner({
        region: 'eu-west-1',
        credentials: () => Promise.resolve(current),
        applyChecksum,
      }),
    ) as [RequestSigner, RequestSigner];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
          segments: fc.array(segment, { maxLength: 4 }),
          trailingSlash: fc.boolean(),
          query: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 5 }),
            fc.oneof(
              fc.string({ maxLength: 6 }),
              fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
            ),
            { maxKeys: 3 },
          ),
          headers: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
          body: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
          accessKeyId: fc.stringMatching(/^[A-Z0-9]{4,20}$/),
          secretAccessKey: secret,
          // Session tokens are base64 text (HTTP trims a header value's surrounding spaces).
          token: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,16}$/), { nil: undefined }),
          // Several days, so day roll-over and the signing-key cache are exercised.
          time: fc.integer({ min: Date.UTC(2026, 10, 25, 23, 59, 0), max: Date.UTC(2026, 10, 28) }),
          applyChecksum: fc.boolean(),
        }),
        async (r) => {
          const credentials = {
            accessKeyId: r.accessKeyId,
            secretAccessKey: r.secretAccessKey,
            ...(r.token !== undefined ? { sessionToken: r.token } : {}),
          };
          const path = `/${r.segments.join('/')}${r.trailingSlash ? '/' : ''}`;
          const headers = { host: 'api.example', ...r.headers };
          const date = new Date(r.time);
          current = credentials;
          const ours = await (r.applyChecksum ? withChecksum : withoutChecksum)(
            {
              method: r.method,
              hostname: 'api.example',
              path,
              query: r.query,
              headers,
              ...(r.body !== undefined ? { body: r.body } : {}),
            },
            date,
          );
          const smithy = await new SignatureV4({
            service: 'iotmanagedintegrations',
            region: 'eu-west-1',
            credentials,
            sha256: NodeSha256,
            applyChecksum: r.applyChecksum,
            uriEscapePath: true,
          }).sign(
            {
              method: r.method,
              protocol: 'https:',
              hostname: 'api.example',
              path,
              query: r.query as Record<string, string | string[]>,
              headers,
              ...(r.body !== undefined ? { body: r.body } : {}),
            },
            { signingDate: date },
          );
          expect(ours).toEqual(smithy.headers);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reuses one signer across seconds, days and credentials without mixing dates or keys', async () => {
    let current = { accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one' };
    const sign = createRequestSigner({ region: 'us-east-1', credentials: async () => current });
    const request = smallPost();
    const one = { accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one' };
    const at = (day: number, ms: number) => new Date(Date.UTC(2026, 10, day, 12) + ms);
    let n = 0;
    for (const [creds, date] of [
      [one, at(25, 0)],
      [one, at(25, 999)],
      [one, at(25, 1000)],
      [one, at(25, 61_000)],
      [{ accessKeyId: 'AKIDTWO', secretAccessKey: 'secret-two' }, at(25, 61_000)],
      [one, at(26, 0)],
      [{ accessKeyId: 'AKIDONE', secretAccessKey: 'rotated' }, at(26, 0)],
      [one, at(25, 0)],
    ] as const) {
      current = { ...creds };
      // The same request each time but for its body: the canonical-request template is reused.
      request.body = `{"n":${n++}}`;
      expect(await sign(request, date)).toEqual(await smithyHeaders(request, current, date));
    }
  });

  it('signs with the public SignatureV4.sign() when smithy lacks an internal it uses', async () => {
    // Prepare: two ways a later smithy could lack them — a module helper gone, and a signer
    // class that exposes only its public API.
    const smithy = await import('@smithy/signature-v4');
    class OpaqueSignatureV4 {
      readonly #signer: InstanceType<typeof smithy.SignatureV4>;
      constructor(...args: ConstructorParameters<typeof smithy.SignatureV4>) {
        this.#signer = new smithy.SignatureV4(...args);
      }
      sign(...args: Parameters<InstanceType<typeof smithy.SignatureV4>['sign']>) {
        return this.#signer.sign(...args);
      }
    }
    const changed = [
      { ...smithy, getCanonicalHeaders: undefined },
      { ...smithy, SignatureV4: OpaqueSignatureV4 },
    ] as unknown as SmithyModule[];
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 't',
    };
    const date = new Date(Date.UTC(2026, 10, 26, 6));
    const request = { ...smallPost(), query: { b: ['2', '1'], a: 'x y' } };
    for (const module of changed) {
      let loaded = 0;
      const sign = createRequestSigner({
        region: 'us-east-1',
        credentials: async () => credentials,
        load: async () => {
          loaded++;
          return module;
        },
      });
      // Act
      const first = await sign(request, date);
      const second = await sign({ ...request, body: '{"n":2}' }, date);
      // Assess: the module was used, and both signatures are smithy's own.
      expect(loaded).toBe(1);
      expect(first).toEqual(await smithyHeaders(request, credentials, date));
      expect(second).toEqual(
        await smithyHeaders({ ...request, body: '{"n":2}' }, credentials, date),
      );
    }
  });

  it("signs requests containing the signer's own stand-in characters like any other", async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const sign = createRequestSigner({ region: 'us-east-1', credentials: async () => credentials });
    const date = new Date(Date.UTC(2026, 10, 26, 6));
    const requests: Array<Pick<SignableRequest, 'headers' | 'path'>> = [
      { headers: { host: 'h', 'x-a': '\uE000d\uE000' }, path: '/p' },
      { headers: { host: 'h', 'x-a': '\uE000h\uE000', 'x-b': '\uE000' }, path: '/p' },
      { headers: { host: 'h' }, path: '/\uE000d\uE000' },
    ];
    for (const request of requests) {
      for (const body of ['{"a":1}', '{"a":2}']) {
        const input = { ...smallPost(), body, ...request };
        expect(await sign(input, date)).toEqual(await smithyHeaders(input, credentials, date));
      }
    }
  });

  it('signs with long signing names and regions too (a string to sign past the HMAC buffer)', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const date = new Date(Date.UTC(2026, 10, 26, 6));
    for (const service of ['s', 'ሴ'.repeat(10), 'x'.repeat(100), 'ሴ'.repeat(200)]) {
      const ours = createRequestSigner({
        region: 'us-east-1',
        service,
        credentials: async () => credentials,
      });
      const input = smallPost();
      expect(await ours(input, date)).toEqual(
        await smithyHeaders(input, credentials, date, service),
      );
    }
  });

  it('rejects credentials without a key id or secret', async () => {
    const sign = createRequestSigner({
      region: 'us-east-1',
      credentials: () => Promise.resolve({ accessKeyId: 'A' } as never),
    });
    await expect(
      sign({ method: 'GET', hostname: 'h', path: '/', query: {}, headers: {} }),
    ).rejects.toThrow(/credential/);
  });
});
