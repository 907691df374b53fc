import type { MatterCluster, ReportEndpointSpec } from '@c2c-kit/matter';
import type { VendorCommand } from '../vendorClient.js';

/**
 * One Matter request for one cluster of a device, as the service sent it in AWS.SendCommand: a
 * command (`commandId` with its `fields`) or attribute writes. Ids are canonical (`0x0006`,
 * `0x01`, `0x0000`).
 */
export interface MatterRequest {
  readonly clusterId: string;
  readonly commandId?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A Matter request this kind of device cannot carry out (answered with status 400). */
export class UnsupportedRequestError extends Error {
  override readonly name = 'UnsupportedRequestError';
}

/** How one kind of your devices looks in Matter. One file per kind in this folder. */
export interface DeviceKind {
  /** Your cloud's name for the kind (`VendorDevice.kind`). */
  readonly kind: string;
  /** The Matter endpoint (device types and clusters) a device of this kind is reported as. */
  readonly endpoint: Omit<ReportEndpointSpec, 'id'>;
  /** Vendor state (all of it, or only the members an event changed) → Matter attribute values. */
  toClusters(state: Readonly<Record<string, unknown>>): MatterCluster[];
  /** A Matter request → the vendor command(s); throws `UnsupportedRequestError` otherwise. */
  toCommands(request: MatterRequest): VendorCommand[];
}

/** Cluster ids used by the kinds here (Matter 1.4). */
export const CLUSTER = {
  OnOff: '0x0006',
  LevelControl: '0x0008',
  DoorLock: '0x0101',
  Thermostat: '0x0201',
  FanControl: '0x0202',
  ColorControl: '0x0300',
} as const;

/** The value of attribute `id` in a request's writes, if it is there. */
export function written(request: MatterRequest, id: string): unknown {
  return request.attributes?.[id];
}

export function unsupported(kind: string, request: MatterRequest): UnsupportedRequestError {
  const what = request.commandId
    ? `command ${request.commandId}`
    : `writes ${Object.keys(request.attributes ?? {}).join(', ') || '(none)'}`;
  return new UnsupportedRequestError(`a ${kind} cannot do cluster ${request.clusterId} ${what}`);
}
