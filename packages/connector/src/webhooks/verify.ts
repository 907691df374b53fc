import { HmacSha256, nodeCrypto } from '@c2c-kit/protocol';
import { WebhookVerificationError } from '../errors.js';

/** A webhook as received: lower-cased header names, the raw body bytes (never re-serialised JSON). */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer | string;
}

/** A verified delivery: its idempotency key, its timestamp (unix s) and the body text. */
export interface VerifiedWebhook {
  readonly id: string;
  readonly timestamp: number | undefined;
  readonly body: string;
}

/** One signature scheme. `verify` throws `WebhookVerificationError` (status 400 or 401). */
export interface WebhookVerifier {
  readonly scheme: string;
  verify(request: WebhookRequest): VerifiedWebhook;
}

export type WebhookSecret = string | Buffer;

const DEFAULT_TOLERANCE_S = 300;

/** `whsec_<base64>` (or bare base64, as the reference library reads it), or raw key bytes. */
export function decodeStandardSecret(secret: WebhookSecret): Buffer {
  if (Buffer.isBuffer(secret)) return secret;
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) {
    throw new WebhookVerificationError(401, 'webhook secret is empty or not base64');
  }
  return key;
}

function bodyBuffer(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** A base64 HMAC-SHA256 (32 bytes): 43 characters, padding optional, either alphabet. */
const SIGNATURE_B64 = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Whether a base64 signature from a header is `expected` (padded standard base64), in constant
 * time. Senders that drop the padding or use the URL-safe alphabet are accepted; anything else is
 * compared as text, never through Node's base64 decoder, which skips characters it does not know
 * and stops at the first `=`, so `<valid signature>` followed by junk would decode to the same bytes.
 */
function sameSignature(candidate: string, expected: string): boolean {
  let canonical = candidate;
  if (SIGNATURE_B64.test(candidate)) {
    canonical = candidate.replaceAll('-', '+').replaceAll('_', '/');
    if (!canonical.endsWith('=')) canonical += '=';
  }
  // Unequal lengths reveal nothing secret; equal ones are compared in full.
  if (canonical.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++)
    diff |= canonical.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing secret.
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

function checkTimestamp(
  raw: string | undefined,
  header: string,
  toleranceS: number,
  nowMs: number,
) {
  if (raw === undefined || raw === '')
    throw new WebhookVerificationError(400, `missing ${header} header`);
  if (!/^\d{1,12}$/.test(raw)) {
    throw new WebhookVerificationError(
      400,
      `${header}: expected unix seconds, got ${JSON.stringify(raw.slice(0, 32))}`,
    );
  }
  const ts = Number(raw);
  const now = Math.floor(nowMs / 1000);
  if (now - ts > toleranceS)
    throw new WebhookVerificationError(401, `${header} too old (more than ${toleranceS} s)`);
  if (ts - now > toleranceS)
    throw new WebhookVerificationError(
      401,
      `${header} is in the future (more than ${toleranceS} s)`,
    );
  return ts;
}

export interface StandardWebhooksOptions {
  /** Several secrets verify during rotation: any one matching signature is enough. */
  readonly secrets: readonly WebhookSecret[];
  readonly toleranceSeconds?: number;
  readonly now?: () => number;
}

/**
 * Standard Webhooks v1 (symmetric): HMAC-SHA256 over `${id}.${timestamp}.${body}`, headers
 * `webhook-id` / `webhook-timestamp` / `webhook-signature` (`v1,<b64>` space-separated list),
 * ±5 min tolerance, constant-time compare.
 */
export function standardWebhooks(options: StandardWebhooksOptions): WebhookVerifier {
  // Empty entries (an unset env var split on ',') are ignored; with no secret at all every
  // delivery is refused with 401 rather than crashing the module at import.
  const keys = options.secrets.filter((s) => s.length > 0).map(decodeStandardSecret);
  // Built on the first delivery (node:crypto is loaded then, not when the module is imported).
  let macs: HmacSha256[] | undefined;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_S;
  const now = options.now ?? Date.now;
  return {
    scheme: 'standard-webhooks-v1',
    verify(request) {
      if (keys.length === 0)
        throw new WebhookVerificationError(401, 'no webhook secret configured');
      const h = request.headers;
      const id = h['webhook-id'] ?? h['svix-id'];
      const signatureHeader = h['webhook-signature'] ?? h['svix-signature'];
      if (!id) throw new WebhookVerificationError(400, 'missing webhook-id header');
      if (!signatureHeader)
        throw new WebhookVerificationError(400, 'missing webhook-signature header');
      const rawTs = h['webhook-timestamp'] ?? h['svix-timestamp'];
      const ts = checkTimestamp(rawTs, 'webhook-timestamp', tolerance, now());
      // `v1,<base64>` entries of the space-separated list (other versions are skipped). An entry
      // with more after its signature (`v1,<sig>,junk`) is not a v1 entry: it never verifies.
      const candidates: string[] = [];
      for (const part of signatureHeader.split(' ')) {
        if (!part.startsWith('v1,')) continue;
        const sig = part.slice(3);
        if (sig !== '' && !sig.includes(',')) candidates.push(sig);
      }
      if (candidates.length === 0) {
        throw new WebhookVerificationError(
          400,
          'webhook-signature: expected "v1,<base64>" entries, got none',
        );
      }
      // HMAC over `${id}.${timestamp}.` and the body (a string body as its UTF-8 bytes, handed
      // on as it came).
      const { body } = request;
      const prefix = `${id}.${ts}.`;
      macs ??= keys.map((key) => new HmacSha256(key));
      for (const mac of macs) {
        const expected = mac.base64(prefix, body);
        for (const candidate of candidates) {
          if (sameSignature(candidate, expected)) {
            return {
              id,
              timestamp: ts,
              body: typeof body === 'string' ? body : body.toString('utf8'),
            };
          }
        }
      }
      throw new WebhookVerificationError(401, 'no webhook-signature matches');
    },
  };
}

/** Headers a Standard Webhooks sender attaches (for tests, the vendor simulator and replays). */
export function signStandardWebhook(input: {
  secret: WebhookSecret;
  id: string;
  timestamp: number;
  body: string | Buffer;
}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const key = decodeStandardSecret(input.secret);
  const mac = nodeCrypto()
    .createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${input.id}.${input.timestamp}.`), bodyBuffer(input.body)]))
    .digest('base64');
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': `v1,${mac}`,
  };
}

export interface StripeStyleOptions {
  readonly secrets: readonly WebhookSecret[];
  readonly header?: string;
  readonly toleranceSeconds?: number;
  readonly now?: () => number;
  /** Where the delivery id comes from (Stripe puts it in the JSON body `id`). */
  readonly idFrom?: (body: string, headers: WebhookRequest['headers']) => string | undefined;
}

function bodyId(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

function rawKey(secret: WebhookSecret): Buffer {
  return Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
}

/** Stripe-style: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>]` over `${t}.${body}`. */
export function stripeStyleWebhooks(options: StripeStyleOptions): WebhookVerifier {
  const header = (options.header ?? 'stripe-signature').toLowerCase();
  const keys = options.secrets.map(rawKey);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_S;
  const now = options.now ?? Date.now;
  const idFrom = options.idFrom ?? ((body: string) => bodyId(body));
  return {
    scheme: 'stripe-style',
    verify(request) {
      const value = request.headers[header];
      if (!value) throw new WebhookVerificationError(400, `missing ${header} header`);
      // Each value is all that follows its first '=' and must be whole: Node's hex decoder drops
      // an odd last digit, so only exactly 64 hex digits count as a v1 signature.
      const parts = value.split(',').map((p) => {
        const eq = p.indexOf('=');
        return eq === -1 ? [p.trim(), ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
      });
      const t = parts.find(([k]) => k === 't')?.[1];
      const ts = checkTimestamp(t, `${header} t`, tolerance, now());
      const candidates = parts
        .filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v))
        .map(([, v]) => Buffer.from(v ?? '', 'hex'));
      if (candidates.length === 0)
        throw new WebhookVerificationError(400, `${header}: expected v1=<hex>, got none`);
      const body = bodyBuffer(request.body);
      const signed = Buffer.concat([Buffer.from(`${ts}.`), body]);
      for (const key of keys) {
        const expected = nodeCrypto().createHmac('sha256', key).update(signed).digest();
        if (candidates.some((c) => safeEqual(c, expected))) {
          const text = body.toString('utf8');
          const id = idFrom(text, request.headers);
          if (!id)
            throw new WebhookVerificationError(
              400,
              'delivery id: expected a string `id` in the body',
            );
          return { id, timestamp: ts, body: text };
        }
      }
      throw new WebhookVerificationError(401, `no ${header} v1 signature matches`);
    },
  };
}

export function signStripeStyle(input: {
  secret: WebhookSecret;
  timestamp: number;
  body: string;
}): string {
  const mac = nodeCrypto()
    .createHmac('sha256', rawKey(input.secret))
    .update(`${input.timestamp}.${input.body}`)
    .digest('hex');
  return `t=${input.timestamp},v1=${mac}`;
}

export interface GitHubStyleOptions {
  readonly secrets: readonly WebhookSecret[];
}

/**
 * GitHub-style: `X-Hub-Signature-256: sha256=<hex>` over the raw body. There is no timestamp,
 * so replay protection rests entirely on deduplicating `X-GitHub-Delivery`.
 */
export function githubStyleWebhooks(options: GitHubStyleOptions): WebhookVerifier {
  const keys = options.secrets.map(rawKey);
  return {
    scheme: 'github-style',
    verify(request) {
      const value = request.headers['x-hub-signature-256'];
      const id = request.headers['x-github-delivery'];
      if (!value) throw new WebhookVerificationError(400, 'missing x-hub-signature-256 header');
      if (!id) throw new WebhookVerificationError(400, 'missing x-github-delivery header');
      const match = /^sha256=([0-9a-f]{64})$/i.exec(value);
      if (!match?.[1])
        throw new WebhookVerificationError(400, 'x-hub-signature-256: expected sha256=<64 hex>');
      const given = Buffer.from(match[1], 'hex');
      const body = bodyBuffer(request.body);
      for (const key of keys) {
        if (safeEqual(given, nodeCrypto().createHmac('sha256', key).update(body).digest())) {
          return { id, timestamp: undefined, body: body.toString('utf8') };
        }
      }
      throw new WebhookVerificationError(401, 'x-hub-signature-256 does not match');
    },
  };
}

export function signGitHubStyle(input: { secret: WebhookSecret; body: string }): string {
  return `sha256=${nodeCrypto().createHmac('sha256', rawKey(input.secret)).update(input.body).digest('hex')}`;
}
