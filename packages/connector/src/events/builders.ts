/**
 * SendConnectorEvent requests the runtime sends, built in one place: DEVICE_EVENT (webhooks),
 * DEVICE_DISCOVERY (discovery work), DEVICE_COMMAND_RESPONSE (command work: results or a
 * failure), and the wire-safe `Message` text they carry.
 */
import type { CommandResult, DiscoveredDevice } from '../handler/types.js';
import {
  DISCOVERY_REQUEST_BYTES,
  type MatterEndpointWire,
  type SendConnectorEventRequest,
} from '../protocol.js';
import type { DeviceEvent } from '../translate/translator.js';

/** The command a DEVICE_COMMAND_RESPONSE answers: the SendCommand invocation's fields. */
export interface CommandTarget {
  readonly connectorId: string;
  readonly traceId: string;
  readonly connectorDeviceId: string;
  readonly endpoints: readonly MatterEndpointWire[];
}

/** The discovery a DEVICE_DISCOVERY answers: the DiscoverDevices invocation's fields. */
export interface DiscoveryTarget {
  readonly connectorId: string;
  readonly deviceDiscoveryId: string;
}

const MESSAGE_UNSAFE = /[^\sa-zA-Z0-9_.,@-]/g;

/**
 * Text made safe for SendConnectorEvent's `Message` and a command result's `message`: the model
 * allows only `[\sa-zA-Z0-9_.,@-]`, at most 256 characters. Other characters become spaces,
 * runs of white space one space; an empty result reads `error`.
 */
export function wireMessage(text: string, maxLength = 256): string {
  return (
    text.replace(MESSAGE_UNSAFE, ' ').replace(/\s+/g, ' ').trim().slice(0, maxLength) || 'error'
  );
}

/** A DEVICE_EVENT reporting one device's new state. */
export function deviceEvent(connectorId: string, event: DeviceEvent): SendConnectorEventRequest {
  return {
    ConnectorId: connectorId,
    Operation: 'DEVICE_EVENT',
    OperationVersion: '1.0',
    StatusCode: 200,
    ConnectorDeviceId: event.connectorDeviceId,
    ...(event.userId !== undefined ? { UserId: event.userId } : {}),
    ...(event.traceId !== undefined ? { TraceId: event.traceId } : {}),
    MatterEndpoint: event.endpoint,
  };
}

/** A DEVICE_DISCOVERY listing the user's devices with their capability reports. */
export function deviceDiscoveryEvent(
  discovery: DiscoveryTarget,
  userId: string,
  devices: readonly DiscoveredDevice[],
): SendConnectorEventRequest {
  return {
    ConnectorId: discovery.connectorId,
    Operation: 'DEVICE_DISCOVERY',
    OperationVersion: '1.0',
    StatusCode: 200,
    UserId: userId,
    DeviceDiscoveryId: discovery.deviceDiscoveryId,
    Devices: devices.map((d) => ({
      ConnectorDeviceId: d.connectorDeviceId,
      ...(d.name !== undefined ? { ConnectorDeviceName: d.name } : {}),
      CapabilityReport: d.capabilityReport,
      ...(d.capabilitySchemas !== undefined ? { CapabilitySchemas: d.capabilitySchemas } : {}),
      ...(d.metadata !== undefined ? { DeviceMetadata: d.metadata } : {}),
    })),
  };
}

/**
 * The DEVICE_DISCOVERY requests that report `devices`: one, or as many as it takes to keep each
 * request body under `maxRequestBytes` (the service's limit is unpublished: see protocol's
 * `DISCOVERY_REQUEST_BYTES`). Every part carries the same `DeviceDiscoveryId` and a run of the
 * devices in their order; send them in order. A device is never split: one that is larger than
 * the limit on its own goes alone in its part. No devices is one request with `Devices: []`.
 */
export function deviceDiscoveryEvents(
  discovery: DiscoveryTarget,
  userId: string,
  devices: readonly DiscoveredDevice[],
  maxRequestBytes: number = DISCOVERY_REQUEST_BYTES,
): SendConnectorEventRequest[] {
  const whole = deviceDiscoveryEvent(discovery, userId, devices);
  const wire = whole.Devices ?? [];
  const envelope = { ...whole, Devices: [] };
  // Sizes of the JSON the client sends, counted once per device (the body of `{…,"Devices":[]}`
  // plus each device and the comma before it); ConnectorId, in the path, counts too: a margin.
  const base = Buffer.byteLength(JSON.stringify(envelope));
  const parts: Array<typeof wire> = [];
  let current: typeof wire = [];
  let size = base;
  for (const device of wire) {
    const bytes = Buffer.byteLength(JSON.stringify(device));
    if (current.length > 0 && size + 1 + bytes > maxRequestBytes) {
      parts.push(current);
      current = [];
      size = base;
    }
    size += (current.length > 0 ? 1 : 0) + bytes;
    current.push(device);
  }
  parts.push(current);
  return parts.map((part) => ({ ...envelope, Devices: part }));
}

