import { randomBytes } from 'node:crypto';
import { postLoginForm } from '../dev/demoSetup.js';

/**
 * The vendor side of a run: the test user, their tokens, and the ways the suite can change the
 * vendor's world. The simulated vendor cloud (`simVendor.ts`) can do everything; a real cloud
 * (`configVendor.ts`) what its `--vendor-config` file says — a capability left `undefined` makes
 * the checks that need it "not run".
 */
export interface VendorDriver {
  /** What the report says the resource server is. */
  readonly description: string;
  /** The URL the connector's vendor variable gets (through the suite's counting proxy). */
  readonly apiUrl: string;
  /** Values of the user's profile that must never appear in an event (name, e-mail, …). */
  readonly profileValues: readonly string[];
  /** The Standard Webhooks secret the vendor signs with, when known. */
  readonly webhookSecret: string | undefined;
  /** Prepares the world once the connector's Function URL is known (test user, webhook target). */
  prepare(functionUrl: string): Promise<void>;
  /** A fresh access token of the test user (a grant of its own). */
  userToken(): Promise<string>;
  /** A token the vendor issued and no longer accepts; undefined when the suite cannot make one. */
  revokedToken?(): Promise<string>;
  /** The browser's part of account linking: from the authorization URL to the service's callback. */
  login?(authorizationUrl: string): Promise<void>;
  /** The OAuth settings of the connector destination the suite registers, when not the stack's own. */
  readonly destination?: DestinationSettings;
  /** Adds a device of `like`'s kind to the test user; returns its id. */
  addDevice?(likeDeviceId: string): Promise<string>;
  removeDevice?(deviceId: string): Promise<void>;
  /**
   * Makes `deviceId` change state, the `n`-th time with a value distinct from every other `n`
   * (so each change yields an event of its own). Undefined when this device cannot be changed.
   */
  changeState?(deviceId: string, n: number): Promise<void>;
  /** Of these devices, the one `changeState` changes best (no state changes of its own). */
  pickChangeable(deviceIds: readonly string[]): string | undefined;
  /**
   * Whether the vendor still has a webhook to deliver (queued or being retried); undefined when
   * the suite cannot see the vendor's deliveries.
   */
  webhooksPending?(): Promise<boolean>;
  /** The vendor's own view of a device's state (for the vendor-state check), when readable. */
  trueState?(deviceId: string): Promise<VendorDeviceState | undefined>;
  /** Extra secrets the connector's log must never show (client secret, passwords). */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

export interface VendorDeviceState {
  readonly kind: string;
  readonly state: Readonly<Record<string, unknown>>;
}

export interface DestinationSettings {
  readonly authUrl: string;
  readonly tokenUrl: string;
  readonly scope?: string;
  readonly scheme: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS';
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A suffix that keeps one run's users and devices apart from another's. */
export function runTag(): string {
  return randomBytes(4).toString('hex');
}

/**
 * The RFC 6749 token request: an authorization code, a refresh token or a password grant, with the
 * client authenticated by HTTP Basic or in the body. Throws with the endpoint's error code.
 */
export async function tokenRequest(
  tokenUrl: string,
  client: { clientId: string; clientSecret: string; scheme?: string },
  params: Record<string, string>,
): Promise<{ accessToken: string; refreshToken?: string }> {
  const form = new URLSearchParams({ ...params, ...clientFields(client) });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    ...clientHeaders(client),
  };
  const response = await fetch(tokenUrl, { method: 'POST', headers, body: form.toString() });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(
      `token endpoint ${tokenUrl} answered ${response.status} ${String(body.error ?? '')}`.trim(),
    );
  }
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
  };
}

/** RFC 7009: revokes `token` at the vendor, the client authenticated as for the token request. */
export async function revokeToken(
  revokeUrl: string,
  client: { clientId: string; clientSecret: string; scheme?: string },
  token: string,
): Promise<void> {
  const response = await fetch(revokeUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...clientHeaders(client),
    },
    body: new URLSearchParams({ token, ...clientFields(client) }).toString(),
  });
  await response.text();
  if (!response.ok) throw new Error(`token revocation at ${revokeUrl} answered ${response.status}`);
}

function clientHeaders(client: {
  clientId: string;
  clientSecret: string;
  scheme?: string;
}): Record<string, string> {
  if (client.scheme === 'REQUEST_BODY_CREDENTIALS') return {};
  const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

function clientFields(client: {
  clientId: string;
  clientSecret: string;
  scheme?: string;
}): Record<string, string> {
  return client.scheme === 'REQUEST_BODY_CREDENTIALS'
    ? { client_id: client.clientId, client_secret: client.clientSecret }
    : {};
}

/** Code flow without a browser: log in, take the code from the redirect, exchange it. */
export async function codeFlowToken(options: {
  authorizeUrl: string;
  tokenUrl: string;
  redirectUri: string;
  scope?: string;
  client: { clientId: string; clientSecret: string; scheme?: string };
  username: string;
  password: string;
}): Promise<{ accessToken: string; refreshToken?: string }> {
  const url = new URL(options.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.client.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', runTag());
  if (options.scope) url.searchParams.set('scope', options.scope);
  const landing = await postLoginForm(url.toString(), options.username, options.password);
  const code = landing.searchParams.get('code');
  if (code === null) {
    throw new Error(`login refused: ${landing.searchParams.get('error') ?? 'no code'}`);
  }
  return tokenRequest(options.tokenUrl, options.client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: options.redirectUri,
  });
}
