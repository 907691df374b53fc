import { readFileSync } from 'node:fs';
import { oauthLogin } from '../dev/demoSetup.js';
import { UsageError } from '../errors.js';
import {
  codeFlowToken,
  type DestinationSettings,
  revokeToken,
  tokenRequest,
  type VendorDriver,
} from './vendor.js';

/**
 * `--vendor-config <file>`: a connector whose resource server is a real cloud. The file gives the
 * test account and, optionally, how to change the vendor's world; what it leaves out makes the
 * checks that need it "not run" (docs/conformance.md#vendor-config lists which).
 */
export interface VendorConfig {
  /** The vendor API base URL the connector calls (its vendor URL variable gets the suite's proxy). */
  readonly apiUrl: string;
  readonly oauth: {
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scope?: string;
    readonly authScheme?: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS';
    /** RFC 7009 revocation endpoint: lets the suite make a token the vendor no longer accepts. */
    readonly revokeUrl?: string;
  };
  readonly user: {
    /** A login on the vendor's HTML form: what account linking needs. */
    readonly username?: string;
    readonly password?: string;
    /** Else a refresh token (used once per run) or an access token for the direct checks. */
    readonly refreshToken?: string;
    readonly accessToken?: string;
    /** The user's profile values, looked for in every event. */
    readonly profile?: Readonly<Record<string, string>>;
  };
  /** The Standard Webhooks secret the vendor signs with (the forged/stale-webhook checks). */
  readonly webhookSecret?: string;
  /** More variables for the connector. */
  readonly env?: Readonly<Record<string, string>>;
  /** Requests sent once before the checks (e.g. point the vendor's webhooks at {{functionUrl}}). */
  readonly setup?: readonly HttpStep[];
  /** How to add and remove a device of the test user ({{deviceId}}: the suite's new id). */
  readonly devices?: { readonly add?: HttpStep; readonly remove?: HttpStep };
  /** How to make one device change state; "{{value}}" is a number distinct on every call. */
  readonly stateChange?: { readonly deviceId: string; readonly request: HttpStep };
}

