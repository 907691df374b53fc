import OAuth2Server from '@node-oauth/oauth2-server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type OAuthStore, redirectUriAllowed, SCOPES } from './oauthStore.js';
import type { Simulation, VendorUser } from './simulation.js';

const { Request, Response, OAuthError } = OAuth2Server;

export interface OAuthRouteOptions {
  store: OAuthStore;
  simulation: Simulation;
  accessTokenLifetimeSec: number;
  refreshTokenLifetimeSec: number;
}

type Params = Record<string, string>;

function toOAuthRequest(req: FastifyRequest): OAuth2Server.Request {
  return new Request({
    headers: req.headers as Record<string, string>,
    method: req.method,
    query: (req.query ?? {}) as Params,
    body: (req.body ?? {}) as Params,
  });
}

function sendOAuthResponse(reply: FastifyReply, res: OAuth2Server.Response): FastifyReply {
  for (const [name, value] of Object.entries(res.headers ?? {})) reply.header(name, value);
  return reply.code(res.status ?? 200).send(res.body);
}

/** RFC 6749 §5.2 error body, with the status the library chose (400/401/403/503). */
function sendOAuthError(
  reply: FastifyReply,
  err: unknown,
  res?: OAuth2Server.Response,
): FastifyReply {
  if (res) for (const [name, value] of Object.entries(res.headers ?? {})) reply.header(name, value);
  if (err instanceof OAuthError) {
    const status = err.code >= 500 ? 400 : err.code;
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .send({ error: err.name, error_description: err.message });
  }
  throw err;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Form fields of the authorization request that the login form carries forward. The PKCE pair
 * (RFC 7636) must survive the form POST: the library stores it with the code and checks the
 * token request's `code_verifier` against it.
 */
const CARRIED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
] as const;

/** RFC 7636 §4.2: 43-128 unreserved characters (an S256 challenge is 43 base64url characters). */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/** Why the PKCE parameters cannot be honoured, or undefined when they are absent or usable. */
function pkceProblem(fields: Params): string | undefined {
  const { code_challenge: challenge, code_challenge_method: method } = fields;
  if (challenge === undefined) {
    return method === undefined ? undefined : 'code_challenge_method without code_challenge';
  }
  if (!PKCE_VALUE.test(challenge))
    return 'code_challenge: expected 43-128 characters [A-Za-z0-9._~-]';
  // The library refuses "plain" (a challenge equal to the verifier protects nothing).
  if (method !== undefined && method !== 'S256') {
    return `code_challenge_method: only S256 is supported, got ${JSON.stringify(method.slice(0, 20))}`;
  }
  return undefined;
}

/** RFC 6749 §4.1.2.1: errors other than the client's and the redirect URI's go back to the client. */
function errorRedirect(fields: Params, description: string): string {
  const url = new URL(fields.redirect_uri ?? '');
  url.searchParams.set('error', 'invalid_request');
  url.searchParams.set('error_description', description);
  if (fields.state !== undefined) url.searchParams.set('state', fields.state);
  return url.toString();
}

function pick(source: unknown): Params {
  const out: Params = {};
  const obj = (source ?? {}) as Record<string, unknown>;
  for (const key of CARRIED) {
    const v = obj[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Acme Cloud</title>
<style>
body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem;font-size:1rem}
.error{color:#a00000;border:1px solid #a00000;padding:.5rem}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage(fields: Params, clientId: string, error?: string): string {
  const hidden = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const scopes = (fields.scope ? fields.scope.split(' ') : [...SCOPES])
    .map(
      (s) =>
        `<li>${escapeHtml(s === 'devices:write' ? 'Control your devices' : s === 'devices:read' ? 'See your devices and their state' : s)}</li>`,
    )
    .join('');
  const alert = error
    ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>`
    : '';
  return page(
    'Sign in',
    `<h1>Sign in to Acme Cloud</h1>
<p><strong>${escapeHtml(clientId)}</strong> asks to:</p>
<ul>${scopes}</ul>
${alert}
<form method="post" action="/oauth/authorize">
${hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" required${error ? ' aria-describedby="login-error"' : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" name="allowed" value="true">Allow</button>
<button type="submit" name="allowed" value="false" formnovalidate>Deny</button>
</form>`,
  );
}

function errorPage(message: string): string {
  return page(
    'Error',
    `<h1>Cannot sign in</h1><p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}

/**
 * Errors about the client or redirect URI must not redirect (RFC 6749 §4.1.2.1): the redirect
 * target itself is untrusted. They are shown on the page instead.
 */
function checkClient(store: OAuthStore, fields: Params): string | undefined {
  if (!fields.client_id) return 'Missing parameter client_id.';
  const client = store.clientConfig(fields.client_id);
  if (!client) return `Unknown client ${JSON.stringify(fields.client_id)}.`;
  if (!fields.redirect_uri) return 'Missing parameter redirect_uri.';
  if (!redirectUriAllowed(fields.redirect_uri, client.redirectUris)) {
    return `redirect_uri ${JSON.stringify(fields.redirect_uri)} is not registered for this client.`;
  }
  return undefined;
}

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-urlencoded parts) or the body. */
function clientCredentials(req: FastifyRequest): ClientCredentials | 'malformed' | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed';
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
      };
    } catch {
      return 'malformed';
    }
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') {
    return { clientId: body.client_id, clientSecret: body.client_secret };
  }
  return undefined;
}

