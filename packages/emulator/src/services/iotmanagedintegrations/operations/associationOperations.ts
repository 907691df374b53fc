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
  connectorFunctionArn,
  type HandlerMap,
  type MiContext,
  newId,
  withClientToken,
} from '../context.js';
import { onBehalfOf } from '../invoke.js';
import type { AssociationDoc } from '../stores/index.js';
import {
  activate,
  associationAuth,
  associationNotFound,
  publishAssociation,
  publishConnectorError,
  saveAssociation,
} from './associations.js';
import { readClientCredentials } from './connectors.js';
import { authorizationUrl } from './oauthLink.js';

/** The account association operations: Create, Get, List, Update, StartRefresh, Delete. */

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
