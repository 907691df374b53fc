import { request } from 'undici';

export const CLIENT_ID = 'c2c-kit-connector';
export const CLIENT_SECRET = 'c2c-kit-connector-secret';
export const REDIRECT_URI = 'http://127.0.0.1:4567/_local/oauth/callback';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers ?? {},
    body: init.body ?? null,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Logs in through the HTML form like a browser and returns the authorization code. */
export async function authorize(
  base: string,
  username: string,
  password: string,
  extra: Record<string, string> = {},
): Promise<{ code: string; state: string | null; location: string }> {
  const query = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: 'xyz-123',
    ...extra,
  };
  const page = await http(`${base}/oauth/authorize?${form(query)}`);
  if (page.status !== 200) throw new Error(`login page status ${page.status}: ${page.text}`);
  const res = await http(`${base}/oauth/authorize`, {
    method: 'POST',
    headers: FORM,
    body: form({ ...query, username, password, allowed: 'true' }),
  });
  const location = String(res.headers.location ?? '');
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (res.status !== 302 || !code)
    throw new Error(`authorize status ${res.status}: ${location || res.text}`);
  return { code, state: url.searchParams.get('state'), location };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export async function exchange(
  base: string,
  code: string,
  scheme: 'basic' | 'body',
): Promise<HttpResult> {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
  };
  const headers: Record<string, string> = { ...FORM };
  if (scheme === 'basic') headers.authorization = basic(CLIENT_ID, CLIENT_SECRET);
  else Object.assign(fields, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  return http(`${base}/oauth/token`, { method: 'POST', headers, body: form(fields) });
}

export async function login(base: string, username: string, password: string): Promise<Tokens> {
  const { code } = await authorize(base, username, password);
  const res = await exchange(base, code, 'basic');
  if (res.status !== 200) throw new Error(`token status ${res.status}: ${res.text}`);
  return res.json() as Tokens;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
