import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from '../src/errors.js';
import {
  githubStyleWebhooks,
  signGitHubStyle,
  signStandardWebhook,
  signStripeStyle,
  standardWebhooks,
  stripeStyleWebhooks,
} from '../src/webhooks/verify.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OLD_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NOW = 1_764_000_000_000;
const now = () => NOW;
const ts = NOW / 1000;
const body = JSON.stringify({ type: 'fan.mode', deviceId: 'fan-42', mode: 'high' });

function rejected(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e;
    throw e;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('Standard Webhooks v1', () => {
  const verifier = standardWebhooks({ secrets: [SECRET], now });

  it('accepts what the reference `standardwebhooks` library signs', () => {
    const lib = new Webhook(SECRET);
    const signature = lib.sign('msg_1', new Date(NOW), body);
    const out = verifier.verify({
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': signature,
      },
      body: Buffer.from(body),
    });
    expect(out).toEqual({ id: 'msg_1', timestamp: ts, body });
  });

  it('signs what the reference library accepts (any body, any id)', () => {
    const lib = new Webhook(SECRET);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.includes(' ')),
        fc.json(),
        (id, payload) => {
          const headers = signStandardWebhook({
            secret: SECRET,
            id,
            timestamp: Math.floor(Date.now() / 1000),
            body: payload,
          });
          expect(lib.verify(payload, headers)).toEqual(JSON.parse(payload));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('verifies with any of several secrets during rotation and any of several signatures', () => {
    const rotating = standardWebhooks({ secrets: [SECRET, OLD_SECRET], now });
    const old = signStandardWebhook({ secret: OLD_SECRET, id: 'a', timestamp: ts, body });
    expect(rotating.verify({ headers: old, body }).id).toBe('a');
    const fresh = signStandardWebhook({ secret: SECRET, id: 'a', timestamp: ts, body });
    const both = `${old['webhook-signature']} ${fresh['webhook-signature']}`;
    expect(verifier.verify({ headers: { ...fresh, 'webhook-signature': both }, body }).id).toBe(
      'a',
    );
  });

  it('accepts a signature without its base64 padding or in the URL-safe alphabet', () => {
    // A delivery whose signature has characters the URL-safe alphabet spells differently.
    let headers = signStandardWebhook({ secret: SECRET, id: 'p', timestamp: ts, body });
    for (let n = 0; !/[+/]/.test(headers['webhook-signature']); n++) {
      headers = signStandardWebhook({ secret: SECRET, id: `p${n}`, timestamp: ts, body });
    }
    const signature = headers['webhook-signature'].slice(3);
    expect(signature).toMatch(/=$/);
    for (const variant of [
      signature.replace(/=+$/, ''),
      signature.replace(/\+/g, '-').replace(/\//g, '_'),
    ]) {
      const out = verifier.verify({
        headers: { ...headers, 'webhook-signature': `v1,${variant}` },
        body: Buffer.from(body),
      });
      expect(out.id).toBe(headers['webhook-id']);
    }
  });

  it('rejects forged, tampered, expired, future and malformed deliveries with clear reasons', () => {
    const good = signStandardWebhook({ secret: SECRET, id: 'm', timestamp: ts, body });
    const forged = signStandardWebhook({ secret: OLD_SECRET, id: 'm', timestamp: ts, body });
    expect(rejected(() => verifier.verify({ headers: forged, body })).status).toBe(401);
    expect(rejected(() => verifier.verify({ headers: good, body: `${body} ` })).reason).toBe(
      'no webhook-signature matches',
    );
    const expired = signStandardWebhook({ secret: SECRET, id: 'm', timestamp: ts - 301, body });
    expect(rejected(() => verifier.verify({ headers: expired, body })).reason).toMatch(/too old/);
    const future = signStandardWebhook({ secret: SECRET, id: 'm', timestamp: ts + 301, body });
    expect(rejected(() => verifier.verify({ headers: future, body })).reason).toMatch(/future/);
    expect(
      rejected(() => verifier.verify({ headers: { ...good, 'webhook-id': undefined }, body }))
        .status,
    ).toBe(400);
    const badTs = rejected(() =>
      verifier.verify({ headers: { ...good, 'webhook-timestamp': 'yesterday' }, body }),
    );
    expect(badTs.status).toBe(400);
    expect(badTs.reason).toContain('expected unix seconds, got "yesterday"');
    const noV1 = rejected(() =>
      verifier.verify({ headers: { ...good, 'webhook-signature': 'v2,abc' }, body }),
    );
    expect(noV1.status).toBe(400);
  });

  it('refuses a valid signature with anything after it (a lenient base64 decoder would ignore it)', () => {
    const good = signStandardWebhook({ secret: SECRET, id: 'j', timestamp: ts, body });
    const signature = good['webhook-signature'].slice(3);
    // The premise: Node's decoder reads these as the very same 32 bytes.
    expect(Buffer.from(`${signature}AAAA`, 'base64').equals(Buffer.from(signature, 'base64'))).toBe(
      true,
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.constantFrom('=', '==', '!', 'AAAA', '=AAAA', ',v1', ',', '.', '\u0000', '\t'),
        ),
        fc.boolean(),
        (junk, unpadded) => {
          // A space would start a new list entry, which is the list syntax, not junk.
          fc.pre(!junk.includes(' ') && !(unpadded && junk === '='));
          const sig = unpadded ? signature.replace(/=+$/, '') : signature;
          const header = `v1,${sig}${junk}`;
          const e = rejected(() =>
            verifier.verify({ headers: { ...good, 'webhook-signature': header }, body }),
          );
          expect([400, 401], header).toContain(e.status);
        },
      ),
      { numRuns: 300 },
    );
    // Non-canonical trailing bits spell the same bytes in Node's decoder; they are refused too.
    const last = signature.at(-2) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    const twin = `${signature.slice(0, -2)}${sibling}=`;
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(signature, 'base64'))).toBe(true);
    expect(
      rejected(() =>
        verifier.verify({ headers: { ...good, 'webhook-signature': `v1,${twin}` }, body }),
      ).status,
    ).toBe(401);
    // The untouched signature still verifies, so the refusals above are about the junk.
    expect(verifier.verify({ headers: good, body }).id).toBe('j');
  });

  it('Stripe-style refuses a valid v1 or t with anything after it', () => {
    const stripe = stripeStyleWebhooks({ secrets: ['sk'], now });
    const stripeBody = JSON.stringify({ id: 'evt_1' });
    const header = signStripeStyle({ secret: 'sk', timestamp: ts, body: stripeBody });
    expect(stripe.verify({ headers: { 'stripe-signature': header }, body: stripeBody }).id).toBe(
      'evt_1',
    );
    for (const forged of [`${header}a`, `${header}=x`, header.replace(',', '=1,')]) {
      expect(
        rejected(() => stripe.verify({ headers: { 'stripe-signature': forged }, body: stripeBody }))
          .status,
        forged,
      ).toBe(400);
    }
  });

  it('never crashes on arbitrary headers: always a WebhookVerificationError with 400 or 401', () => {
    fc.assert(
      fc.property(
        fc.record({
          'webhook-id': fc.option(fc.string(), { nil: undefined }),
          'webhook-timestamp': fc.option(fc.oneof(fc.string(), fc.integer().map(String)), {
            nil: undefined,
          }),
          'webhook-signature': fc.option(fc.string(), { nil: undefined }),
        }),
        fc.string(),
        (headers, b) => {
          const e = rejected(() => verifier.verify({ headers, body: b }));
          expect([400, 401]).toContain(e.status);
          expect(e.message).not.toContain(SECRET.slice(6));
        },
      ),
    );
  });
});

