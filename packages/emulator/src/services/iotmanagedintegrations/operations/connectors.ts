import {
  type AuthConfig,
  type AuthConfigUpdate,
  ConflictException,
  type ConnectorItem,
  ResourceNotFoundException,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  compact,
  defineHandlers,
  type HandlerMap,
  type MiContext,
  newId,
  unqualifiedLambdaArn,
  withClientToken,
} from '../context.js';
import { connectorNotFound } from '../domain/connectors.js';
import { readClientCredentials } from '../domain/oauth.js';
import type { ConnectorDoc, DestinationDoc } from '../stores/docs.js';

/** `AuthConfig.GeneralAuthorization` holds at most 3 materials in the model. */
const MAX_AUTH_MATERIALS = 3;

function destinationNotFound(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Connector destination does not exist', {
    ResourceId: id,
    ResourceType: 'ConnectorDestination',
  });
}

/**
 * A connector invokes a Lambda function of its own region: a LambdaArn naming another region is
 * refused at creation (the emulator's Lambda host serves each region's functions apart).
 */
function sameRegionLambda(lambdaArn: string, region: string): void {
  const arnRegion = /^arn:aws:lambda:([0-9a-zA-Z-]+):/.exec(lambdaArn)?.[1];
  if (arnRegion !== undefined && arnRegion !== region) {
    throw new ValidationException(
      `EndpointConfig.lambda.arn: the function is in ${arnRegion}; a cloud connector in ${region} invokes a Lambda function of its own region`,
    );
  }
}

function connectorItem(doc: ConnectorDoc): ConnectorItem {
  return {
    Name: doc.Name,
    EndpointConfig: doc.EndpointConfig,
    Description: doc.Description,
    EndpointType: doc.EndpointType,
    Id: doc.Id,
    Type: doc.Type,
  };
}

/**
 * AuthConfig after an UpdateConnectorDestination: `oAuthUpdate` applies to an OAuth destination,
 * `GeneralAuthorizationUpdate` adds materials under new names and replaces materials under
 * existing names of a General Authorization destination (at most 3 in all). An update the
 * destination's kind cannot take is refused rather than ignored. The model has no way to remove
 * a material.
 */
function updatedAuthConfig(current: AuthConfig, update: AuthConfigUpdate | undefined): AuthConfig {
  if (update === undefined) return current;
  let next: AuthConfig = current;
  if (update.oAuthUpdate !== undefined) {
    if (current.oAuth === undefined) {
      throw new ValidationException(
        'AuthConfig.oAuthUpdate: the destination uses General Authorization, not OAuth',
      );
    }
    next = { ...next, oAuth: { ...current.oAuth, ...compact({ ...update.oAuthUpdate }) } };
  }
  const ga = update.GeneralAuthorizationUpdate;
  if (ga !== undefined) {
    if (current.GeneralAuthorization === undefined) {
      throw new ValidationException(
        'AuthConfig.GeneralAuthorizationUpdate: the destination uses OAuth, not General Authorization',
      );
    }
    const materials = new Map(current.GeneralAuthorization.map((m) => [m.AuthMaterialName, m]));
    for (const [i, m] of (ga.AuthMaterialsToAdd ?? []).entries()) {
      if (materials.has(m.AuthMaterialName)) {
        throw new ValidationException(
          `AuthConfig.GeneralAuthorizationUpdate.AuthMaterialsToAdd[${i}].AuthMaterialName: "${m.AuthMaterialName}" already exists (update it with AuthMaterialsToUpdate)`,
        );
      }
      materials.set(m.AuthMaterialName, m);
    }
    for (const [i, m] of (ga.AuthMaterialsToUpdate ?? []).entries()) {
      if (!materials.has(m.AuthMaterialName)) {
        throw new ValidationException(
          `AuthConfig.GeneralAuthorizationUpdate.AuthMaterialsToUpdate[${i}].AuthMaterialName: no material "${m.AuthMaterialName}" to update (add it with AuthMaterialsToAdd)`,
        );
      }
      materials.set(m.AuthMaterialName, m);
    }
    if (materials.size > MAX_AUTH_MATERIALS) {
      throw new ValidationException(
        `AuthConfig.GeneralAuthorizationUpdate: a destination holds at most ${MAX_AUTH_MATERIALS} authorization materials; this update would leave ${materials.size}`,
      );
    }
    next = { ...next, GeneralAuthorization: [...materials.values()] };
  }
  return next;
}

