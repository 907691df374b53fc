import { DeviceStateError, InvalidRequestError, UnsupportedCommandError } from './errors.js';
import { enumAt, numberAt, objectAt, onlyKeys } from './validate.js';

/**
 * The vendor's OWN device model. Deliberately not Matter: lower-case modes, percent brightness,
 * Kelvin and Celsius, so a connector has to translate.
 */
export const DEVICE_KINDS = ['camera', 'fan', 'light', 'lock', 'contact', 'thermostat'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const FAN_MODES = ['off', 'low', 'medium', 'high', 'auto'] as const;
export type FanMode = (typeof FAN_MODES)[number];
export const LOCK_STATES = ['locked', 'unlocked', 'jammed'] as const;
export type LockState = (typeof LOCK_STATES)[number];
export const THERMOSTAT_MODES = ['off', 'heat', 'cool', 'auto'] as const;
export type ThermostatMode = (typeof THERMOSTAT_MODES)[number];

export interface CameraState {
  motion: boolean;
  /** Battery charge in percent, 0-100. */
  battery: number;
}
export interface FanState {
  mode: FanMode;
  speedPercent: number;
}
export interface LightState {
  on: boolean;
  /** 1-100 percent. */
  brightness: number;
  /** 2700-6500 K. */
  colorTempKelvin: number;
}
export interface LockDeviceState {
  lockState: LockState;
}
export interface ContactState {
  open: boolean;
  battery: number;
}
export interface ThermostatState {
  mode: ThermostatMode;
  /** Measured room temperature, °C with one decimal. */
  temperatureC: number;
  heatSetpointC: number;
  coolSetpointC: number;
}

export interface DeviceStates {
  camera: CameraState;
  fan: FanState;
  light: LightState;
  lock: LockDeviceState;
  contact: ContactState;
  thermostat: ThermostatState;
}

interface DeviceBase<K extends DeviceKind> {
  deviceId: string;
  kind: K;
  name: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  online: boolean;
  state: DeviceStates[K];
}

/** A device as the vendor's REST API returns it. */
export type VendorDevice = { [K in DeviceKind]: DeviceBase<K> }[DeviceKind];

export const LIGHT_KELVIN_MIN = 2700;
export const LIGHT_KELVIN_MAX = 6500;
export const HEAT_SETPOINT_RANGE = [7, 30] as const;
export const COOL_SETPOINT_RANGE = [16, 32] as const;
/** Heat setpoint must stay at least this far below the cool setpoint (auto mode needs a gap). */
export const SETPOINT_DEADBAND_C = 2;

const MODELS: Record<DeviceKind, { model: string; name: string }> = {
  camera: { model: 'ACME-CAM-2', name: 'Camera' },
  fan: { model: 'ACME-FAN-1', name: 'Fan' },
  light: { model: 'ACME-BULB-CT', name: 'Light' },
  lock: { model: 'ACME-LOCK-3', name: 'Door lock' },
  contact: { model: 'ACME-CONTACT-1', name: 'Contact sensor' },
  thermostat: { model: 'ACME-THERMO-1', name: 'Thermostat' },
};

export function defaultState<K extends DeviceKind>(kind: K): DeviceStates[K] {
  const states: DeviceStates = {
    camera: { motion: false, battery: 100 },
    fan: { mode: 'off', speedPercent: 0 },
    light: { on: false, brightness: 100, colorTempKelvin: 4000 },
    lock: { lockState: 'locked' },
    contact: { open: false, battery: 100 },
    thermostat: { mode: 'heat', temperatureC: 19, heatSetpointC: 21, coolSetpointC: 25 },
  };
  return states[kind];
}

export function createDevice(
  kind: DeviceKind,
  deviceId: string,
  options: { name?: string; state?: Partial<DeviceStates[DeviceKind]> } = {},
): VendorDevice {
  const info = MODELS[kind];
  return {
    deviceId,
    kind,
    name: options.name ?? info.name,
    manufacturer: 'Acme',
    model: info.model,
    serialNumber: `SN-${deviceId.toUpperCase()}`,
    firmwareVersion: '1.4.2',
    online: true,
    state: { ...defaultState(kind), ...options.state },
  } as VendorDevice;
}

/** Preset speed of each fan mode when set by mode (auto keeps the current speed). */
const FAN_MODE_PERCENT: Record<Exclude<FanMode, 'auto'>, number> = {
  off: 0,
  low: 33,
  medium: 66,
  high: 100,
};

/** The manual mode a speed belongs to, the same bands a Matter fan uses for SpeedSetting. */
export function fanModeForPercent(percent: number): Exclude<FanMode, 'auto'> {
  if (percent <= 0) return 'off';
  if (percent <= 33) return 'low';
  if (percent <= 66) return 'medium';
  return 'high';
}

/** A state change a command or trigger produced; `type` becomes the webhook event type. */
export interface Change {
  type: string;
  data: Record<string, unknown>;
}

/** Names of the commands each kind accepts (REST `POST /api/v1/devices/:id/commands`). */
export const COMMANDS: Record<DeviceKind, readonly string[]> = {
  camera: [],
  contact: [],
  fan: ['setMode', 'setSpeed'],
  light: ['turnOn', 'turnOff', 'toggle', 'setBrightness', 'setColorTemperature'],
  lock: ['lock', 'unlock'],
  thermostat: ['setMode', 'setSetpoints'],
};

/** Names of the simulated physical events each kind accepts (`POST /_sim/devices/:id/trigger`). */
export const TRIGGERS: Record<DeviceKind, readonly string[]> = {
  camera: ['motion', 'motion_cleared', 'battery', 'online', 'offline'],
  contact: ['open', 'close', 'battery', 'online', 'offline'],
  fan: ['button', 'online', 'offline'],
  light: ['switch', 'online', 'offline'],
  lock: ['manual_lock', 'manual_unlock', 'jam', 'unjam', 'online', 'offline'],
  thermostat: ['temperature', 'online', 'offline'],
};

function params(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  const obj = value === undefined ? {} : objectAt(value, path);
  onlyKeys(obj, path, allowed);
  return obj;
}

/**
 * Applies a REST command to a device (mutating it) and returns the resulting changes.
 * `path` locates the request body for error messages.
 */
export function applyCommand(
  device: VendorDevice,
  command: string,
  rawParams: unknown,
  path = 'body',
): Change[] {
  if (!COMMANDS[device.kind].includes(command)) {
    throw new UnsupportedCommandError(
      `${path}.command`,
      command,
      device.kind,
      COMMANDS[device.kind],
    );
  }
  if (!device.online) {
    throw new DeviceStateError('device_offline', `device ${device.deviceId} is offline`);
  }
  const p = `${path}.params`;
  switch (device.kind) {
    case 'fan': {
      const s = device.state;
      if (command === 'setMode') {
        const mode = enumAt(params(rawParams, p, ['mode']).mode, `${p}.mode`, FAN_MODES);
        s.mode = mode;
        if (mode !== 'auto') s.speedPercent = FAN_MODE_PERCENT[mode];
        else if (s.speedPercent === 0) s.speedPercent = 50;
      } else {
        const pct = numberAt(
          params(rawParams, p, ['speedPercent']).speedPercent,
          `${p}.speedPercent`,
          0,
          100,
          true,
        );
        s.speedPercent = pct;
        s.mode = fanModeForPercent(pct);
      }
      return [{ type: 'device.state', data: { mode: s.mode, speedPercent: s.speedPercent } }];
    }
    case 'light': {
      const s = device.state;
      if (command === 'turnOn' || command === 'turnOff' || command === 'toggle') {
        params(rawParams, p, []);
        s.on = command === 'toggle' ? !s.on : command === 'turnOn';
        return [{ type: 'device.state', data: { on: s.on } }];
      }
      if (command === 'setBrightness') {
        const b = params(rawParams, p, ['brightness']).brightness;
        s.brightness = numberAt(b, `${p}.brightness`, 1, 100, true);
        s.on = true;
        return [{ type: 'device.state', data: { on: true, brightness: s.brightness } }];
      }
      const k = params(rawParams, p, ['kelvin']).kelvin;
      s.colorTempKelvin = numberAt(k, `${p}.kelvin`, LIGHT_KELVIN_MIN, LIGHT_KELVIN_MAX, true);
      return [{ type: 'device.state', data: { colorTempKelvin: s.colorTempKelvin } }];
    }
    case 'lock': {
      params(rawParams, p, []);
      if (device.state.lockState === 'jammed') {
        throw new DeviceStateError('device_jammed', `lock ${device.deviceId} is jammed`);
      }
      device.state.lockState = command === 'lock' ? 'locked' : 'unlocked';
      return [{ type: 'device.lock', data: { lockState: device.state.lockState } }];
    }
    case 'thermostat': {
      const s = device.state;
      if (command === 'setMode') {
        s.mode = enumAt(params(rawParams, p, ['mode']).mode, `${p}.mode`, THERMOSTAT_MODES);
        return [{ type: 'device.state', data: { mode: s.mode } }];
      }
      const obj = params(rawParams, p, ['heatSetpointC', 'coolSetpointC']);
      if (obj.heatSetpointC === undefined && obj.coolSetpointC === undefined) {
        throw new InvalidRequestError(p, 'heatSetpointC and/or coolSetpointC', 'neither');
      }
      const heat =
        obj.heatSetpointC === undefined
          ? s.heatSetpointC
          : numberAt(obj.heatSetpointC, `${p}.heatSetpointC`, ...HEAT_SETPOINT_RANGE);
      const cool =
        obj.coolSetpointC === undefined
          ? s.coolSetpointC
          : numberAt(obj.coolSetpointC, `${p}.coolSetpointC`, ...COOL_SETPOINT_RANGE);
      if (cool - heat < SETPOINT_DEADBAND_C) {
        const heatGiven = obj.heatSetpointC !== undefined;
        throw new InvalidRequestError(
          `${p}.${heatGiven ? 'heatSetpointC' : 'coolSetpointC'}`,
          heatGiven
            ? `at least ${SETPOINT_DEADBAND_C} °C below the cool setpoint ${cool}`
            : `at least ${SETPOINT_DEADBAND_C} °C above the heat setpoint ${heat}`,
          String(heatGiven ? heat : cool),
        );
      }
      s.heatSetpointC = round1(heat);
      s.coolSetpointC = round1(cool);
      return [
        {
          type: 'device.state',
          data: { heatSetpointC: s.heatSetpointC, coolSetpointC: s.coolSetpointC },
        },
      ];
    }
    default:
      // camera and contact accept no commands; COMMANDS above already rejected them.
      return [];
  }
}

/** Applies a simulated physical event (mutating the device) and returns the resulting changes. */
export function applyTrigger(
  device: VendorDevice,
  event: string,
  rawParams: unknown,
  path = 'body',
): Change[] {
  if (!TRIGGERS[device.kind].includes(event)) {
    throw new UnsupportedCommandError(`${path}.event`, event, device.kind, TRIGGERS[device.kind]);
  }
  const p = `${path}.params`;
  if (event === 'online' || event === 'offline') {
    params(rawParams, p, []);
    device.online = event === 'online';
    return [{ type: 'device.connectivity', data: { online: device.online } }];
  }
  if (!device.online) {
    throw new DeviceStateError('device_offline', `device ${device.deviceId} is offline`);
  }
  switch (device.kind) {
    case 'camera': {
      if (event === 'battery') return setBattery(device, rawParams, p);
      params(rawParams, p, []);
      device.state.motion = event === 'motion';
      return [{ type: 'device.motion', data: { motion: device.state.motion } }];
    }
    case 'contact': {
      if (event === 'battery') return setBattery(device, rawParams, p);
      params(rawParams, p, []);
      device.state.open = event === 'open';
      return [{ type: 'device.contact', data: { open: device.state.open } }];
    }
    case 'fan': {
      // The physical button cycles off → low → medium → high → off.
      params(rawParams, p, []);
      const order = ['off', 'low', 'medium', 'high'] as const;
      const at = order.indexOf(device.state.mode as (typeof order)[number]);
      const next = order[(at + 1) % order.length] ?? 'off';
      device.state.mode = next;
      device.state.speedPercent = FAN_MODE_PERCENT[next];
      return [
        { type: 'device.state', data: { mode: next, speedPercent: device.state.speedPercent } },
      ];
    }
    case 'light': {
      params(rawParams, p, []);
      device.state.on = !device.state.on;
      return [{ type: 'device.state', data: { on: device.state.on } }];
    }
    case 'lock': {
      params(rawParams, p, []);
      const next: LockState =
        event === 'jam'
          ? 'jammed'
          : event === 'manual_lock' || event === 'unjam'
            ? 'locked'
            : 'unlocked';
      device.state.lockState = next;
      return [{ type: 'device.lock', data: { lockState: next } }];
    }
    case 'thermostat': {
      const obj = params(rawParams, p, ['temperatureC']);
      device.state.temperatureC = round1(numberAt(obj.temperatureC, `${p}.temperatureC`, -20, 50));
      return [{ type: 'device.temperature', data: { temperatureC: device.state.temperatureC } }];
    }
  }
}

function setBattery(
  device: { state: { battery: number } },
  rawParams: unknown,
  p: string,
): Change[] {
  const level = numberAt(params(rawParams, p, ['level']).level, `${p}.level`, 0, 100, true);
  device.state.battery = level;
  return [{ type: 'device.battery', data: { battery: level } }];
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
