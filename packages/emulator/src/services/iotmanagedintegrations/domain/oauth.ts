import { ValidationException } from '@c2c-kit/protocol';
import type { MiContext } from '../context.js';
import type { DestinationDoc, TokenSet } from '../stores/docs.js';

export interface TokenRequest {
  readonly tokenUrl: string;
  readonly scheme: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS' | string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A token endpoint refused or failed; `oauthError` is the RFC 6749 `error` code when given. */
export class TokenExchangeError extends Error {
  readonly oauthError: string;
  readonly status: number;
  constructor(status: number, oauthError: string, message: string) {
    super(message);
    this.name = 'TokenExchangeError';
    this.status = status;
    this.oauthError = oauthError;
  }
}

/**
 * POSTs an RFC 6749 token request over real HTTP. HTTP_BASIC sends the client credentials in the
 * Authorization header (form-encoded first, per RFC 6749 §2.3.1); REQUEST_BODY_CREDENTIALS puts
 * them in the body.
 */
export async function requestToken(req: TokenRequest, now = Date.now()): Promise<TokenSet> {
  const form = new URLSearchParams(req.params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (req.scheme === 'HTTP_BASIC') {
    const user = encodeURIComponent(req.clientId);
    const pass = encodeURIComponent(req.clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  } else {
    form.set('client_id', req.clientId);
    form.set('client_secret', req.clientSecret);
  }
  let status: number;
  let text: string;
  try {
    // Loaded on the first token exchange, not at start-up (a large module few runs need).
    const { request } = await import('undici');
    const res = await request(req.tokenUrl, {
      method: 'POST',
      headers,
      body: form.toString(),
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    throw new TokenExchangeError(
      0,
      'network_error',
      `token endpoint unreachable: ${(error as Error).message}`,
    );
  }
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (status < 200 || status > 299 || typeof json.access_token !== 'string') {
    const code = typeof json.error === 'string' ? json.error : `http_${status}`;
    throw new TokenExchangeError(status, code, `token endpoint answered ${status} ${code}`);
  }
  const expiresIn = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : undefined,
  };
}

/** Reads a destination's OAuth client credentials from its Secrets Manager reference. */
export function readClientCredentials(
  ctx: MiContext,
  destination: DestinationDoc,
): { clientId: string; clientSecret: string } {
  const ref = destination.SecretsManager;
  if (ref === undefined) {
    throw new ValidationException(
      'SecretsManager: the connector destination has no client secret reference',
    );
  }
  let text: string | undefined;
  try {
    text = ctx.secrets.getSecretValue(ref.arn, ref.versionId).secretString;
  } catch (error) {
    throw new ValidationException(
      `SecretsManager.arn: secret ${ref.arn} (version ${ref.versionId}) could not be read: ${(error as Error).message}`,
    );
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    // fall through to the field check below
  }
  const clientId = parsed.clientId ?? parsed.client_id;
  const clientSecret = parsed.clientSecret ?? parsed.client_secret;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    throw new ValidationException(
      'SecretsManager.arn: expected the secret to be JSON {"clientId": "...", "clientSecret": "..."}',
    );
  }
  return { clientId, clientSecret };
}
