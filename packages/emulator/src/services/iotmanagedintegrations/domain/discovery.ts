import { ResourceNotFoundException } from '@c2c-kit/protocol';
import { type MiContext, notify } from '../context.js';
import {
  type AssociationDoc,
  type DiscoveredDeviceDoc,
  type DiscoveryDoc,
  discoveredDeviceKeys,
} from '../stores/docs.js';
import type { DocRow, Owner } from '../stores/table.js';
import { invokeConnector, publishConnectorError, vendorRefusedToken } from './associations.js';
import { responseFailureMessage } from './commands.js';
import { type IncomingEvent, rejectUnknown } from './deviceEvents.js';
import { reconcileDevice } from './things.js';

/** A CLOUD device discovery's life: started through the connector, finished by its events. */

/** How long a CLOUD discovery may run before it is TIMED_OUT (the service's value is unpublished). */
export const DISCOVERY_TIMEOUT_MS = 5 * 60_000;

export function discoveryNotFound(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Device discovery does not exist', {
    ResourceId: id,
    ResourceType: 'DeviceDiscovery',
  });
}

/** Marks a discovery finished and tells the customer. */
export function finishDiscovery(
  ctx: MiContext,
  owner: Owner,
  doc: DiscoveryDoc,
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT',
  deviceCount: number,
): void {
  const next: DiscoveryDoc = { ...doc, Status: status, FinishedAt: Date.now() };
  ctx.stores.discoveries.put(owner, doc.Id, next, { k1: doc.AccountAssociationId ?? null });
  notify(
    ctx,
    owner,
    'DEVICE_DISCOVERY_STATUS',
    { deviceCount, deviceDiscoveryId: doc.Id, status },
    [doc.Arn],
  );
}

/** Finishes a discovery that is still RUNNING; one the connector already completed is left as is. */
function finishRunningDiscovery(
  ctx: MiContext,
  owner: Owner,
  discoveryId: string,
  status: 'FAILED' | 'TIMED_OUT',
): void {
  const current = ctx.stores.discoveries.get(discoveryId)?.doc;
  if (current?.Status === 'RUNNING') finishDiscovery(ctx, owner, current, status, 0);
}

/**
 * Asks the connector to discover the association's devices (AWS.DiscoverDevices), in the
 * background. A failed invocation FAILS the discovery with a CONNECTOR_ERROR_REPORT; otherwise the
 * connector's DEVICE_DISCOVERY events complete it, or it is TIMED_OUT after `DISCOVERY_TIMEOUT_MS`.
 */
export function runDiscovery(
  ctx: MiContext,
  owner: Owner,
  association: AssociationDoc,
  discoveryId: string,
): void {
  ctx.background(async () => {
    const outcome = await invokeConnector(
      ctx,
      association.connectorId,
      association,
      'AWS.DiscoverDevices',
      { deviceDiscoveryId: discoveryId },
    );
    if (!outcome.ok) {
      publishConnectorError(ctx, owner, association, {
        statusCode: outcome.statusCode,
        message: outcome.message,
        operation: 'AWS.DiscoverDevices',
      });
      finishRunningDiscovery(ctx, owner, discoveryId, 'FAILED');
      return;
    }
    const timer = setTimeout(() => {
      // A closed emulator (an embedding test's stack) has no discovery left to time out.
      if (ctx.stores.db.open) finishRunningDiscovery(ctx, owner, discoveryId, 'TIMED_OUT');
    }, DISCOVERY_TIMEOUT_MS);
    timer.unref();
  });
}

/**
 * A DEVICE_DISCOVERY with StatusCode ≥ 300: the connector could not list the user's devices. The
 * customer gets a CONNECTOR_ERROR_REPORT with the connector's status and message, and on 401 (the
 * vendor refused the user's token) the link's tokens are checked (`vendorRefusedToken`).
 */
function discoveryFailed(
  ctx: MiContext,
  owner: Owner,
  association: AssociationDoc,
  statusCode: number,
  message: string | undefined,
): void {
  publishConnectorError(ctx, owner, association, {
    statusCode,
    message: responseFailureMessage(statusCode, message),
    operation: 'AWS.DiscoverDevices',
  });
  if (statusCode === 401) {
    ctx.background(() =>
      vendorRefusedToken(ctx, association.AccountAssociationId, 'AWS.DiscoverDevices'),
    );
  }
}