export interface HttpStep {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const bad = (file: string, path: string, what: string) =>
  new UsageError('test', `--vendor-config ${file}: ${path}: ${what}`);

/** Reads and checks the file; every problem is one usage error naming the field. */
export function readVendorConfig(file: string): VendorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(
      'test',
      `--vendor-config ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
    );
  }
  const obj = (v: unknown, path: string) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw bad(file, path, 'expected an object');
    }
    return v as Record<string, unknown>;
  };
  const url = (v: unknown, path: string) => {
    if (typeof v !== 'string' || !URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) {
      throw bad(file, path, 'expected an http(s) URL');
    }
    return v;
  };
  const text = (v: unknown, path: string, optional = false) => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') throw bad(file, path, 'expected a non-empty string');
    return v;
  };
  const step = (v: unknown, path: string): HttpStep => {
    const s = obj(v, path);
    url(String(s.url ?? '').replace(/\{\{\w+\}\}/g, 'x'), `${path}.url`);
    text(s.method, `${path}.method`);
    if (s.headers !== undefined) obj(s.headers, `${path}.headers`);
    return s as unknown as HttpStep;
  };
  const root = obj(raw, '(top level)');
  url(root.apiUrl, 'apiUrl');
  const oauth = obj(root.oauth, 'oauth');
  url(oauth.authorizeUrl, 'oauth.authorizeUrl');
  url(oauth.tokenUrl, 'oauth.tokenUrl');
  text(oauth.clientId, 'oauth.clientId');
  text(oauth.clientSecret, 'oauth.clientSecret');
  if (oauth.revokeUrl !== undefined) url(oauth.revokeUrl, 'oauth.revokeUrl');
  if (
    oauth.authScheme !== undefined &&
    !['HTTP_BASIC', 'REQUEST_BODY_CREDENTIALS'].includes(String(oauth.authScheme))
  ) {
    throw bad(file, 'oauth.authScheme', 'expected HTTP_BASIC or REQUEST_BODY_CREDENTIALS');
  }
  const user = obj(root.user, 'user');
  for (const key of ['username', 'password', 'refreshToken', 'accessToken']) {
    text(user[key], `user.${key}`, true);
  }
  if ((user.username === undefined) !== (user.password === undefined)) {
    throw bad(file, 'user', 'give username and password together');
  }
  if (
    user.username === undefined &&
    user.refreshToken === undefined &&
    user.accessToken === undefined
  ) {
    throw bad(file, 'user', 'expected username and password, a refreshToken or an accessToken');
  }
  if (user.profile !== undefined) {
    for (const [k, v] of Object.entries(obj(user.profile, 'user.profile')))
      text(v, `user.profile.${k}`);
  }
  text(root.webhookSecret, 'webhookSecret', true);
  if (root.env !== undefined) {
    for (const [k, v] of Object.entries(obj(root.env, 'env'))) {
      if (typeof v !== 'string') throw bad(file, `env.${k}`, 'expected a string');
    }
  }
  if (root.setup !== undefined) {
    if (!Array.isArray(root.setup)) throw bad(file, 'setup', 'expected a list of requests');
    root.setup.forEach((s, i) => {
      step(s, `setup[${i}]`);
    });
  }
  if (root.devices !== undefined) {
    const d = obj(root.devices, 'devices');
    if (d.add !== undefined) step(d.add, 'devices.add');
    if (d.remove !== undefined) step(d.remove, 'devices.remove');
  }
  if (root.stateChange !== undefined) {
    const c = obj(root.stateChange, 'stateChange');
    text(c.deviceId, 'stateChange.deviceId');
    step(c.request, 'stateChange.request');
  }
  return root as unknown as VendorConfig;
}

/** Fills `{{name}}` placeholders; a string that is exactly "{{value}}" becomes the number. */
function fill(value: unknown, vars: Record<string, string | number>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(value);
    if (whole && typeof vars[whole[1] as string] === 'number') return vars[whole[1] as string];
    return value.replace(/\{\{(\w+)\}\}/g, (m, k: string) =>
      vars[k] === undefined ? m : String(vars[k]),
    );
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  }
  return value;
}

async function send(step: HttpStep, vars: Record<string, string | number>): Promise<void> {
  const body = step.body === undefined ? undefined : fill(step.body, vars);
  const headers = fill(step.headers ?? {}, vars) as Record<string, string>;
  const response = await fetch(String(fill(step.url, vars)), {
    method: step.method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.text();
  if (!response.ok) {
    throw new Error(`${step.method} ${String(fill(step.url, {}))} answered ${response.status}`);
  }
}

/**
 * `connectorSecret`: the webhook secret a deployed connector checks signatures with (`--deployed`),
 * signed with when the file gives no `webhookSecret`.
 */
export function configVendor(
  config: VendorConfig,
  emulatorUrl: string,
  connectorSecret?: string,
): VendorDriver {
  const { oauth, user } = config;
  const client = {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    scheme: oauth.authScheme ?? 'HTTP_BASIC',
  };
  const issued: string[] = [];
  let functionUrl = '';
  let added = 0;
  let refresh = user.refreshToken;
  const vars = (extra: Record<string, string | number> = {}) => ({ functionUrl, ...extra });
  const token = async (): Promise<string> => {
    let got: { accessToken: string; refreshToken?: string };
    if (user.username !== undefined && user.password !== undefined) {
      got = await codeFlowToken({
        authorizeUrl: oauth.authorizeUrl,
        tokenUrl: oauth.tokenUrl,
        redirectUri: `${emulatorUrl}/_local/oauth/callback`,
        ...(oauth.scope ? { scope: oauth.scope } : {}),
        client,
        username: user.username,
        password: user.password,
      });
    } else if (refresh !== undefined) {
      got = await tokenRequest(oauth.tokenUrl, client, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
      });
      // A cloud that rotates refresh tokens answers with the next one.
      refresh = got.refreshToken ?? refresh;
    } else {
      return user.accessToken as string;
    }
    issued.push(got.accessToken, ...(got.refreshToken ? [got.refreshToken] : []));
    return got.accessToken;
  };
  const canLogin = user.username !== undefined;
  const destination: DestinationSettings = {
    authUrl: oauth.authorizeUrl,
    tokenUrl: oauth.tokenUrl,
    ...(oauth.scope ? { scope: oauth.scope } : {}),
    scheme: client.scheme as DestinationSettings['scheme'],
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
  };
  const devices = config.devices;
  const change = config.stateChange;
  return {
    description: `the vendor cloud at ${config.apiUrl} (--vendor-config)`,
    apiUrl: config.apiUrl,
    profileValues: Object.values(user.profile ?? {}),
    webhookSecret: config.webhookSecret ?? connectorSecret,
    destination,
    get secrets() {
      return [
        oauth.clientSecret,
        ...(user.password ? [user.password] : []),
        ...(user.refreshToken ? [user.refreshToken] : []),
        ...(user.accessToken ? [user.accessToken] : []),
        ...issued,
      ];
    },
    async prepare(url) {
      functionUrl = url;
      for (const step of config.setup ?? []) await send(step, vars());
    },
    userToken: token,
    ...(oauth.revokeUrl && (canLogin || user.refreshToken)
      ? {
          async revokedToken() {
            const revoked = await token();
            await revokeToken(oauth.revokeUrl as string, client, revoked);
            return revoked;
          },
        }
      : {}),
    ...(canLogin
      ? {
          async login(authorizationUrl: string) {
            await oauthLogin(authorizationUrl, user.username as string, user.password as string);
          },
        }
      : {}),
    ...(devices?.add && devices.remove
      ? {
          async addDevice() {
            added += 1;
            const deviceId = `c2c-test-added-${Date.now().toString(36)}-${added}`;
            await send(devices.add as HttpStep, vars({ deviceId, accessToken: await token() }));
            return deviceId;
          },
          async removeDevice(deviceId: string) {
            await send(devices.remove as HttpStep, vars({ deviceId, accessToken: await token() }));
          },
        }
      : {}),
    pickChangeable: (ids) => ids.find((id) => id === change?.deviceId),
    ...(change
      ? {
          async changeState(_deviceId: string, n: number) {
            await send(change.request, vars({ value: n, accessToken: await token() }));
          },
        }
      : {}),
    async close() {},
  };
}
