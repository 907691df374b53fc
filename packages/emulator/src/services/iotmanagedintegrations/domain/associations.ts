import { ResourceNotFoundException } from '@c2c-kit/protocol';
import { compact, connectorFunctionArn, type MiContext, notify } from '../context.js';
import type { AssociationDoc, DestinationDoc, TokenSet } from '../stores/docs.js';
import type { Owner } from '../stores/table.js';
import { type ConnectorAuth, type ConnectorOperationName, onBehalfOf } from './invoke.js';
import { readClientCredentials, requestToken, TokenExchangeError } from './oauth.js';

/**
 * What the service does to an account association whichever operation or event triggers it:
 * store it, publish its state, hold and refresh its tokens, activate it (AWS.ActivateUser), and
 * report its connector's failures.
 */

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

/** Error text for ErrorMessage (`^[A-Za-z0-9-_ ]+$`). */
export function errorText(text: string): string {
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

export function describe(error: unknown): string {
  return error instanceof TokenExchangeError
    ? `${error.status} ${error.oauthError}`
    : String((error as Error).message);
}

export function publishAssociation(
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

/**
 * Invokes a connector's Lambda on behalf of an account association. Without a Lambda on the
 * connector or usable authorization on the association nothing is invoked, and the outcome is the
 * 401 failure the service reports for it.
 */
export async function invokeConnector(
  ctx: MiContext,
  connectorId: string,
  association: AssociationDoc,
  operationName: ConnectorOperationName,
  payload: Readonly<Record<string, unknown>>,
): Promise<{ ok: true } | { ok: false; statusCode: number; message: string }> {
  const functionArn = connectorFunctionArn(ctx, connectorId);
  // Resolved even when there is no Lambda to invoke, since resolving may refresh the tokens.
  const auth = await associationAuth(ctx, association.AccountAssociationId);
  if (functionArn === undefined || auth === undefined) {
    return {
      ok: false,
      statusCode: 401,
      message: 'no usable authorization for the account association',
    };
  }
  return ctx.invoker.invoke({
    functionArn,
    connectorId,
    operationName,
    auth,
    payload,
    ...onBehalfOf(association),
  });
}

/** Invokes AWS.ActivateUser and records the returned userId; sets the association state. */
export async function activate(
  ctx: MiContext,
  owner: Owner,
  doc: AssociationDoc,
): Promise<AssociationDoc> {
  const functionArn = connectorFunctionArn(ctx, doc.connectorId);
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
      ...onBehalfOf(doc),
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

/**
 * Deletes an association (DeleteAccountAssociation): ASSOCIATION_DELETING while the connector is
 * told (AWS.DeactivateUser, when a user was activated and the link still authorizes a call; a
 * failure is reported, never fatal), then gone, with an ACCOUNT_ASSOCIATION notification.
 */
export async function deleteAssociation(
  ctx: MiContext,
  owner: Owner,
  doc: AssociationDoc,
): Promise<void> {
  saveAssociation(ctx, owner, { ...doc, AssociationState: 'ASSOCIATION_DELETING' });
  const functionArn = connectorFunctionArn(ctx, doc.connectorId);
  const auth =
    doc.userId === undefined ? undefined : await associationAuth(ctx, doc.AccountAssociationId);
  if (functionArn !== undefined && auth !== undefined) {
    const outcome = await ctx.invoker.invoke({
      functionArn,
      connectorId: doc.connectorId,
      operationName: 'AWS.DeactivateUser',
      auth,
      ...onBehalfOf(doc),
    });
    if (!outcome.ok) {
      publishConnectorError(ctx, owner, doc, {
        statusCode: outcome.statusCode,
        message: outcome.message,
        operation: 'AWS.DeactivateUser',
      });
    }
  }
  ctx.stores.associations.delete(doc.AccountAssociationId);
  ctx.invalidate();
  publishAssociation(ctx, owner, { ...doc, AssociationState: 'ASSOCIATION_DELETING' }, 'deleted');
}
