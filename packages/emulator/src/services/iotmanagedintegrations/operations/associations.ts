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
  withClientToken,
} from '../context.js';
import {
  activate,
  associationNotFound,
  deleteAssociation,
  saveAssociation,
} from '../domain/associations.js';
import { startAuthorization } from '../domain/linking.js';
import type { AssociationDoc } from '../stores/index.js';

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
          let link: { state: string; url: string } | undefined;
          if (destination.AuthConfig.oAuth !== undefined) {
            link = startAuthorization(ctx, destination);
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
            OAuthAuthorizationUrl: link?.url ?? '',
            connectorId: destination.CloudConnectorId,
            oauthState: link?.state,
          };
          saveAssociation(ctx, call, doc);
          return {
            OAuthAuthorizationUrl: doc.OAuthAuthorizationUrl,
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
      const { state, url } = startAuthorization(ctx, destination);
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
      await deleteAssociation(ctx, call, doc);
      return undefined;
    },
  };
}
