import {
  booleanState,
  type CapabilityReportSpec,
  capabilityReport,
  clusterState,
  colorControl,
  DEVICE_PRESETS,
  type DevicePreset,
  doorLock,
  type FanModeName,
  fanControl,
  levelControl,
  type MatterCapabilityReport,
  type MatterCluster,
  occupancySensing,
  onOff,
  powerSource,
  type ReportClusterSpec,
  type ThermostatSystemMode,
  thermostat,
} from '@c2c-kit/matter';
import type {
  AcmeDevice,
  AcmeFanMode,
  AcmeKind,
  AcmeLockState,
  AcmeStates,
  AcmeThermostatMode,
} from './acmeTypes.js';

/** Acme kind → the c2c-kit Matter preset (device types + clusters) that describes it. */
export const PRESET_OF: Record<AcmeKind, DevicePreset> = {
  camera: 'camera',
  fan: 'fan',
  light: 'light',
  lock: 'doorLock',
  contact: 'contactSensor',
  thermostat: 'thermostat',
};

export const FAN_MODE_TO_MATTER: Record<AcmeFanMode, FanModeName> = {
  off: 'Off',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  auto: 'Auto',
};

/** Matter has no "jammed" LockState; a jammed bolt is "not fully locked" (plus a DoorLockAlarm). */
export const LOCK_STATE_TO_MATTER: Record<AcmeLockState, 'Locked' | 'Unlocked' | 'NotFullyLocked'> =
  {
    locked: 'Locked',
    unlocked: 'Unlocked',
    jammed: 'NotFullyLocked',
  };

export const THERMOSTAT_MODE_TO_MATTER: Record<AcmeThermostatMode, ThermostatSystemMode> = {
  off: 'Off',
  heat: 'Heat',
  cool: 'Cool',
  auto: 'Auto',
};

/** DoorLockAlarm (event 0x00) with AlarmCode LockJammed (0): the jam itself, as Matter reports it. */
const LOCK_JAMMED_ALARM: MatterCluster = { id: '0x0101', events: { '0x00': { '0x00': 0 } } };

const REACHABLE = (online: boolean): MatterCluster =>
  clusterState('BridgedDeviceBasicInformation', { Reachable: online });

/**
 * Vendor state (all of it, or just the members an event changed) → Matter cluster fragments.
 * Members this connector does not know are ignored here; `knownMembers` lets callers detect them.
 */
export function stateToClusters<K extends AcmeKind>(
  kind: K,
  state: Partial<AcmeStates[K]>,
  online?: boolean,
): MatterCluster[] {
  const out: MatterCluster[] = [];
  if (online !== undefined) out.push(REACHABLE(online));
  switch (kind) {
    case 'camera': {
      const s = state as Partial<AcmeStates['camera']>;
      if (s.motion !== undefined) out.push(occupancySensing.motion(s.motion));
      if (s.battery !== undefined) out.push(powerSource.batteryPercent(s.battery));
      break;
    }
    case 'contact': {
      const s = state as Partial<AcmeStates['contact']>;
      // BooleanState.StateValue is true when the contact is made, i.e. the door is closed.
      if (s.open !== undefined) out.push(booleanState.contact(!s.open));
      if (s.battery !== undefined) out.push(powerSource.batteryPercent(s.battery));
      break;
    }
    case 'fan': {
      const s = state as Partial<AcmeStates['fan']>;
      if (s.mode !== undefined) {
        out.push(fanControl.fanMode(FAN_MODE_TO_MATTER[s.mode]), onOff.onOff(s.mode !== 'off'));
      }
      if (s.speedPercent !== undefined) {
        out.push(
          fanControl.percentSetting(s.speedPercent),
          fanControl.percentCurrent(s.speedPercent),
        );
      }
      break;
    }
    case 'light': {
      const s = state as Partial<AcmeStates['light']>;
      if (s.on !== undefined) out.push(onOff.onOff(s.on));
      if (s.brightness !== undefined) out.push(levelControl.percent(s.brightness));
      if (s.colorTempKelvin !== undefined)
        out.push(colorControl.colorTemperatureKelvin(s.colorTempKelvin));
      break;
    }
    case 'lock': {
      const s = state as Partial<AcmeStates['lock']>;
      if (s.lockState !== undefined) {
        out.push(doorLock.lockState(LOCK_STATE_TO_MATTER[s.lockState]));
        if (s.lockState === 'jammed') out.push(LOCK_JAMMED_ALARM);
      }
      break;
    }
    case 'thermostat': {
      const s = state as Partial<AcmeStates['thermostat']>;
      if (s.temperatureC !== undefined) out.push(thermostat.localTemperature(s.temperatureC));
      if (s.heatSetpointC !== undefined)
        out.push(thermostat.occupiedHeatingSetpoint(s.heatSetpointC));
      if (s.coolSetpointC !== undefined)
        out.push(thermostat.occupiedCoolingSetpoint(s.coolSetpointC));
      if (s.mode !== undefined) out.push(thermostat.systemMode(THERMOSTAT_MODE_TO_MATTER[s.mode]));
      break;
    }
  }
  return out;
}

/** State members each kind translates; anything else in an event is reported as unknown. */
export const KNOWN_MEMBERS: Record<AcmeKind, readonly string[]> = {
  camera: ['motion', 'battery'],
  contact: ['open', 'battery'],
  fan: ['mode', 'speedPercent'],
  light: ['on', 'brightness', 'colorTempKelvin'],
  lock: ['lockState'],
  thermostat: ['temperatureC', 'heatSetpointC', 'coolSetpointC', 'mode'],
};

/**
 * Acme reports battery levels, so every PowerSource must declare BatPercentRemaining (optional in
 * Matter even with the Battery feature, and not in every preset): an event may only carry
 * attributes the discovery report declared.
 */
function withBatteryPercent(spec: ReportClusterSpec): ReportClusterSpec {
  if (typeof spec !== 'object' || spec.cluster !== 'PowerSource') return spec;
  const listed = Array.isArray(spec.attributes)
    ? (spec.attributes as readonly (string | number)[])
    : [];
  if (listed.includes('BatPercentRemaining')) return spec;
  return { ...spec, attributes: [...listed, 'BatPercentRemaining'] };
}

/**
 * The DEVICE_DISCOVERY capability report of one Acme device: the preset's device types and clusters,
 * plus Bridged Node + Bridged Device Basic Information (name, vendor, serial, reachability), which is
 * how Matter describes a device reached through another ecosystem.
 */
export function capabilityReportFor(device: AcmeDevice): MatterCapabilityReport {
  const preset = DEVICE_PRESETS[PRESET_OF[device.kind]];
  const spec: CapabilityReportSpec = {
    endpoints: [
      {
        id: '1',
        deviceTypes: [...preset.deviceTypes, 'BridgedNode'],
        clusters: [
          ...preset.clusters.map(withBatteryPercent),
          {
            cluster: 'BridgedDeviceBasicInformation',
            attributes: {
              VendorName: device.manufacturer.slice(0, 32),
              ProductName: device.model.slice(0, 32),
              NodeLabel: device.name.slice(0, 32),
              SerialNumber: device.serialNumber.slice(0, 32),
              SoftwareVersionString: device.firmwareVersion.slice(0, 64),
              Reachable: device.online,
            },
          },
        ],
      },
    ],
  };
  return capabilityReport(spec);
}
