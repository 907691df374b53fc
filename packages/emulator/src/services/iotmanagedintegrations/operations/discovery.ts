import {
  type GetDeviceDiscoveryRequest,
  type ListDeviceDiscoveriesRequest,
  type ListDiscoveredDevicesRequest,
  type StartDeviceDiscoveryRequest,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  arn,
  type CallContext,
  compact,
  epochSeconds,
  type HandlerMap,
  type MiContext,
  newId,
  withClientToken,
} from '../context.js';
import { associationNotFound } from '../domain/associations.js';
import { discoveryNotFound, runDiscovery } from '../domain/discovery.js';
import type { AssociationDoc, DiscoveryDoc } from '../stores/index.js';

function discoveryView(doc: DiscoveryDoc): Record<string, unknown> {
  return compact({
    Id: doc.Id,
    Arn: doc.Arn,
    DiscoveryType: doc.DiscoveryType,
    Status: doc.Status,
    StartedAt: epochSeconds(doc.StartedAt),
    AccountAssociationId: doc.AccountAssociationId,
    FinishedAt: epochSeconds(doc.FinishedAt),
    Tags: doc.Tags,
  });
}

/** StartDeviceDiscovery (CLOUD), GetDeviceDiscovery, ListDeviceDiscoveries, ListDiscoveredDevices. */
export function discoveryHandlers(ctx: MiContext): HandlerMap {
  const { discoveries, discovered, associations, things } = ctx.stores;
  return {
    StartDeviceDiscovery: (input: StartDeviceDiscoveryRequest, call: CallContext) => {
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

    GetDeviceDiscovery: (input: GetDeviceDiscoveryRequest, call: CallContext) => {
      const doc = discoveries.getOwned(call, input.Identifier);
      if (doc === undefined) throw discoveryNotFound(input.Identifier);
      return discoveryView(doc);
    },

    ListDeviceDiscoveries: (input: ListDeviceDiscoveriesRequest, call: CallContext) => {
      const page = discoveries.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        {},
        (d) =>
          (input.TypeFilter === undefined || d.DiscoveryType === input.TypeFilter) &&
          (input.StatusFilter === undefined || d.Status === input.StatusFilter),
      );
      return compact({
        Items: page.items.map((d) =>
          compact({
            Id: d.Id,
            DiscoveryType: d.DiscoveryType,
            Status: d.Status,
          }),
        ),
        NextToken: page.nextToken,
      });
    },

    ListDiscoveredDevices: (input: ListDiscoveredDevicesRequest, call: CallContext) => {
      if (discoveries.getOwned(call, input.Identifier) === undefined) {
        throw discoveryNotFound(input.Identifier);
      }
      const page = discovered.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { k1: input.Identifier },
      );
      return compact({
        Items: page.items.map((d) =>
          compact({
            ConnectorDeviceId: d.ConnectorDeviceId,
            ConnectorDeviceName: d.ConnectorDeviceName,
            DeviceTypes: d.DeviceTypes,
            ManagedThingId:
              d.ManagedThingId !== undefined && things.get(d.ManagedThingId) !== undefined
                ? d.ManagedThingId
                : undefined,
            Modification: d.Modification,
            DiscoveredAt: epochSeconds(d.DiscoveredAt),
          }),
        ),
        NextToken: page.nextToken,
      });
    },
  };
}
