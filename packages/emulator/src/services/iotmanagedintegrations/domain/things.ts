import {
  type CreateManagedThingRequest,
  type MatterCapabilityReport,
  ResourceNotFoundException,
  ValidationException,
} from '@c2c-kit/protocol';
import { arn, type CallContext, epochSeconds, type MiContext, newId } from '../context.js';
import {
  type AssociationDoc,
  type DiscoveredDeviceDoc,
  discoveredDeviceKeys,
  type ThingDoc,
} from '../stores/docs.js';
import { type DocRow, type Owner, sameOwner } from '../stores/table.js';
import { existingThing, mayUpdateFrom, sameJson } from './routing.js';

/**
 * Managed things of cloud devices: the one thing a customer has per connector device, created
 * from a discovered device (CreateManagedThing) and kept up to date by re-discoveries.
 */

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

export function createThingFromDiscovery(
  ctx: MiContext,
  call: CallContext,
  input: CreateManagedThingRequest,
  onNew: (doc: ThingDoc) => void,
): { Id: string; Arn: string; CreatedAt?: number } {
  const { things, associations } = ctx.stores;
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
    (device.doc.ManagedThingId === undefined ? undefined : things.get(device.doc.ManagedThingId)) ??
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