/**
 * A DEVICE_DISCOVERY (one part of a discovery): its devices recorded, each reported with the
 * managed thing the customer already has for it; the discovery SUCCEEDED, or FAILED when the
 * connector reports it could not list the devices.
 */
export async function recordDiscoveryEvent(ctx: MiContext, event: IncomingEvent): Promise<void> {
  const { owner, connectorId, input, raw, at } = event;
  const discoveryId = input.DeviceDiscoveryId;
  const discovery: DocRow<DiscoveryDoc> | undefined =
    discoveryId === undefined ? undefined : ctx.stores.discoveries.get(discoveryId);
  if (discovery === undefined || discovery.doc.connectorId !== connectorId) {
    return rejectUnknown(
      ctx,
      event,
      { value: discoveryId, resourceType: 'DeviceDiscovery' },
      {
        missing: 'DeviceDiscoveryId: required for DEVICE_DISCOVERY',
        unknown: 'DeviceDiscoveryId: no device discovery of this connector has that id',
      },
    );
  }
  const association =
    discovery.doc.AccountAssociationId === undefined
      ? undefined
      : ctx.stores.associations.get(discovery.doc.AccountAssociationId)?.doc;
  const statusCode = input.StatusCode ?? 200;
  if (statusCode >= 300) {
    // The connector could not list the user's devices (the vendor refused the token, an
    // outage): the discovery FAILED with its reason, never SUCCEEDED with no devices.
    await ctx.committer.run(() =>
      ctx.stores.insertEvent(owner, connectorId, 'DEVICE_DISCOVERY', input.TraceId, at, raw),
    );
    if (discovery.doc.Status === 'RUNNING') {
      finishDiscovery(ctx, discovery, discovery.doc, 'FAILED', 0);
      if (association !== undefined) {
        discoveryFailed(ctx, discovery, association, statusCode, input.Message);
      }
    }
    return;
  }
  const devices = input.Devices ?? [];
  await ctx.committer.run(() => {
    ctx.stores.insertEvent(owner, connectorId, 'DEVICE_DISCOVERY', input.TraceId, at, raw);
    for (const device of devices) {
      // A device this customer already has a managed thing for is reported with that
      // thing (NO_CHANGE / UPDATED), never as a new device; the thing stays registered
      // where it is (see routing.ts and the README).
      const existing = reconcileDevice(
        ctx,
        discovery,
        connectorId,
        association,
        device.ConnectorDeviceId,
        device.CapabilityReport,
      );
      const doc: DiscoveredDeviceDoc = {
        discoveryId: discovery.doc.Id,
        connectorId,
        accountAssociationId: discovery.doc.AccountAssociationId,
        ConnectorDeviceId: device.ConnectorDeviceId,
        ConnectorDeviceName: device.ConnectorDeviceName,
        DeviceTypes: [...new Set(device.CapabilityReport.endpoints.flatMap((e) => e.deviceTypes))],
        CapabilityReport: device.CapabilityReport,
        CapabilitySchemas: device.CapabilitySchemas,
        DeviceMetadata: device.DeviceMetadata,
        DiscoveredAt: at,
        Modification: existing?.modification ?? 'DISCOVERED',
        ManagedThingId: existing?.thingId,
      };
      ctx.stores.discovered.put(
        discovery,
        `${discovery.doc.Id}/${device.ConnectorDeviceId}`,
        doc,
        discoveredDeviceKeys(doc),
      );
    }
    // A discovery may come in several parts (the connector splits a large one): each
    // adds its devices, and the discovery is SUCCEEDED from the first part on, with a
    // DEVICE_DISCOVERY_STATUS per part counting every device so far (emulator-fidelity.md).
    if (discovery.doc.Status === 'RUNNING' || discovery.doc.Status === 'SUCCEEDED') {
      const total = ctx.stores.discovered.count({ k1: discovery.doc.Id, owner: discovery });
      finishDiscovery(ctx, discovery, discovery.doc, 'SUCCEEDED', total);
    }
  });
}
