import { DEVICE_PRESETS, type MatterCluster, occupancySensing, powerSource } from '@c2c-kit/matter';
import { type DeviceKind, unsupported } from './kind.js';

/** A camera, reported as an occupancy sensor with a battery: `motion`, `battery` %. */
export const camera: DeviceKind = {
  kind: 'camera',
  endpoint: DEVICE_PRESETS.camera,
  toClusters(state) {
    const out: MatterCluster[] = [];
    if (typeof state.motion === 'boolean') out.push(occupancySensing.motion(state.motion));
    if (typeof state.battery === 'number') out.push(powerSource.batteryPercent(state.battery));
    return out;
  },
  toCommands(request) {
    throw unsupported('camera', request);
  },
};
