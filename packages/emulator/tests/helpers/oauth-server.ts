import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';

export interface TokenCall {
  grantType: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  via: 'basic' | 'body' | 'none';
  redirectUri?: string;
}

/**
 * A small real OAuth 2.0 token endpoint for tests: code `good-code`, refresh token rotation.
 * `refuseRefresh.value = true` answers every refresh with `invalid_grant` (the vendor lost or
 * revoked the grant).
 */
export async function startOAuthServer(): Promise<{
  url: string;
  calls: TokenCall[];
  app: FastifyInstance;
  expiresIn: { value: number };
  refuseRefresh: { value: boolean };
}> {
  const app = Fastify();
  await app.register(formbody);
  const calls: TokenCall[] = [];
  const expiresIn = { value: 3600 };
  const refuseRefresh = { value: false };
  let issued = 0;
  app.post('/token', async (request, reply) => {
    const body = request.body as Record<string, string>;
    const auth = request.headers.authorization;
    let call: TokenCall;
    if (auth?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      call = {
        grantType: body.grant_type ?? '',
        clientId: decodeURIComponent(id ?? ''),
        clientSecret: decodeURIComponent(secret ?? ''),
        via: 'basic',
      };
    } else {
      call = {
        grantType: body.grant_type ?? '',
        clientId: body.client_id,
        clientSecret: body.client_secret,
        via: body.client_id === undefined ? 'none' : 'body',
      };
    }
    call.redirectUri = body.redirect_uri;
    calls.push(call);
    if (call.clientId !== 'acme-client' || call.clientSecret !== 'acme-secret') {
      return reply.code(401).send({ error: 'invalid_client' });
    }
    if (call.grantType === 'authorization_code' && body.code === 'good-code') {
      issued += 1;
      return {
        access_token: `at-${issued}`,
        refresh_token: `rt-${issued}`,
        expires_in: expiresIn.value,
        token_type: 'Bearer',
      };
    }
    if (
      call.grantType === 'refresh_token' &&
      body.refresh_token?.startsWith('rt-') &&
      !refuseRefresh.value
    ) {
      issued += 1;
      return {
        access_token: `at-${issued}`,
        refresh_token: `rt-${issued}`,
        expires_in: 3600,
        token_type: 'Bearer',
      };
    }
    return reply.code(400).send({ error: 'invalid_grant' });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, calls, app, expiresIn, refuseRefresh };
}

/** A connector destination's `AuthConfig` that authorizes against the test OAuth server at `url`. */
export function oAuthConfig(
  url: string,
  tokenEndpointAuthenticationScheme: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS' = 'HTTP_BASIC',
  options: { scope?: string; oAuthCompleteRedirectUrl?: string } = {},
) {
  return {
    oAuth: {
      authUrl: `${url}/authorize`,
      tokenUrl: `${url}/token`,
      ...options,
      tokenEndpointAuthenticationScheme,
    },
  };
}