describe('Stripe-style and GitHub-style adapters', () => {
  it('Stripe-style: t + v1 hex over "t.body", id from body, tolerance enforced', () => {
    const secret = 'whsec_stripe_test_secret';
    const v = stripeStyleWebhooks({ secrets: [secret], now });
    const payload = JSON.stringify({ id: 'evt_1', type: 'fan.mode' });
    const header = signStripeStyle({ secret, timestamp: ts, body: payload });
    expect(v.verify({ headers: { 'stripe-signature': header }, body: payload }).id).toBe('evt_1');
    const wrong = signStripeStyle({ secret: 'other', timestamp: ts, body: payload });
    expect(
      rejected(() => v.verify({ headers: { 'stripe-signature': wrong }, body: payload })).status,
    ).toBe(401);
    const old = signStripeStyle({ secret, timestamp: ts - 1000, body: payload });
    expect(
      rejected(() => v.verify({ headers: { 'stripe-signature': old }, body: payload })).status,
    ).toBe(401);
    expect(rejected(() => v.verify({ headers: {}, body: payload })).status).toBe(400);
  });

  it('GitHub-style: sha256=<hex> over the raw body, id from X-GitHub-Delivery', () => {
    const v = githubStyleWebhooks({ secrets: ['gh-secret'] });
    const sig = signGitHubStyle({ secret: 'gh-secret', body });
    expect(
      v.verify({ headers: { 'x-hub-signature-256': sig, 'x-github-delivery': 'd-1' }, body }).id,
    ).toBe('d-1');
    const bad = signGitHubStyle({ secret: 'nope', body });
    expect(
      rejected(() =>
        v.verify({ headers: { 'x-hub-signature-256': bad, 'x-github-delivery': 'd-1' }, body }),
      ).status,
    ).toBe(401);
    expect(rejected(() => v.verify({ headers: { 'x-hub-signature-256': sig }, body })).status).toBe(
      400,
    );
  });
});
