import { capabilityActionsToMatter } from '@c2c-kit/matter';
import {
  type CreateManagedThingRequest,
  type DeleteManagedThingRequest,
  formatIssue,
  type GetManagedThingCapabilitiesRequest,
  type GetManagedThingRequest,
  type GetManagedThingStateRequest,
  type ListManagedThingsRequest,
  type MatterCapabilityReport,
  type MatterEndpoint,
  ResourceNotFoundException,
  type SendManagedThingCommandRequest,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  arn,
  type CallContext,
  compact,
  connectorFunctionArn,
  epochSeconds,
  type HandlerMap,
  type MiContext,
  newId,
  newTraceId,
  notify,
  withClientToken,
} from '../context.js';
import { type ConnectorOperationName, onBehalfOf } from '../invoke.js';
import { existingThing, mayUpdateFrom, sameJson } from '../routing.js';
import {
  type AssociationDoc,
  type CommandDoc,
  type DiscoveredDeviceDoc,
  discoveredDeviceKeys,
  type ThingDoc,
} from '../stores/index.js';
import { type DocRow, type Owner, sameOwner } from '../stores/table.js';
import { associationAuth } from './associations.js';
import { customerReportOf, toStateEndpoints } from './capabilities.js';
import { failCommand, watchCommandResponse } from './commandOutcome.js';

export function thingNotFound(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Managed thing does not exist', {
    ResourceId: id,
    ResourceType: 'ManagedThing',
  });
}

export function thingKeys(doc: ThingDoc) {
  return {
    k1:
      doc.connectorId !== undefined && doc.ConnectorDeviceId !== undefined
        ? `${doc.connectorId}|${doc.ConnectorDeviceId}`
        : null,
    k2: doc.accountAssociationId ?? null,
  };
}

function thingSummary(doc: ThingDoc): Record<string, unknown> {
  return compact({
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
  });
}

/**
 * A discovered device the customer already has a managed thing for: reports that thing and
 * whether its capabilities changed; a changed report replaces the thing's unless the thing is
 * registered to another vendor user's live link. The thing's registration never changes here
 * (the customer calls RegisterAccountAssociation). Call inside a transaction; returns undefined
 * for a device without a managed thing.
 */
export function reconcileDevice(
  ctx: MiContext,
  owner: Owner,
  connectorId: string,
  association: AssociationDoc | undefined,
  deviceId: string,
  report: MatterCapabilityReport,
): { thingId: string; modification: 'NO_CHANGE' | 'UPDATED' } | undefined {
  const row = existingThing(ctx, owner, connectorId, association?.userId, deviceId);
  if (row === undefined) return undefined;
  const changed = !sameJson(row.doc.CapabilityReport, report);
  if (changed && mayUpdateFrom(ctx, row.doc, association)) {
    const next: ThingDoc = { ...row.doc, CapabilityReport: report, UpdatedAt: Date.now() };
    ctx.stores.things.put(row, row.id, next, thingKeys(next));
  }
  return { thingId: row.id, modification: changed ? 'UPDATED' : 'NO_CHANGE' };
}

/**
 * `AuthenticationMaterial` for DISCOVERED_DEVICE: the docs show `CLOUD:<x>:<connectorDeviceId>`;
 * we also accept a bare ConnectorDeviceId and `<deviceDiscoveryId>:<connectorDeviceId>`.
 */
function discoveredDeviceFor(ctx: MiContext, call: CallContext, material: string) {
  const parts = material.split(':');
  const deviceId = parts.at(-1) ?? material;
  const discoveryHint = parts.length >= 2 ? parts.at(-2) : undefined;
  const candidates = ctx.stores.discovered.find({ k3: deviceId, owner: call });
  const exact = candidates.filter((r) => r.doc.discoveryId === discoveryHint);
  return (exact.length > 0 ? exact : candidates).at(-1);
}

