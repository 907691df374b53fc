import { randomBytes } from 'node:crypto';
import type { MiContext } from '../context.js';
import { compact } from '../context.js';
import type { AssociationDoc, DestinationDoc, TokenSet } from '../stores/docs.js';
import {
  activate,
  describe,
  errorText,
  publishAssociation,
  saveAssociation,
} from './associations.js';
import { readClientCredentials, requestToken } from './oauth.js';

/**
 * The OAuth code grant that links a customer's vendor account: the authorization URL the customer
 * opens, and the callback the vendor redirects to.
 */

export const OAUTH_CALLBACK_PATH = '/_local/oauth/callback';

/**
 * A new link attempt through an OAuth destination: a fresh `state` and the authorization URL the
 * customer opens (the destination's authUrl with the code-grant parameters and our callback).
 * Reads the destination's client id from its secret, so a wrong reference fails here.
 */
export function startAuthorization(
  ctx: MiContext,
  destination: DestinationDoc,
): { readonly state: string; readonly url: string } {
  const oauth = destination.AuthConfig.oAuth;
  if (oauth === undefined) return { state: '', url: '' };
  const state = randomBytes(18).toString('base64url');
  const url = new URL(oauth.authUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', readClientCredentials(ctx, destination).clientId);
  url.searchParams.set('redirect_uri', `${ctx.config.baseUrl()}${OAUTH_CALLBACK_PATH}`);
  url.searchParams.set('state', state);
  if (oauth.scope !== undefined && oauth.scope !== '') url.searchParams.set('scope', oauth.scope);
  return { state, url: url.toString() };
}

/** Result of the OAuth redirect: where to send the browser, and the outcome. */
export interface CallbackOutcome {
  readonly redirectTo?: string;
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * `GET /_local/oauth/callback?code&state`: exchanges the code at the destination's tokenUrl, stores
 * the tokens, invokes AWS.ActivateUser, records the userId and redirects to the destination's
 * oAuthCompleteRedirectUrl (with `error`/`error_description` on failure) when one is configured.
 */
export async function handleOAuthCallback(
  ctx: MiContext,
  query: Record<string, string | undefined>,
): Promise<CallbackOutcome> {
  const state = query.state;
  if (state === undefined || state === '') {
    return {
      status: 400,
      body: { error: 'invalid_request', error_description: 'state: required' },
    };
  }
  const rows = ctx.stores.associations.find({ k2: state });
  const row = rows[0];
  if (row === undefined) {
    return {
      status: 400,
      body: { error: 'invalid_request', error_description: 'state: unknown or already used' },
    };
  }
  const destination = ctx.stores.destinations.get(row.doc.ConnectorDestinationId)?.doc;
  const complete = destination?.AuthConfig.oAuth?.oAuthCompleteRedirectUrl;
  const finish = (
    doc: AssociationDoc,
    error?: { code: string; description: string },
  ): CallbackOutcome => {
    const body = compact({
      AccountAssociationId: doc.AccountAssociationId,
      AssociationState: doc.AssociationState,
      error: error?.code,
      error_description: error?.description,
    });
    if (complete === undefined) return { status: error === undefined ? 200 : 400, body };
    const url = new URL(complete);
    if (error !== undefined) {
      url.searchParams.set('error', error.code);
      url.searchParams.set('error_description', error.description);
    }
    return { status: 302, redirectTo: url.toString(), body };
  };
  const fail = (code: string, description: string): CallbackOutcome => {
    const doc: AssociationDoc = {
      ...row.doc,
      oauthState: undefined,
      AssociationState: 'ASSOCIATION_FAILED',
      ErrorMessage: errorText(description),
    };
    saveAssociation(ctx, row, doc);
    publishAssociation(ctx, row, doc, description);
    return finish(doc, { code, description });
  };
  if (query.error !== undefined)
    return fail(query.error, query.error_description ?? 'authorization denied');
  const code = query.code;
  if (code === undefined || code === '' || destination?.AuthConfig.oAuth === undefined) {
    return fail('invalid_request', 'code is required');
  }
  const oauth = destination.AuthConfig.oAuth;
  let tokens: TokenSet;
  try {
    const { clientId, clientSecret } = readClientCredentials(ctx, destination);
    tokens = await requestToken({
      tokenUrl: oauth.tokenUrl,
      scheme: oauth.tokenEndpointAuthenticationScheme,
      clientId,
      clientSecret,
      params: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${ctx.config.baseUrl()}${OAUTH_CALLBACK_PATH}`,
      },
    });
  } catch (error) {
    return fail('token_exchange_failed', `token exchange failed ${describe(error)}`);
  }
  const withTokens: AssociationDoc = { ...row.doc, oauthState: undefined, tokens };
  saveAssociation(ctx, row, withTokens);
  const done = await activate(ctx, row, withTokens);
  return done.AssociationState === 'ASSOCIATION_SUCCEEDED'
    ? finish(done)
    : finish(done, {
        code: 'activation_failed',
        description: done.ErrorMessage ?? 'ActivateUser failed',
      });
}
