import { UnknownVendorEventError } from '@c2c-kit/connector';
import type { MatterCluster } from '@c2c-kit/matter';
import { kindOf } from './devices/index.js';
import { reachable } from './devices/report.js';
import type { VendorEvent } from './vendorClient.js';

/** What one webhook event becomes: a DEVICE_EVENT's device, user and Matter clusters. */
export interface TranslatedEvent {
  readonly connectorDeviceId: string;
  readonly userId: string;
  readonly clusters: MatterCluster[];
}

/**
 * Vendor event → Matter. What it cannot translate (a kind this connector does not support, an
 * event without state it knows) throws `UnknownVendorEventError`: the runtime answers 422 and
 * counts it, so nothing is dropped silently.
 */
export function translateEvent(event: VendorEvent): TranslatedEvent {
  const kind = kindOf(event.kind);
  if (kind === undefined) throw new UnknownVendorEventError(`${event.type} (kind ${event.kind})`);
  const clusters =
    event.type === 'device.connectivity' && typeof event.data.online === 'boolean'
      ? [reachable(event.data.online)]
      : kind.toClusters(event.data);
  if (clusters.length === 0) {
    throw new UnknownVendorEventError(`${event.type} (no ${event.kind} state in it)`);
  }
  return { connectorDeviceId: event.deviceId, userId: event.userId, clusters };
}
