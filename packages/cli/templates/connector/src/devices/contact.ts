import { booleanState, DEVICE_PRESETS, type MatterCluster, powerSource } from '@c2c-kit/matter';
import { type DeviceKind, unsupported } from './kind.js';

/** A door or window contact sensor with a battery: `open`, `battery` %. */
export const contact: DeviceKind = {
  kind: 'contact',
  endpoint: {
    ...DEVICE_PRESETS.contactSensor,
    // The battery level is reported, so the report declares it (an event may only carry
    // attributes the discovery declared).
    clusters: [
      'BooleanState',
      { cluster: 'PowerSource', features: ['BAT'], attributes: ['BatPercentRemaining'] },
    ],
  },
  toClusters(state) {
    const out: MatterCluster[] = [];
    // BooleanState.StateValue is true while the contact is made, i.e. the door is closed.
    if (typeof state.open === 'boolean') out.push(booleanState.contact(!state.open));
    if (typeof state.battery === 'number') out.push(powerSource.batteryPercent(state.battery));
    return out;
  },
  toCommands(request) {
    throw unsupported('contact sensor', request);
  },
};
