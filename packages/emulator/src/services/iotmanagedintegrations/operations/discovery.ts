import { type GetDeviceDiscoveryResponse, ValidationException } from '@c2c-kit/protocol';
import {
  arn,
  defineHandlers,
  epochSeconds,
  type HandlerMap,
  type MiContext,
  newId,
  withClientToken,
} from '../context.js';
import { associationNotFound } from '../domain/associations.js';
import { discoveryNotFound, runDiscovery } from '../domain/discovery.js';
import type { AssociationDoc, DiscoveryDoc } from '../stores/docs.js';

function discoveryView(doc: DiscoveryDoc): GetDeviceDiscoveryResponse {
  return {
    Id: doc.Id,
    Arn: doc.Arn,
    DiscoveryType: doc.DiscoveryType,
    Status: doc.Status,
    StartedAt: epochSeconds(doc.StartedAt),
    AccountAssociationId: doc.AccountAssociationId,
    FinishedAt: epochSeconds(doc.FinishedAt),
    Tags: doc.Tags,
  };
}

/** StartDeviceDiscovery (CLOUD), GetDeviceDiscovery, ListDeviceDiscoveries, ListDiscoveredDevices. */
export function discoveryHandlers(ctx: MiContext): HandlerMap {
  const { discoveries, discovered, associations, things } = ctx.stores;
  return defineHandlers({
    StartDeviceDiscovery: (input, call) => {
      // The association of a discovery this call starts (not of a replayed one).
      let started: AssociationDoc | undefined;
      return withClientToken(
        ctx,
        call,
        'StartDeviceDiscovery',
        input,
        () => {
          if (input.DiscoveryType !== 'CLOUD') {
            throw new ValidationException(
              `DiscoveryType: this emulator runs CLOUD discoveries only, got "${input.DiscoveryType}"`,
            );
          }
          if (input.AccountAssociationId === undefined) {
            throw new ValidationException('AccountAssociationId: required for DiscoveryType CLOUD');
          }
          const association = associations.getOwned(call, input.AccountAssociationId);
          if (association === undefined) throw associationNotFound(input.AccountAssociationId);
          started = association;
          const id = newId();
          const doc: DiscoveryDoc = {
            Id: id,
            Arn: arn(call, `device-discovery/${id}`),
            DiscoveryType: 'CLOUD',
            Status: 'RUNNING',
            StartedAt: Date.now(),
            AccountAssociationId: input.AccountAssociationId,
            Tags: input.Tags,
            connectorId: association.connectorId,
          };
          discoveries.put(call, id, doc, { k1: input.AccountAssociationId });
          return { Id: id, StartedAt: epochSeconds(doc.StartedAt) };
        },
        // The connector is asked once: a replayed ClientToken starts nothing.
        ({ Id: id }) => {
          const association = started;
          if (association === undefined) return;
          runDiscovery(ctx, call, association, id);
        },
      );
    },

    GetDeviceDiscovery: (input, call) => {
      const doc = discoveries.getOwned(call, input.Identifier);
      if (doc === undefined) throw discoveryNotFound(input.Identifier);
      return discoveryView(doc);
    },

    ListDeviceDiscoveries: (input, call) => {
      const page = discoveries.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        {},
        (d) =>
          (input.TypeFilter === undefined || d.DiscoveryType === input.TypeFilter) &&
          (input.StatusFilter === undefined || d.Status === input.StatusFilter),
      );
      return {
        Items: page.items.map((d) => ({
          Id: d.Id,
          DiscoveryType: d.DiscoveryType,
          Status: d.Status,
        })),
        NextToken: page.nextToken,
      };
    },

    ListDiscoveredDevices: (input, call) => {
      if (discoveries.getOwned(call, input.Identifier) === undefined) {
        throw discoveryNotFound(input.Identifier);
      }
      const page = discovered.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k1: input.Identifier },
      );
      return {
        Items: page.items.map((d) => ({
          ConnectorDeviceId: d.ConnectorDeviceId,
          ConnectorDeviceName: d.ConnectorDeviceName,
          DeviceTypes: d.DeviceTypes,
          ManagedThingId:
            d.ManagedThingId !== undefined && things.get(d.ManagedThingId) !== undefined
              ? d.ManagedThingId
              : undefined,
          Modification: d.Modification,
          DiscoveredAt: epochSeconds(d.DiscoveredAt),
        })),
        NextToken: page.nextToken,
      };
    },
  });
}
