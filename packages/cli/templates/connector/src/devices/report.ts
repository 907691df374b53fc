import {
  capabilityReport,
  clusterState,
  type MatterCapabilityReport,
  type MatterCluster,
} from '@c2c-kit/matter';
import type { VendorDevice } from '../vendorClient.js';
import type { DeviceKind } from './kind.js';

/**
 * The DEVICE_DISCOVERY capability report of one device: its kind's Matter endpoint, plus Bridged
 * Node and Bridged Device Basic Information (name, vendor, model, reachability) — how Matter
 * describes a device reached through another cloud.
 */
export function reportFor(kind: DeviceKind, device: VendorDevice): MatterCapabilityReport {
  const text = (value: string | undefined, max: number) => (value ?? '').slice(0, max);
  return capabilityReport({
    endpoints: [
      {
        id: '1',
        ...kind.endpoint,
        deviceTypes: [...kind.endpoint.deviceTypes, 'BridgedNode'],
        clusters: [
          ...kind.endpoint.clusters,
          {
            cluster: 'BridgedDeviceBasicInformation',
            attributes: {
              NodeLabel: text(device.name, 32),
              VendorName: text(device.manufacturer, 32),
              ProductName: text(device.model, 32),
              SerialNumber: text(device.serialNumber, 32),
              SoftwareVersionString: text(device.firmwareVersion, 64),
              Reachable: device.online,
            },
          },
        ],
      },
    ],
  });
}

/** Reachability, for connectivity events (Bridged Device Basic Information). */
export function reachable(online: boolean): MatterCluster {
  return clusterState('BridgedDeviceBasicInformation', { Reachable: online });
}
