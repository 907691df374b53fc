import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedVendorCloud, startVendorCloud } from '../src/index.js';
import { basic, CLIENT_ID, CLIENT_SECRET, FORM, form, http, REDIRECT_URI } from './helpers.js';

// The authorization-code grant with PKCE (RFC 7636) as a browser runs it: the login page is
// fetched, and what goes back is exactly what its form carries, plus what the person types.

let cloud: StartedVendorCloud;
beforeAll(async () => {
  cloud = await startVendorCloud({ tickIntervalMs: 0 });
});
afterAll(async () => {
  await cloud.close();
});

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The form's hidden fields, decoded the way a browser submits them. */
function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    const decode = (t: string) =>
      t.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    out[decode(m[1] ?? '')] = decode(m[2] ?? '');
  }
  return out;
}

/** The login page's URL for an authorization request with these PKCE parameters. */
function authorizeUrl(pkce: Record<string, string>): string {
  const query = form({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: 'st',
    ...pkce,
  });
  return `${cloud.url}/oauth/authorize?${query}`;
}

/** GET the login page, submit its form as alice, and return the redirect's code. */
async function codeFor(pkce: Record<string, string>): Promise<string> {
  const page = await http(authorizeUrl(pkce));
  expect(page.status, page.text).toBe(200);
  const fields = hiddenFields(page.text);
  const res = await http(`${cloud.url}/oauth/authorize`, {
    method: 'POST',
    headers: FORM,
    body: form({ ...fields, username: 'alice', password: 'alice-password', allowed: 'true' }),
  });
  expect(res.status, res.text).toBe(302);
  const code = new URL(String(res.headers.location)).searchParams.get('code');
  expect(code).toBeTruthy();
  return code ?? '';
}

function token(code: string, verifier?: string) {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
  };
  if (verifier !== undefined) fields.code_verifier = verifier;
  return http(`${cloud.url}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: form(fields),
  });
}

describe('authorization code + PKCE (S256) over HTTP', () => {
  it('the login form carries code_challenge and code_challenge_method forward', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const query = form({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const fields = hiddenFields((await http(`${cloud.url}/oauth/authorize?${query}`)).text);
    expect(fields.code_challenge).toBe(s256(verifier));
    expect(fields.code_challenge_method).toBe('S256');
  });

  it('exchanges the code with the right code_verifier', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const code = await codeFor({ code_challenge: s256(verifier), code_challenge_method: 'S256' });
    const res = await token(code, verifier);
    expect(res.status, res.text).toBe(200);
    expect((res.json() as { access_token: string }).access_token).toMatch(/^acme_at_/);
  });

  it('refuses a wrong or missing code_verifier with 400 invalid_grant, and the code is spent', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = { code_challenge: s256(verifier), code_challenge_method: 'S256' };
    const wrong = await token(await codeFor(challenge), randomBytes(32).toString('base64url'));
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const code = await codeFor(challenge);
    const missing = await token(code);
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_grant' });
    // A failed attempt consumes the code, so a verifier cannot be guessed online.
    expect((await token(code, verifier)).status).toBe(400);
  });

  it('defaults the method to S256 and refuses a verifier the code was not issued with', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const ok = await token(await codeFor({ code_challenge: s256(verifier) }), verifier);
    expect(ok.status, ok.text).toBe(200);
    const unasked = await token(await codeFor({}), verifier);
    expect(unasked.status).toBe(400);
    expect(unasked.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('sends unusable PKCE parameters back to the client as invalid_request', async () => {
    for (const pkce of <Record<string, string>[]>[
      { code_challenge: 'short' },
      { code_challenge: s256('x'.repeat(43)), code_challenge_method: 'plain' },
      { code_challenge_method: 'S256' },
    ]) {
      const res = await http(authorizeUrl(pkce));
      expect(res.status, JSON.stringify(pkce)).toBe(302);
      const back = new URL(String(res.headers.location));
      expect(back.origin + back.pathname).toBe(REDIRECT_URI);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('error_description')).toMatch(/code_challenge/);
      expect(back.searchParams.get('state')).toBe('st');
    }
  });
});
