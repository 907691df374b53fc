import {
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
} from '@c2c-kit/protocol';
import { defineHandlers, type HandlerMap, type MiContext, notify } from '../context.js';
import { associationNotFound } from '../domain/associations.js';
import { discoveryNotFound } from '../domain/discovery.js';
import { liveAssociation } from '../domain/routing.js';
import { thingKeys, thingNotFound } from '../domain/things.js';
import type { AssociationDoc, ThingDoc } from '../stores/docs.js';

/** A thing registered to an account association (RegisterAccountAssociation): events route to it. */
function registeredTo(thing: ThingDoc, association: AssociationDoc, now: number): ThingDoc {
  return {
    ...thing,
    accountAssociationId: association.AccountAssociationId,
    ConnectorDestinationId: association.ConnectorDestinationId,
    connectorId: association.connectorId,
    userId: association.userId,
    ProvisioningStatus: 'ACTIVATED',
    ActivatedAt: thing.ActivatedAt ?? now,
    UpdatedAt: now,
  };
}

/**
 * RegisterAccountAssociation, DeregisterAccountAssociation and
 * ListManagedThingAccountAssociations: which link a customer's managed thing hears its device through.
 */
export function registrationHandlers(ctx: MiContext): HandlerMap {
  const { discoveries, discovered, things, associations } = ctx.stores;
  return defineHandlers({
    RegisterAccountAssociation: (input, call) => {
      const thing = things.getOwned(call, input.ManagedThingId);
      if (thing === undefined) throw thingNotFound(input.ManagedThingId);
      const association = associations.getOwned(call, input.AccountAssociationId);
      if (association === undefined) throw associationNotFound(input.AccountAssociationId);
      const discovery = discoveries.getOwned(call, input.DeviceDiscoveryId);
      if (discovery === undefined) throw discoveryNotFound(input.DeviceDiscoveryId);
      const output = {
        AccountAssociationId: association.AccountAssociationId,
        DeviceDiscoveryId: discovery.Id,
        ManagedThingId: thing.Id,
      };
      if (thing.connectorId !== undefined && thing.connectorId !== association.connectorId) {
        throw new ValidationException(
          'AccountAssociationId: the account association belongs to a different connector than the managed thing',
        );
      }
      if (discovery.AccountAssociationId !== association.AccountAssociationId) {
        throw new ValidationException(
          'DeviceDiscoveryId: the device discovery ran through another account association',
        );
      }
      if (
        thing.ConnectorDeviceId === undefined ||
        discovered.get(`${discovery.Id}/${thing.ConnectorDeviceId}`) === undefined
      ) {
        throw new ValidationException(
          "DeviceDiscoveryId: the device discovery did not report the managed thing's device",
        );
      }
      if (thing.accountAssociationId === association.AccountAssociationId) return output;
      if (liveAssociation(ctx, thing.accountAssociationId) !== undefined) {
        throw new ConflictException(
          `ManagedThingId: the managed thing is registered to account association ${thing.accountAssociationId}; call DeregisterAccountAssociation first`,
        );
      }
      if (
        association.userId === undefined ||
        association.AssociationState === 'ASSOCIATION_DELETING'
      ) {
        throw new ConflictException(
          `AccountAssociationId: the account association is ${association.AssociationState}; register things to an association whose user is linked`,
        );
      }
      const next = registeredTo(thing, association, Date.now());
      things.put(call, thing.Id, next, thingKeys(next));
      ctx.invalidate();
      notify(
        ctx,
        call,
        'DEVICE_LIFE_CYCLE',
        { managedThingId: thing.Id, status: next.ProvisioningStatus },
        [thing.Arn],
      );
      return output;
    },

    DeregisterAccountAssociation: (input, call) => {
      const thing = things.getOwned(call, input.ManagedThingId);
      if (thing === undefined) throw thingNotFound(input.ManagedThingId);
      if (associations.getOwned(call, input.AccountAssociationId) === undefined) {
        throw associationNotFound(input.AccountAssociationId);
      }
      if (thing.accountAssociationId !== input.AccountAssociationId) {
        throw new ResourceNotFoundException(
          'ManagedThingId: the managed thing is not registered to that account association',
          { ResourceId: input.ManagedThingId, ResourceType: 'ManagedThingAssociation' },
        );
      }
      // Detached: the device's events stop reaching the customer, commands have no link to go
      // through, and the association may be deleted once no thing is registered to it.
      const next: ThingDoc = {
        ...thing,
        accountAssociationId: undefined,
        userId: undefined,
        ProvisioningStatus: 'UNASSOCIATED',
        UpdatedAt: Date.now(),
      };
      things.put(call, thing.Id, next, thingKeys(next));
      ctx.invalidate();
      notify(
        ctx,
        call,
        'DEVICE_LIFE_CYCLE',
        { managedThingId: thing.Id, status: next.ProvisioningStatus },
        [thing.Arn],
      );
      return undefined;
    },

    ListManagedThingAccountAssociations: (input, call) => {
      const page = things.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k2: input.AccountAssociationId },
        (t) =>
          t.accountAssociationId !== undefined &&
          (input.ManagedThingId === undefined || t.Id === input.ManagedThingId),
      );
      return {
        Items: page.items.map((t) => ({
          ManagedThingId: t.Id,
          AccountAssociationId: t.accountAssociationId,
          ManagedThingAssociationStatus: 'ASSOCIATED',
        })),
        NextToken: page.nextToken,
      };
    },
  });
}