/**
 * DEVICE_COMMAND_RESPONSE per requested endpoint: per-command `responseCode` (and `errors`)
 * inside the command entry, new attribute values on the cluster, StatusCode = worst result.
 * No results (or none for an endpoint) means the vendor accepted everything requested there.
 */
export function commandResponseEvents(
  command: CommandTarget,
  userId: string,
  results: readonly CommandResult[] = [],
): SendConnectorEventRequest[] {
  const message = resultsMessage(results);
  return command.endpoints.map((endpoint) => {
    let worst = 200;
    let matter: MatterEndpointWire;
    const mine = results.filter((r) => r.endpointId === endpoint.id);
    if (mine.length === 0) {
      matter = statusEndpoint(endpoint, 200);
    } else {
      const clusters = new Map<
        string,
        { id: string; attributes?: Record<string, unknown>; commands?: Record<string, unknown> }
      >();
      for (const r of mine) {
        const status = r.status ?? 200;
        worst = Math.max(worst, status);
        const c = clusters.get(r.clusterId) ?? { id: r.clusterId };
        if (r.commandId !== undefined) {
          c.commands = {
            ...c.commands,
            [r.commandId]: {
              responseCode: status,
              ...(r.message ? { errors: { code: String(status), message: r.message } } : {}),
            },
          };
        }
        if (r.attributes) c.attributes = { ...c.attributes, ...r.attributes };
        clusters.set(r.clusterId, c);
      }
      matter = {
        ...(endpoint.id !== undefined ? { id: endpoint.id } : {}),
        clusters: [...clusters.values()],
      };
    }
    return {
      ConnectorId: command.connectorId,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      OperationVersion: '1.0',
      StatusCode: worst,
      // The customer reads why in Message; the per-command errors say which command.
      ...(worst >= 300 && message ? { Message: message } : {}),
      UserId: userId,
      TraceId: command.traceId,
      ConnectorDeviceId: command.connectorDeviceId,
      MatterEndpoint: matter,
    };
  });
}

/** The DEVICE_COMMAND_RESPONSE that fails a whole command: StatusCode, reason in `Message`. */
export function commandFailureEvent(
  command: CommandTarget,
  userId: string | undefined,
  status: number,
  reason: string,
): SendConnectorEventRequest {
  const message = wireMessage(reason);
  return {
    ConnectorId: command.connectorId,
    Operation: 'DEVICE_COMMAND_RESPONSE',
    OperationVersion: '1.0',
    StatusCode: status,
    Message: message,
    TraceId: command.traceId,
    ConnectorDeviceId: command.connectorDeviceId,
    ...(userId ? { UserId: userId } : {}),
    ...(command.endpoints[0]
      ? { MatterEndpoint: statusEndpoint(command.endpoints[0], status, message) }
      : {}),
  };
}

/** The requested endpoint with every command answered by `status`. */
export function statusEndpoint(
  endpoint: MatterEndpointWire,
  status: number,
  message?: string,
): MatterEndpointWire {
  return {
    ...(endpoint.id !== undefined ? { id: endpoint.id } : {}),
    clusters: (endpoint.clusters ?? []).map((c) => ({
      ...(c.id !== undefined ? { id: c.id } : {}),
      ...(c.commands
        ? {
            commands: Object.fromEntries(
              Object.keys(c.commands).map((k) => [
                k,
                {
                  responseCode: status,
                  ...(message ? { errors: { code: String(status), message } } : {}),
                },
              ]),
            ),
          }
        : {}),
      ...(c.attributes && status < 300 ? { attributes: c.attributes } : {}),
    })),
  };
}

/** `Message` for a response whose per-command results include failures: their reasons, joined. */
export function resultsMessage(results: readonly CommandResult[]): string | undefined {
  const failed = results.filter((r) => (r.status ?? 200) >= 300);
  if (failed.length === 0) return undefined;
  return wireMessage(
    failed
      .map((r) => `${r.clusterId} ${r.commandId ?? 'write'} ${r.status} ${r.message ?? ''}`)
      .join(', '),
  );
}