export function connectorHandlers(ctx: MiContext): HandlerMap {
  const { connectors, destinations } = ctx.stores;
  return defineHandlers({
    CreateCloudConnector: (input, call) =>
      withClientToken(ctx, call, 'CreateCloudConnector', input, () => {
        if (connectors.find({ owner: call, k2: input.Name }).length > 0) {
          throw new ConflictException('Connector Resource already exists');
        }
        const id = newId();
        const doc: ConnectorDoc = {
          Id: id,
          Name: input.Name,
          EndpointConfig: input.EndpointConfig,
          Description: input.Description,
          EndpointType: input.EndpointType ?? 'LAMBDA',
          Type: 'UNLISTED',
        };
        const lambdaArn = input.EndpointConfig.lambda?.arn;
        if (lambdaArn !== undefined) sameRegionLambda(lambdaArn, call.region);
        connectors.put(call, id, doc, {
          k1: lambdaArn ? unqualifiedLambdaArn(lambdaArn, call.region, call.account) : null,
          k2: input.Name,
        });
        ctx.invalidate();
        return { Id: id };
      }),

    GetCloudConnector: (input, call) => {
      const doc = connectors.getOwned(call, input.Identifier);
      if (doc === undefined) throw connectorNotFound(input.Identifier);
      return connectorItem(doc);
    },

    ListCloudConnectors: (input, call) => {
      const page = connectors.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        {
          k1:
            input.LambdaArn === undefined
              ? undefined
              : unqualifiedLambdaArn(input.LambdaArn, call.region, call.account),
        },
        (doc) => input.Type === undefined || doc.Type === input.Type,
      );
      return { Items: page.items.map(connectorItem), NextToken: page.nextToken };
    },

    UpdateCloudConnector: (input, call) => {
      const owned = connectors.getOwned(call, input.Identifier);
      if (owned === undefined) throw connectorNotFound(input.Identifier);
      const doc = { ...owned };
      if (input.Name !== undefined) doc.Name = input.Name;
      if (input.Description !== undefined) doc.Description = input.Description;
      const lambdaArn = doc.EndpointConfig.lambda?.arn;
      connectors.put(call, doc.Id, doc, {
        k1: lambdaArn ? unqualifiedLambdaArn(lambdaArn, call.region, call.account) : null,
        k2: doc.Name,
      });
      ctx.invalidate();
      return undefined;
    },

    DeleteCloudConnector: (input, call) => {
      if (connectors.getOwned(call, input.Identifier) === undefined) {
        throw connectorNotFound(input.Identifier);
      }
      connectors.delete(input.Identifier);
      ctx.invalidate();
      return undefined;
    },

    CreateConnectorDestination: (input, call) =>
      withClientToken(ctx, call, 'CreateConnectorDestination', input, () => {
        // A destination belongs to a connector of its own region (any account: the connector's
        // customers link to it); another region's connector does not exist from here.
        if (connectors.get(input.CloudConnectorId)?.region !== call.region) {
          throw connectorNotFound(input.CloudConnectorId);
        }
        const auth = input.AuthConfig;
        if (auth.oAuth === undefined && auth.GeneralAuthorization === undefined) {
          throw new ValidationException(
            'AuthConfig: expected oAuth or GeneralAuthorization, got neither',
          );
        }
        if (auth.oAuth !== undefined && input.SecretsManager === undefined) {
          throw new ValidationException(
            'SecretsManager: required with AuthConfig.oAuth (the secret holds the OAuth client id and secret)',
          );
        }
        const id = newId();
        const doc: DestinationDoc = {
          Id: id,
          Name: input.Name,
          Description: input.Description,
          CloudConnectorId: input.CloudConnectorId,
          AuthType: input.AuthType ?? (auth.oAuth !== undefined ? 'OAUTH' : undefined),
          AuthConfig: auth,
          SecretsManager: input.SecretsManager,
        };
        // The service reads the client secret at creation (the caller needs GetSecretValue), so a
        // wrong reference fails here rather than at the first account association.
        if (auth.oAuth !== undefined) readClientCredentials(ctx, doc);
        destinations.put(call, id, doc, { k1: input.CloudConnectorId });
        return { Id: id };
      }),

    GetConnectorDestination: (input, call) => {
      const doc = destinations.getOwned(call, input.Identifier);
      if (doc === undefined) throw destinationNotFound(input.Identifier);
      return {
        Name: doc.Name,
        Description: doc.Description,
        CloudConnectorId: doc.CloudConnectorId,
        Id: doc.Id,
        AuthType: doc.AuthType,
        AuthConfig: doc.AuthConfig,
        SecretsManager: doc.SecretsManager,
        OAuthCompleteRedirectUrl: doc.AuthConfig.oAuth?.oAuthCompleteRedirectUrl,
      };
    },

    ListConnectorDestinations: (input, call) => {
      const page = destinations.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k1: input.CloudConnectorId },
      );
      return {
        ConnectorDestinationList: page.items.map((d) => ({
          Name: d.Name,
          Description: d.Description,
          CloudConnectorId: d.CloudConnectorId,
          Id: d.Id,
        })),
        NextToken: page.nextToken,
      };
    },

    UpdateConnectorDestination: (input, call) => {
      const doc = destinations.getOwned(call, input.Identifier);
      if (doc === undefined) throw destinationNotFound(input.Identifier);
      const next: DestinationDoc = {
        ...doc,
        ...(compact({
          Name: input.Name,
          Description: input.Description,
          AuthType: input.AuthType,
          SecretsManager: input.SecretsManager,
        }) as Partial<DestinationDoc>),
        AuthConfig: updatedAuthConfig(doc.AuthConfig, input.AuthConfig),
      };
      if (next.AuthType === 'OAUTH' && next.AuthConfig.oAuth === undefined) {
        throw new ValidationException(
          'AuthType: OAUTH needs an oAuth configuration, and this destination has none',
        );
      }
      // A new client secret reference is read now, as at creation, so a wrong one fails here.
      if (next.AuthConfig.oAuth !== undefined && input.SecretsManager !== undefined) {
        readClientCredentials(ctx, next);
      }
      destinations.put(call, doc.Id, next, { k1: doc.CloudConnectorId });
      return undefined;
    },

    DeleteConnectorDestination: (input, call) => {
      if (destinations.getOwned(call, input.Identifier) === undefined) {
        throw destinationNotFound(input.Identifier);
      }
      destinations.delete(input.Identifier);
      return undefined;
    },
  });
}
