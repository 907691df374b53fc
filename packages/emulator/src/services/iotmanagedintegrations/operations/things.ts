import { capabilityActionsToMatter } from '@c2c-kit/matter';
import {
  formatIssue,
  type ManagedThingSummary,
  type MatterEndpoint,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  defineHandlers,
  epochSeconds,
  type HandlerMap,
  type MiContext,
  notify,
  withClientToken,
} from '../context.js';
import { customerReportOf, toStateEndpoints } from '../domain/capabilities.js';
import { sendCommand } from '../domain/commands.js';
import { createThingFromDiscovery, thingNotFound } from '../domain/things.js';
import type { ThingDoc } from '../stores/docs.js';

function thingSummary(doc: ThingDoc): ManagedThingSummary {
  return {
    Id: doc.Id,
    Arn: doc.Arn,
    Brand: doc.Brand,
    Classification: doc.Classification,
    ConnectorDeviceId: doc.ConnectorDeviceId,
    ConnectorDestinationId: doc.ConnectorDestinationId,
    CredentialLockerId: doc.CredentialLockerId,
    Model: doc.Model,
    Name: doc.Name,
    Owner: doc.Owner,
    ProvisioningStatus: doc.ProvisioningStatus,
    Role: doc.Role,
    SerialNumber: doc.SerialNumber,
    CreatedAt: epochSeconds(doc.CreatedAt),
    UpdatedAt: epochSeconds(doc.UpdatedAt),
    ActivatedAt: epochSeconds(doc.ActivatedAt),
  };
}

export function thingHandlers(ctx: MiContext): HandlerMap {
  const { things, associations } = ctx.stores;
  return defineHandlers({
    CreateManagedThing: (input, call) => {
      // Set when a new thing is made: its DEVICE_LIFE_CYCLE goes out after the commit, once.
      let created: ThingDoc | undefined;
      return withClientToken(
        ctx,
        call,
        'CreateManagedThing',
        input,
        () =>
          createThingFromDiscovery(ctx, call, input, (doc) => {
            created = doc;
          }),
        () => {
          if (created === undefined) return;
          notify(
            ctx,
            call,
            'DEVICE_LIFE_CYCLE',
            { managedThingId: created.Id, status: created.ProvisioningStatus },
            [created.Arn],
          );
        },
      );
    },

    GetManagedThing: (input, call) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      return {
        ...thingSummary(doc),
        HubNetworkMode: doc.HubNetworkMode,
        MetaData: doc.MetaData,
        Tags: doc.Tags,
        WiFiSimpleSetupConfiguration: doc.WiFiSimpleSetupConfiguration,
      };
    },

    ListManagedThings: (input, call) => {
      const page = things.page(
        call,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        {},
        (d) =>
          (input.ConnectorDeviceIdFilter === undefined ||
            d.ConnectorDeviceId === input.ConnectorDeviceIdFilter) &&
          (input.ConnectorDestinationIdFilter === undefined ||
            d.ConnectorDestinationId === input.ConnectorDestinationIdFilter) &&
          (input.ProvisioningStatusFilter === undefined ||
            d.ProvisioningStatus === input.ProvisioningStatusFilter) &&
          (input.RoleFilter === undefined || d.Role === input.RoleFilter) &&
          (input.OwnerFilter === undefined || d.Owner === input.OwnerFilter) &&
          (input.SerialNumberFilter === undefined || d.SerialNumber === input.SerialNumberFilter) &&
          (input.CredentialLockerFilter === undefined ||
            d.CredentialLockerId === input.CredentialLockerFilter) &&
          // Cloud things have no parent controller or connector policy: these filters match none.
          input.ParentControllerIdentifierFilter === undefined &&
          input.ConnectorPolicyIdFilter === undefined,
      );
      return { Items: page.items.map(thingSummary), NextToken: page.nextToken };
    },

    DeleteManagedThing: (input, call) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      things.delete(input.Identifier);
      ctx.invalidate();
      return undefined;
    },

    GetManagedThingCapabilities: (input, call) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      return {
        ManagedThingId: doc.Id,
        Capabilities: doc.Capabilities,
        CapabilityReport: customerReportOf(doc),
      };
    },

    GetManagedThingState: (input, call) => {
      const doc = things.getOwned(call, input.ManagedThingId);
      if (doc === undefined) throw thingNotFound(input.ManagedThingId);
      return { Endpoints: toStateEndpoints(ctx.stores.stateOf(doc.Id)) };
    },

    SendManagedThingCommand: (input, call) => {
      const thing = things.getOwned(call, input.ManagedThingId);
      if (thing === undefined) throw thingNotFound(input.ManagedThingId);
      const associationId = input.AccountAssociationId ?? thing.accountAssociationId;
      const association =
        associationId === undefined ? undefined : associations.get(associationId)?.doc;
      if (association === undefined || thing.connectorId === undefined) {
        throw new ValidationException(
          'ManagedThingId: the managed thing has no account association to send commands through',
        );
      }
      const endpoints: MatterEndpoint[] = [];
      const issues: string[] = [];
      input.Endpoints.forEach((ep, i) => {
        const r = capabilityActionsToMatter(ep as never, `Endpoints[${i}]`);
        if (r.ok) endpoints.push(r.value as MatterEndpoint);
        else issues.push(...r.issues.map(formatIssue));
      });
      if (issues.length > 0) throw new ValidationException(issues.join('; '));
      const traceId = sendCommand(
        ctx,
        call,
        { thing, association, connectorId: thing.connectorId },
        endpoints,
      );
      return { TraceId: traceId };
    },
  });
}
