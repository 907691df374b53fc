import { randomBytes } from 'node:crypto';
import {
  type CreateAccountAssociationRequest,
  type DeleteAccountAssociationRequest,
  type GetAccountAssociationRequest,
  type ListAccountAssociationsRequest,
  ResourceNotFoundException,
  type StartAccountAssociationRefreshRequest,
  type UpdateAccountAssociationRequest,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  arn,
  type CallContext,
  compact,
  type HandlerMap,
  type MiContext,
  newId,
  notify,
  withClientToken,
} from '../context.js';
import type { ConnectorAuth } from '../invoke.js';
import { requestToken, TokenExchangeError } from '../oauth.js';
import type { AssociationDoc, DestinationDoc, TokenSet } from '../stores/index.js';
import type { Owner } from '../stores/table.js';
import { readClientCredentials } from './connectors.js';

export const OAUTH_CALLBACK_PATH = '/_local/oauth/callback';
const REFRESH_MARGIN_MS = 60_000;

export function associationNotFound(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Account association does not exist', {
    ResourceId: id,
    ResourceType: 'AccountAssociation',
  });
}

function associationKeys(doc: AssociationDoc) {
  return {
    k1: doc.ConnectorDestinationId,
    k2: doc.oauthState ?? null,
    k3: doc.userId === undefined ? null : `${doc.connectorId}|${doc.userId}`,
  };
}

