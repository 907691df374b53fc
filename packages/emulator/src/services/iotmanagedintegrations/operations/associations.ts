import {
  type AccountAssociationItem,
  ResourceNotFoundException,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  arn,
  defineHandlers,
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
import type { AssociationDoc } from '../stores/docs.js';

/** The account association operations: Create, Get, List, Update, StartRefresh, Delete. */

function associationItem(doc: AssociationDoc): AccountAssociationItem {
  return {
    AccountAssociationId: doc.AccountAssociationId,
    AssociationState: doc.AssociationState,
    ErrorMessage: doc.ErrorMessage,
    ConnectorDestinationId: doc.ConnectorDestinationId,
    Name: doc.Name,
    Description: doc.Description,
    Arn: doc.Arn,
  };
}

export function associationHandlers(ctx: MiContext): HandlerMap {
  const { associations, destinations } = ctx.stores;
  return defineHandlers({
    CreateAccountAssociation: (input, call) =>
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

    GetAccountAssociation: (input, call) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      return {
        ...associationItem(doc),
        OAuthAuthorizationUrl: doc.OAuthAuthorizationUrl,
        Tags: doc.Tags,
        GeneralAuthorization: doc.GeneralAuthorization,
      };
    },

    ListAccountAssociations: (input, call) => {
      const page = associations.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k1: input.ConnectorDestinationId },
      );
      return { Items: page.items.map(associationItem), NextToken: page.nextToken };
    },

    UpdateAccountAssociation: (input, call) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      saveAssociation(ctx, call, {
        ...doc,
        ...(input.Name !== undefined ? { Name: input.Name } : {}),
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
      });
      return undefined;
    },

    StartAccountAssociationRefresh: (input, call) => {
      const doc = associations.getOwned(call, input.AccountAssociationId);
      if (doc === undefined) throw associationNotFound(input.AccountAssociationId);
      const destination = destinations.get(doc.ConnectorDestinationId)?.doc;
      if (destination?.AuthConfig.oAuth === undefined) return { OAuthAuthorizationUrl: '' };
      const { state, url } = startAuthorization(ctx, destination);
      saveAssociation(ctx, call, { ...doc, oauthState: state, OAuthAuthorizationUrl: url });
      return { OAuthAuthorizationUrl: url };
    },

    DeleteAccountAssociation: async (input, call) => {
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
  });
}
