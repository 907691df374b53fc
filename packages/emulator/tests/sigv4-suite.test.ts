import { describe, expect, it } from 'vitest';
import { SignatureError, type SignedRequestInput, SigV4Verifier } from '../src/index.js';
import { loadSuite, type SuiteCase } from './helpers/sigv4-suite.js';

const cases = loadSuite();

function verifierFor(c: SuiteCase): SigV4Verifier {
  const credential = {
    accessKeyId: c.context.credentials.access_key_id,
    secretAccessKey: c.context.credentials.secret_access_key,
    accountId: '123456789012',
  };
  const token = c.context.credentials.token;
  // A key that comes with a session token is a temporary one: the verifier knows it as a session.
  const session =
    token === undefined ? undefined : { ...credential, sessionToken: token, expiresAt: Infinity };
  return new SigV4Verifier({
    credentials: session === undefined ? [credential] : [],
    sessions: { find: (id) => (id === session?.accessKeyId ? session : undefined) },
    normalizePath: c.context.normalize,
    now: () => Date.parse(c.context.timestamp),
  });
}

function withHeader(req: SignedRequestInput, name: string, value: string): SignedRequestInput {
  const raw = [...req.rawHeaders];
  const at = raw.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
  if (at === -1) raw.push(name, value);
  else raw[at + 1] = value;
  return { ...req, rawHeaders: raw };
}

function flipLastHex(hex: string): string {
  const last = hex.at(-1) === '0' ? '1' : '0';
  return hex.slice(0, -1) + last;
}

/** Tampered variants of a signed request: each changes something the signature covers. */
function tamper(
  req: SignedRequestInput,
  mode: 'header' | 'query',
): Record<string, SignedRequestInput> {
  const variants: Record<string, SignedRequestInput> = {
    method: { ...req, method: req.method === 'GET' ? 'POST' : 'GET' },
    path: { ...req, path: `${req.path}x` },
    host: withHeader(req, 'host', 'example.amazonaws.com.evil'),
  };
  if (mode === 'header') {
    const auth = req.rawHeaders[req.rawHeaders.indexOf('Authorization') + 1] as string;
    variants.signature = withHeader(
      req,
      'authorization',
      auth.replace(/[0-9a-f]{64}$/, flipLastHex),
    );
    variants.body = {
      ...req,
      body: Buffer.concat([req.body ?? Buffer.alloc(0), Buffer.from('!')]),
    };
    variants.query = { ...req, query: req.query === '' ? 'extra=1' : `${req.query}&extra=1` };
  } else {
    variants.signature = {
      ...req,
      query: req.query.replace(
        /(X-Amz-Signature=)([0-9a-f]{64})/,
        (_m, k, sig) => k + flipLastHex(sig),
      ),
    };
    variants.query = { ...req, query: `${req.query}&extra=1` };
  }
  return variants;
}

describe('SigV4 verifier against the aws-c-auth v4 suite', () => {
  it('has all 38 cases', () => {
    expect(cases).toHaveLength(38);
  });

  describe.each(cases)('$name', (c) => {
    it('verifies the header-signed request', () => {
      const identity = verifierFor(c).verify(c.header);
      expect(identity).toEqual({
        accessKeyId: 'AKIDEXAMPLE',
        accountId: '123456789012',
        region: 'us-east-1',
        service: 'service',
      });
    });

    it('verifies the query-signed (presigned) request', () => {
      expect(verifierFor(c).verify(c.query).service).toBe('service');
    });

    it.each(['header', 'query'] as const)('rejects every tampered %s-signed variant', (mode) => {
      // A fresh verifier, and one that has just verified the genuine request (warm caches).
      const warm = verifierFor(c);
      warm.verify(c[mode]);
      for (const [state, verifier] of [
        ['cold', verifierFor(c)],
        ['warm', warm],
      ] as const) {
        for (const [what, variant] of Object.entries(tamper(c[mode], mode))) {
          let caught: unknown;
          try {
            verifier.verify(variant);
          } catch (error) {
            caught = error;
          }
          expect(caught, `${c.name} ${mode} ${what} (${state})`).toBeInstanceOf(SignatureError);
          expect((caught as SignatureError).awsCode).toBe('InvalidSignatureException');
        }
      }
    });
  });
});
