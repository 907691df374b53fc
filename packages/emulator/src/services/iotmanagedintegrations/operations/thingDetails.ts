import { ResourceNotFoundException } from '@c2c-kit/protocol';
import {
  compact,
  defineHandlers,
  epochSeconds,
  type HandlerMap,
  type MiContext,
} from '../context.js';
import { liveAssociation } from '../domain/routing.js';
import { thingKeys, thingNotFound } from '../domain/things.js';
import type { ThingDoc } from '../stores/docs.js';

/** Association states in which the vendor cloud refuses the link's tokens. */
const AUTH_FAILED = new Set(['ASSOCIATION_FAILED', 'REFRESH_TOKEN_EXPIRED']);

/**
 * A cloud device's connectivity as the emulator sees it: connected while the thing is ACTIVATED
 * through a live account association whose authorization succeeded.
 */
function connectivityOf(
  ctx: MiContext,
  thing: ThingDoc,
): {
  connected: boolean;
  reason: 'NONE' | 'AUTH_ERROR' | 'CLIENT_INITIATED_DISCONNECT' | 'UNKNOWN';
} {
  const association = liveAssociation(ctx, thing.accountAssociationId)?.doc;
  if (thing.ProvisioningStatus !== 'ACTIVATED' || association === undefined) {
    return { connected: false, reason: 'CLIENT_INITIATED_DISCONNECT' };
  }
  if (association.AssociationState === 'ASSOCIATION_SUCCEEDED') {
    return { connected: true, reason: 'NONE' };
  }
  return {
    connected: false,
    reason: AUTH_FAILED.has(association.AssociationState) ? 'AUTH_ERROR' : 'UNKNOWN',
  };
}

/** UpdateManagedThing, GetManagedThingMetaData, GetManagedThingConnectivityData. */
export function thingDetailHandlers(ctx: MiContext): HandlerMap {
  const { things } = ctx.stores;
  return defineHandlers({
    UpdateManagedThing: (input, call) => {
      const thing = things.getOwned(call, input.Identifier);
      if (thing === undefined) throw thingNotFound(input.Identifier);
      // The emulator has no credential lockers (CreateCredentialLocker answers 501), so no id
      // can name one.
      if (input.CredentialLockerId !== undefined) {
        throw new ResourceNotFoundException('Credential locker does not exist', {
          ResourceId: input.CredentialLockerId,
          ResourceType: 'CredentialLocker',
        });
      }
      const next: ThingDoc = {
        ...thing,
        ...(compact({
          Owner: input.Owner,
          SerialNumber: input.SerialNumber,
          WiFiSimpleSetupConfiguration: input.WiFiSimpleSetupConfiguration,
          Brand: input.Brand,
          Model: input.Model,
          Name: input.Name,
          CustomerCapabilityReport: input.CapabilityReport,
          CapabilitySchemas: input.CapabilitySchemas,
          Capabilities: input.Capabilities,
          Classification: input.Classification,
          HubNetworkMode: input.HubNetworkMode,
          // A PUT: the map given replaces the thing's metadata.
          MetaData: input.MetaData,
        }) as Partial<ThingDoc>),
        UpdatedAt: Date.now(),
      };
      things.put(call, thing.Id, next, thingKeys(next));
      return undefined;
    },

    GetManagedThingMetaData: (input, call) => {
      const thing = things.getOwned(call, input.Identifier);
      if (thing === undefined) throw thingNotFound(input.Identifier);
      return {
        ManagedThingId: thing.Id,
        // MetaData has 1–50 entries in the model: an empty map is left out.
        MetaData:
          thing.MetaData !== undefined && Object.keys(thing.MetaData).length > 0
            ? thing.MetaData
            : undefined,
      };
    },

    GetManagedThingConnectivityData: (input, call) => {
      const thing = things.getOwned(call, input.Identifier);
      if (thing === undefined) throw thingNotFound(input.Identifier);
      const { connected, reason } = connectivityOf(ctx, thing);
      return {
        ManagedThingId: thing.Id,
        Connected: connected,
        // The status is evaluated at the call, so it was "last taken" now.
        Timestamp: epochSeconds(Date.now()),
        DisconnectReason: reason,
      };
    },
  });
}