/** The authorization URL: destination authUrl + code-grant parameters + our callback. */
function authorizationUrl(
  ctx: MiContext,
  destination: DestinationDoc,
  clientId: string,
  state: string,
): string {
  const oauth = destination.AuthConfig.oAuth;
  if (oauth === undefined) return '';
  const url = new URL(oauth.authUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', `${ctx.config.baseUrl()}${OAUTH_CALLBACK_PATH}`);
  url.searchParams.set('state', state);
  if (oauth.scope !== undefined && oauth.scope !== '') url.searchParams.set('scope', oauth.scope);
  return url.toString();
}

/** Error text for ErrorMessage (`^[A-Za-z0-9-_ ]+$`). */
function errorText(text: string): string {
  return (text.replace(/[^A-Za-z0-9\-_ ]+/g, ' ').trim() || 'association failed').slice(0, 4096);
}

export function saveAssociation(ctx: MiContext, owner: Owner, doc: AssociationDoc): void {
  ctx.stores.associations.put(owner, doc.AccountAssociationId, doc, associationKeys(doc));
  ctx.invalidate();
}

/**
 * The `header.auth` for invoking the connector on behalf of an association, refreshing the
 * access token first when it is about to expire. Returns undefined when no usable token exists
 * (the association is then marked REFRESH_TOKEN_EXPIRED).
 */
export async function associationAuth(
  ctx: MiContext,
  associationId: string,
): Promise<ConnectorAuth | undefined> {
  const row = ctx.stores.associations.get(associationId);
  if (row === undefined) return undefined;
  const doc = row.doc;
  const destination = ctx.stores.destinations.get(doc.ConnectorDestinationId)?.doc;
  if (destination === undefined) return undefined;
  const ga = destination.AuthConfig.GeneralAuthorization;
  if (destination.AuthConfig.oAuth === undefined && ga !== undefined) {
    const name = doc.GeneralAuthorization?.AuthMaterialName;
    const material = ga.find((m) => m.AuthMaterialName === name) ?? ga[0];
    if (material === undefined) return undefined;
    return {
      type: 'GeneralAuthorization',
      secretsManager: {
        arn: material.SecretsManager.arn,
        versionId: material.SecretsManager.versionId,
      },
    };
  }
  const tokens = doc.tokens;
  if (tokens === undefined) return undefined;
  if (tokens.expiresAt !== undefined && tokens.expiresAt - REFRESH_MARGIN_MS < Date.now()) {
    const refreshed = await refreshTokens(ctx, row, doc, destination);
    return refreshed === undefined ? undefined : { type: 'OAuth2.0', token: refreshed.accessToken };
  }
  return { type: 'OAuth2.0', token: tokens.accessToken };
}

async function refreshTokens(
  ctx: MiContext,
  owner: Owner,
  doc: AssociationDoc,
  destination: DestinationDoc,
): Promise<TokenSet | undefined> {
  const oauth = destination.AuthConfig.oAuth;
  const refreshToken = doc.tokens?.refreshToken;
  if (oauth === undefined || refreshToken === undefined) {
    saveAssociation(ctx, owner, { ...doc, AssociationState: 'REFRESH_TOKEN_EXPIRED' });
    return undefined;
  }
  try {
    const { clientId, clientSecret } = readClientCredentials(ctx, destination);
    const tokens = await requestToken({
      tokenUrl: oauth.tokenUrl,
      scheme: oauth.tokenEndpointAuthenticationScheme,
      clientId,
      clientSecret,
      params: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    const next = {
      ...doc,
      tokens: { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken },
    };
    saveAssociation(ctx, owner, next);
    return next.tokens;
  } catch (error) {
    ctx.log.warn(
      { associationId: doc.AccountAssociationId, err: describe(error) },
      'token refresh failed',
    );
    saveAssociation(ctx, owner, {
      ...doc,
      AssociationState: 'REFRESH_TOKEN_EXPIRED',
      ErrorMessage: 'Refresh token expired or revoked',
    });
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof TokenExchangeError
    ? `${error.status} ${error.oauthError}`
    : String((error as Error).message);
}

function publishAssociation(
  ctx: MiContext,
  owner: Owner,
  doc: AssociationDoc,
  details: string,
): void {
  notify(
    ctx,
    owner,
    'ACCOUNT_ASSOCIATION',
    compact({
      logLevel:
        doc.AssociationState === 'ASSOCIATION_FAILED' ||
        doc.AssociationState === 'REFRESH_TOKEN_EXPIRED'
          ? 'ERROR'
          : 'INFO',
      resourceType: 'account-association',
      resourceId: doc.AccountAssociationId,
      connectorDestinationId: doc.ConnectorDestinationId,
      associationArn: doc.Arn,
      state: doc.AssociationState,
      isServiceError: false,
      isCustomerError: doc.AssociationState === 'ASSOCIATION_FAILED',
      details,
    }),
    [doc.Arn],
  );
}

/**
 * Publishes a CONNECTOR_ERROR_REPORT for a failed invocation of `association`'s connector (its
 * destination, id and ARN identify the resource).
 */
export function publishConnectorError(
  ctx: MiContext,
  owner: Owner,
  association: Pick<AssociationDoc, 'ConnectorDestinationId' | 'AccountAssociationId' | 'Arn'>,
  info: {
    statusCode: number;
    message: string;
    operation: string;
    connectorDeviceId?: string;
    traceId?: string;
    managedThingId?: string;
  },
): void {
  notify(
    ctx,
    owner,
    'CONNECTOR_ERROR_REPORT',
    compact({
      statusCode: info.statusCode,
      resourceType: 'account-association',
      resourceId: [association.AccountAssociationId],
      associationArn: [association.Arn],
      connectorDestinationId: association.ConnectorDestinationId,
      connectorDeviceId: info.connectorDeviceId,
      operation: info.operation,
      operationVersion: info.operation === 'AWS.ActivateUser' ? '1.0.0' : '1.0',
      traceId: info.traceId,
      logLevel: 'ERROR',
      message: `${info.operation} operation failed during invocation of the connector: ${info.message}`,
      managedThingId: info.managedThingId,
    }),
    [association.Arn],
  );
}

/**
 * The connector reported that the vendor refused the association's access token (StatusCode 401
 * in its answer to `operation`). The service keeps the tokens, so it tries the refresh token
 * once; when the vendor refuses that too (or there is none) the link is broken:
 * `REFRESH_TOKEN_EXPIRED` with the reason in ErrorMessage, and an ACCOUNT_ASSOCIATION
 * notification. Our inference: no public source says what the service does (see
 * docs/emulator-fidelity.md).
 */
export async function vendorRefusedToken(
  ctx: MiContext,
  associationId: string,
  operation: string,
): Promise<void> {
  const row = ctx.stores.associations.get(associationId);
  if (row === undefined || row.doc.AssociationState !== 'ASSOCIATION_SUCCEEDED') return;
  const destination = ctx.stores.destinations.get(row.doc.ConnectorDestinationId)?.doc;
  // General Authorization has no token to refresh: the error report tells the customer.
  if (destination?.AuthConfig.oAuth === undefined) return;
  if ((await refreshTokens(ctx, row, row.doc, destination)) !== undefined) return;
  const current = ctx.stores.associations.get(associationId);
  if (current === undefined) return;
  const broken: AssociationDoc = {
    ...current.doc,
    AssociationState: 'REFRESH_TOKEN_EXPIRED',
    ErrorMessage: errorText(
      `The vendor refused the access token in ${operation} HTTP 401 and refused the refresh token too - link the account again`,
    ),
  };
  saveAssociation(ctx, current, broken);
  publishAssociation(ctx, current, broken, broken.ErrorMessage ?? 'tokens refused');
}

/** Invokes AWS.ActivateUser and records the returned userId; sets the association state. */
async function activate(
  ctx: MiContext,
  owner: Owner,
  doc: AssociationDoc,
): Promise<AssociationDoc> {
  const connector = ctx.stores.connectors.get(doc.connectorId)?.doc;
  const functionArn = connector?.EndpointConfig.lambda?.arn;
  const auth = await associationAuth(ctx, doc.AccountAssociationId);
  let next: AssociationDoc;
  if (functionArn === undefined || auth === undefined) {
    next = { ...doc, AssociationState: 'ASSOCIATION_FAILED', ErrorMessage: 'Connector not found' };
  } else {
    const outcome = await ctx.invoker.invoke({
      functionArn,
      connectorId: doc.connectorId,
      operationName: 'AWS.ActivateUser',
      auth,
    });
    const payload = outcome.ok
      ? (outcome.reply.payload as Record<string, unknown> | undefined)
      : undefined;
    const userId = payload?.userId;
    if (outcome.ok && typeof userId === 'string' && /^[a-zA-Z0-9_.,@-]{1,64}$/.test(userId)) {
      next = {
        ...doc,
        AssociationState: 'ASSOCIATION_SUCCEEDED',
        userId,
        ErrorMessage: undefined,
        activatedAt: Date.now(),
      };
    } else {
      const message = outcome.ok
        ? 'ActivateUser reply has no valid payload.userId'
        : outcome.message;
      next = { ...doc, AssociationState: 'ASSOCIATION_FAILED', ErrorMessage: errorText(message) };
      publishConnectorError(ctx, owner, doc, {
        statusCode: outcome.ok ? 502 : outcome.statusCode,
        message,
        operation: 'AWS.ActivateUser',
      });
    }
  }
  saveAssociation(ctx, owner, next);
  publishAssociation(ctx, owner, next, next.AssociationState);
  return next;
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

function associationView(doc: AssociationDoc, full: boolean): Record<string, unknown> {
  return compact({
    AccountAssociationId: doc.AccountAssociationId,
    AssociationState: doc.AssociationState,
    ErrorMessage: doc.ErrorMessage,
    ConnectorDestinationId: doc.ConnectorDestinationId,
    Name: doc.Name,
    Description: doc.Description,
    Arn: doc.Arn,
    ...(full
      ? {
          OAuthAuthorizationUrl: doc.OAuthAuthorizationUrl,
          Tags: doc.Tags,
          GeneralAuthorization: doc.GeneralAuthorization,
        }
      : {}),
  });
}

export function associationHandlers(ctx: MiContext): HandlerMap {
  const { associations, destinations } = ctx.stores;
  return {
    CreateAccountAssociation: (input: CreateAccountAssociationRequest, call: CallContext) =>
      withClientToken(
        ctx,
        call,
        'CreateAccountAssociation',
        input,
        () => {
          // Any account's destination (customers link to a developer's), of the caller's region.
          const row = destinations.get(input.ConnectorDestinationId);
          const destination = row?.region === call.region ? row.doc : undefined;
          if (destination === undefined) {
            throw new ResourceNotFoundException('Connector destination does not exist', {
              ResourceId: input.ConnectorDestinationId,
              ResourceType: 'ConnectorDestination',
            });
          }
          const id = newId();
          const state = randomBytes(18).toString('base64url');
          let url = '';
          if (destination.AuthConfig.oAuth !== undefined) {
            url = authorizationUrl(
              ctx,
              destination,
              readClientCredentials(ctx, destination).clientId,
              state,
            );
          } else if (destination.AuthConfig.GeneralAuthorization === undefined) {
            throw new ValidationException(
              'ConnectorDestinationId: the destination has no AuthConfig',
            );
          }
          const doc: AssociationDoc = {
            AccountAssociationId: id,
            Arn: arn(call, `account-association/${id}`),
            ConnectorDestinationId: input.ConnectorDestinationId,
            Name: input.Name,
            Description: input.Description,
            Tags: input.Tags,
            GeneralAuthorization: input.GeneralAuthorization,
            AssociationState: 'ASSOCIATION_IN_PROGRESS',
            OAuthAuthorizationUrl: url,
            connectorId: destination.CloudConnectorId,
            oauthState: url === '' ? undefined : state,
          };
          saveAssociation(ctx, call, doc);
          return {
            OAuthAuthorizationUrl: url,
            AccountAssociationId: id,
            AssociationState: doc.AssociationState,
            Arn: doc.Arn,
          };
        },
        // General Authorization has no browser step: activate right away, in the background,
        // once (a replayed ClientToken does not activate again).
        (created) => {
          const row = associations.get(created.AccountAssociationId);
          if (row !== undefined && created.OAuthAuthorizationUrl === '') {
            ctx.background(async () => {
              await activate(ctx, row, row.doc);
            });
          }
        },
      ),

    GetAccountAssociation: (input: GetAccountAssociationRequest, call: CallContext) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      return associationView(doc, true);
    },

    ListAccountAssociations: (input: ListAccountAssociationsRequest, call: CallContext) => {
      const page = associations.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k1: input.ConnectorDestinationId },
      );
      return compact({
        Items: page.items.map((d) => associationView(d, false)),
        NextToken: page.nextToken,
      });
    },

    UpdateAccountAssociation: (input: UpdateAccountAssociationRequest, call: CallContext) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      saveAssociation(ctx, call, {
        ...doc,
        ...(input.Name !== undefined ? { Name: input.Name } : {}),
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
      });
      return undefined;
    },

    StartAccountAssociationRefresh: (
      input: StartAccountAssociationRefreshRequest,
      call: CallContext,
    ) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      const destination = destinations.get(doc.ConnectorDestinationId)?.doc;
      if (destination?.AuthConfig.oAuth === undefined) return { OAuthAuthorizationUrl: '' };
      const state = randomBytes(18).toString('base64url');
      const url = authorizationUrl(
        ctx,
        destination,
        readClientCredentials(ctx, destination).clientId,
        state,
      );
      saveAssociation(ctx, call, { ...doc, oauthState: state, OAuthAuthorizationUrl: url });
      return { OAuthAuthorizationUrl: url };
    },

    DeleteAccountAssociation: async (input: DeleteAccountAssociationRequest, call: CallContext) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      // The model: DeregisterAccountAssociation first, for every thing registered to it. Of the
      // errors DeleteAccountAssociation lists, only ValidationException fits (no ConflictException).
      const registered = ctx.stores.things.find({ k2: doc.AccountAssociationId }).length;
      if (registered > 0) {
        throw new ValidationException(
          `AccountAssociationId: ${registered} managed thing${registered === 1 ? ' is' : 's are'} still registered to the account association; call DeregisterAccountAssociation for each first`,
        );
      }
      saveAssociation(ctx, call, { ...doc, AssociationState: 'ASSOCIATION_DELETING' });
      const functionArn = ctx.stores.connectors.get(doc.connectorId)?.doc.EndpointConfig.lambda
        ?.arn;
      const auth =
        doc.userId === undefined ? undefined : await associationAuth(ctx, doc.AccountAssociationId);
      if (functionArn !== undefined && auth !== undefined) {
        const outcome = await ctx.invoker.invoke({
          functionArn,
          connectorId: doc.connectorId,
          operationName: 'AWS.DeactivateUser',
          auth,
        });
        if (!outcome.ok) {
          publishConnectorError(ctx, call, doc, {
            statusCode: outcome.statusCode,
            message: outcome.message,
            operation: 'AWS.DeactivateUser',
          });
        }
      }
      associations.delete(doc.AccountAssociationId);
      ctx.invalidate();
      publishAssociation(
        ctx,
        call,
        { ...doc, AssociationState: 'ASSOCIATION_DELETING' },
        'deleted',
      );
      return undefined;
    },
  };
}