/** Registers `/oauth/authorize`, `/oauth/token`, `/oauth/revoke` and `/oauth/userinfo`. */
export function registerOAuthRoutes(app: FastifyInstance, opts: OAuthRouteOptions): OAuth2Server {
  const { store, simulation } = opts;
  const oauth = new OAuth2Server({
    model: store,
    accessTokenLifetime: opts.accessTokenLifetimeSec,
    refreshTokenLifetime: opts.refreshTokenLifetimeSec,
    allowEmptyState: true,
    requireClientAuthentication: { authorization_code: true, refresh_token: true },
  });

  app.get('/oauth/authorize', async (req, reply) => {
    const fields = pick(req.query);
    const problem = checkClient(store, fields);
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (problem) return reply.code(400).send(errorPage(problem));
    const pkce = pkceProblem(fields);
    if (pkce) return reply.redirect(errorRedirect(fields, pkce), 302);
    return reply.send(loginPage(fields, fields.client_id ?? ''));
  });

  app.post('/oauth/authorize', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fields = pick(body);
    const problem = checkClient(store, fields);
    reply.header('cache-control', 'no-store');
    if (problem) return reply.code(400).type('text/html; charset=utf-8').send(errorPage(problem));
    const pkce = pkceProblem(fields);
    if (pkce) return reply.redirect(errorRedirect(fields, pkce), 302);
    const denied = body.allowed === 'false';
    let user: VendorUser | undefined;
    if (!denied) {
      const username = typeof body.username === 'string' ? body.username : '';
      const password = typeof body.password === 'string' ? body.password : '';
      user = simulation.findUser(username);
      if (!user || user.password !== password) {
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(loginPage(fields, fields.client_id ?? '', 'Wrong username or password.'));
      }
    }
    const grantUser = user
      ? store.newGrantUser(user.userId, user.username)
      : { userId: '', username: '', grantId: '' };
    const oauthReq = toOAuthRequest(req);
    const oauthRes = new Response({ headers: {} });
    try {
      await oauth.authorize(oauthReq, oauthRes, {
        authenticateHandler: { handle: async () => grantUser },
      });
    } catch (err) {
      // The library already put the error redirect (access_denied, invalid_scope…) into the response.
      if (!(err instanceof OAuthError)) throw err;
    }
    const location = oauthRes.get('location');
    if (typeof location === 'string') return reply.redirect(location, 302);
    return reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send(errorPage('Invalid authorization request.'));
  });

  app.post('/oauth/token', async (req, reply) => {
    const res = new Response({ headers: {} });
    try {
      await oauth.token(toOAuthRequest(req), res);
      return sendOAuthResponse(reply, res);
    } catch (err) {
      return sendOAuthError(reply, err, res);
    }
  });

  // RFC 7009. Client authentication by Basic or body; without client credentials a caller may still
  // revoke the token it presents (possession is proof enough, as with Google's revoke endpoint), so a
  // connector holding only the user's access token can serve DeactivateUser.
  app.post('/oauth/revoke', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const creds = clientCredentials(req);
    if (creds === 'malformed') {
      return reply.code(401).header('www-authenticate', 'Basic realm="acme"').send({
        error: 'invalid_client',
        error_description: 'malformed HTTP Basic client credentials',
      });
    }
    const client = creds ? store.authenticateClient(creds.clientId, creds.clientSecret) : undefined;
    if (creds && !client) {
      return reply.code(401).header('www-authenticate', 'Basic realm="acme"').send({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    }
    if (typeof body.token !== 'string' || body.token.length === 0) {
      return reply.code(400).send({
        error: 'invalid_request',
        error_description: 'body.token: expected the token to revoke',
      });
    }
    const hint = typeof body.token_type_hint === 'string' ? body.token_type_hint : undefined;
    const found = store.lookup(body.token, hint);
    // An unknown or already revoked token is a success (RFC 7009 §2.2): revocation is idempotent.
    if (!found) return reply.code(200).send();
    if (client && found.client.id !== client.clientId) {
      return reply.code(400).send({
        error: 'unauthorized_client',
        error_description: 'the token was not issued to this client',
      });
    }
    store.revokeGrant(found.user.grantId);
    return reply.code(200).send();
  });

  app.get('/oauth/userinfo', async (req, reply) => {
    const token = await authenticate(oauth, req, reply, []);
    if (!token) return reply;
    const user = simulation.userById((token.user as { userId: string }).userId);
    if (!user)
      return reply.code(401).send({ error: 'invalid_token', error_description: 'unknown user' });
    return { sub: user.userId, userId: user.userId, name: user.displayName };
  });

  return oauth;
}

/**
 * Bearer authentication with the library (expiry, revocation, scope). On failure it sends the
 * RFC 6750 error itself and returns undefined.
 */
export async function authenticate(
  oauth: OAuth2Server,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string[],
): Promise<OAuth2Server.Token | undefined> {
  const res = new Response({ headers: {} });
  try {
    return await oauth.authenticate(toOAuthRequest(req), res, scope.length > 0 ? { scope } : {});
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    // UnauthorizedRequestError means "no credentials": RFC 6750 §3.1 says no error code then.
    const noToken = err.name === 'unauthorized_request';
    const code = noToken ? 'missing_token' : err.name;
    reply.header(
      'www-authenticate',
      noToken ? 'Bearer realm="acme"' : `Bearer realm="acme", error="${err.name}"`,
    );
    reply.code(err.code >= 500 ? 401 : err.code).send({
      error: {
        code,
        message: noToken ? 'Authorization: Bearer <access token> is required' : err.message,
      },
    });
    return undefined;
  }
}