/** Notes on a discovered device which managed thing stands for it (its lookup keys unchanged). */
function recordManagedThingOf(
  ctx: MiContext,
  device: DocRow<DiscoveredDeviceDoc>,
  managedThingId: string,
): void {
  const doc = { ...device.doc, ManagedThingId: managedThingId };
  ctx.stores.discovered.put(device, device.id, doc, discoveredDeviceKeys(doc));
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

export function thingHandlers(ctx: MiContext): HandlerMap {
  const { things, associations, commands } = ctx.stores;
  function createThing(
    input: CreateManagedThingRequest,
    call: CallContext,
    onNew: (doc: ThingDoc) => void,
  ): { Id: string; Arn: string; CreatedAt?: number } {
    if (input.AuthenticationMaterialType !== 'DISCOVERED_DEVICE') {
      throw new ValidationException(
        `AuthenticationMaterialType: this emulator creates cloud (C2C) things only (DISCOVERED_DEVICE), got "${input.AuthenticationMaterialType}"`,
      );
    }
    const device = discoveredDeviceFor(ctx, call, input.AuthenticationMaterial);
    if (device === undefined) {
      throw new ResourceNotFoundException(
        'AuthenticationMaterial: no discovered device with that ConnectorDeviceId',
        { ResourceType: 'DiscoveredDevice' },
      );
    }
    const association =
      device.doc.accountAssociationId === undefined
        ? undefined
        : associations.get(device.doc.accountAssociationId)?.doc;
    const now = Date.now();
    // One managed thing per customer and connector device: a device that already has one (from
    // this or an earlier discovery, or an earlier link of the same user) gets that thing back as
    // it is, registered or not, instead of a duplicate.
    const already =
      (device.doc.ManagedThingId === undefined
        ? undefined
        : things.get(device.doc.ManagedThingId)) ??
      existingThing(
        ctx,
        call,
        device.doc.connectorId,
        association?.userId,
        device.doc.ConnectorDeviceId,
      );
    if (already !== undefined && sameOwner(already, call)) {
      if (device.doc.ManagedThingId !== already.id) recordManagedThingOf(ctx, device, already.id);
      return {
        Id: already.id,
        Arn: already.doc.Arn,
        CreatedAt: epochSeconds(already.doc.CreatedAt),
      };
    }
    const id = newId();
    const doc: ThingDoc = {
      Id: id,
      Arn: arn(call, `managed-thing/${id}`),
      Role: input.Role,
      Name: input.Name ?? device.doc.ConnectorDeviceName,
      Owner: input.Owner,
      Brand: input.Brand,
      Model: input.Model,
      SerialNumber: input.SerialNumber,
      Classification: input.Classification,
      MetaData: input.MetaData,
      Tags: input.Tags,
      // Not registered to any account association until the customer calls
      // RegisterAccountAssociation: until then its device's events reach nobody.
      ProvisioningStatus: 'UNASSOCIATED',
      ConnectorDeviceId: device.doc.ConnectorDeviceId,
      ConnectorDestinationId: association?.ConnectorDestinationId,
      connectorId: device.doc.connectorId,
      CapabilityReport: device.doc.CapabilityReport,
      CreatedAt: now,
      UpdatedAt: now,
    };
    ctx.stores.db.transaction(() => {
      things.put(call, id, doc, thingKeys(doc));
      recordManagedThingOf(ctx, device, id);
    })();
    ctx.invalidate();
    onNew(doc);
    return { Id: id, Arn: doc.Arn, CreatedAt: epochSeconds(now) };
  }

  return {
    CreateManagedThing: (input: CreateManagedThingRequest, call: CallContext) => {
      // Set when a new thing is made: its DEVICE_LIFE_CYCLE goes out after the commit, once.
      let created: ThingDoc | undefined;
      return withClientToken(
        ctx,
        call,
        'CreateManagedThing',
        input,
        () =>
          createThing(input, call, (doc) => {
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

    GetManagedThing: (input: GetManagedThingRequest, call: CallContext) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      return compact({
        ...thingSummary(doc),
        HubNetworkMode: doc.HubNetworkMode,
        MetaData: doc.MetaData,
        Tags: doc.Tags,
        WiFiSimpleSetupConfiguration: doc.WiFiSimpleSetupConfiguration,
      });
    },

    ListManagedThings: (input: ListManagedThingsRequest, call: CallContext) => {
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
      return compact({ Items: page.items.map(thingSummary), NextToken: page.nextToken });
    },

    DeleteManagedThing: (input: DeleteManagedThingRequest, call: CallContext) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      things.delete(input.Identifier);
      ctx.invalidate();
      return undefined;
    },

    GetManagedThingCapabilities: (input: GetManagedThingCapabilitiesRequest, call: CallContext) => {
      const doc = things.getOwned(call, input.Identifier);
      if (doc === undefined) throw thingNotFound(input.Identifier);
      return compact({
        ManagedThingId: doc.Id,
        Capabilities: doc.Capabilities,
        CapabilityReport: customerReportOf(doc),
      });
    },

    GetManagedThingState: (input: GetManagedThingStateRequest, call: CallContext) => {
      const doc = things.getOwned(call, input.ManagedThingId);
      if (doc === undefined) throw thingNotFound(input.ManagedThingId);
      return { Endpoints: toStateEndpoints(ctx.stores.stateOf(doc.Id)) };
    },

    SendManagedThingCommand: (input: SendManagedThingCommandRequest, call: CallContext) => {
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
      const traceId = newTraceId();
      const command: CommandDoc = {
        TraceId: traceId,
        ManagedThingId: thing.Id,
        status: 'PENDING',
        receivedAt: Date.now(),
        endpoints,
      };
      commands.put(call, traceId, command, { k1: thing.Id });
      const connectorId = thing.connectorId;
      ctx.background(async () => {
        const outcome = await invokeConnector(ctx, connectorId, association, 'AWS.SendCommand', {
          connectorDeviceId: thing.ConnectorDeviceId,
          traceId,
          endpoints,
        });
        const target = { owner: call, association, thing, traceId };
        if (!outcome.ok) failCommand(ctx, target, outcome);
        else watchCommandResponse(ctx, target);
      });
      return { TraceId: traceId };
    },
  };
}
