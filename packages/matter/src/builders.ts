import { formatIssue } from '@c2c-kit/protocol';
import { MatterBuilderError, UnknownMatterElementError } from './errors.js';
import { formatAttributeId, formatClusterId, formatCommandId, formatFieldId } from './ids.js';
import type { ClusterDef, ValueSpec } from './model.js';
import { clusterIndex, getCluster, getField } from './table.js';
import type { MatterCluster, MatterEndpoint } from './validate.js';
import { validateAttributeValue, validateCommandFields } from './values.js';

function requireCluster(name: string | number): ClusterDef {
  const c = getCluster(name);
  if (c === undefined) throw new UnknownMatterElementError('cluster', name);
  return c;
}

/** Enum and bitmap values may be given by member name (`'High'`); returns the number. */
function memberValue(cluster: ClusterDef, spec: ValueSpec, value: unknown, where: string): unknown {
  if (typeof value !== 'string' || spec.ref === undefined) return value;
  const def = cluster.datatypes[spec.ref];
  if (def?.kind === 'enum') {
    const m = def.members.find((x) => x.name.toLowerCase() === value.toLowerCase());
    if (m === undefined && !/^[0-9]+$/.test(value)) {
      throw new MatterBuilderError(
        `${where}: expected ${def.name} member (${def.members.map((x) => x.name).join(', ')}), got ${JSON.stringify(value)}`,
      );
    }
    return m?.value ?? value;
  }
  if (def?.kind === 'bitmap') {
    const m = def.members.find((x) => x.name.toLowerCase() === value.toLowerCase());
    if (m !== undefined) return 2 ** m.bit;
  }
  return value;
}

/**
 * A cluster with attribute values by name, validated: `clusterState('FanControl', { FanMode: 'High',
 * PercentCurrent: 100 })` → `{ id: '0x0202', attributes: { '0x0000': 3, '0x0003': 100 } }`.
 * @throws MatterBuilderError when a name or value is not valid Matter 1.4.
 */
export function clusterState(
  cluster: string | number,
  attributes: Readonly<Record<string, unknown>>,
  options: { readonly featureMap?: number } = {},
): MatterCluster {
  const def = requireCluster(cluster);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const attr = clusterIndex(def).attributesByName.get(name.toLowerCase());
    if (attr === undefined) {
      throw new MatterBuilderError(`${def.name}: unknown attribute ${JSON.stringify(name)}`);
    }
    const value = memberValue(def, attr, raw, `${def.name}.${attr.name}`);
    const r = validateAttributeValue(def, attr, value, options);
    if (!r.ok) throw new MatterBuilderError(r.issues.map(formatIssue).join('; '));
    out[formatAttributeId(attr.id)] = r.value;
  }
  return { id: formatClusterId(def.id), attributes: out };
}

/**
 * A cluster carrying one command with fields by name, validated: `clusterCommand('FanControl',
 * 'Step', { Direction: 'Increase' })` → `{ id: '0x0202', commands: { '0x00': { '0x00': 0 } } }`.
 */
export function clusterCommand(
  cluster: string | number,
  command: string,
  fields: Readonly<Record<string, unknown>> = {},
): MatterCluster {
  const def = requireCluster(cluster);
  const cmd = clusterIndex(def).commandsByName.get(command.toLowerCase());
  if (cmd === undefined)
    throw new MatterBuilderError(`${def.name}: unknown command ${JSON.stringify(command)}`);
  const byId: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(fields)) {
    const field = getField(cmd.fields, name);
    if (field === undefined)
      throw new MatterBuilderError(
        `${def.name}.${cmd.name}: unknown field ${JSON.stringify(name)}`,
      );
    byId[formatFieldId(field.id)] = memberValue(
      def,
      field,
      raw,
      `${def.name}.${cmd.name}.${field.name}`,
    );
  }
  const r = validateCommandFields(def, cmd.name, byId);
  if (!r.ok) throw new MatterBuilderError(r.issues.map(formatIssue).join('; '));
  return { id: formatClusterId(def.id), commands: { [formatCommandId(cmd.id)]: r.value } };
}

/**
 * Merges clusters into one endpoint; clusters with the same id are combined (attributes, commands
 * and events merged, later values win): `matterEndpoint('1', fanControl.fanMode('High'),
 * fanControl.percentCurrent(100), onOff.onOff(true))`.
 */
export function matterEndpoint(id: string, ...clusters: readonly MatterCluster[]): MatterEndpoint {
  const merged = new Map<
    string,
    {
      id: string;
      attributes?: Record<string, unknown>;
      commands?: Record<string, Record<string, unknown>>;
      events?: Record<string, Record<string, unknown>>;
    }
  >();
  for (const c of clusters) {
    const key = formatClusterId(c.id);
    let m = merged.get(key);
    if (m === undefined) {
      m = { id: key };
      merged.set(key, m);
    }
    if (c.attributes) m.attributes = { ...m.attributes, ...c.attributes };
    if (c.commands) m.commands = { ...m.commands, ...c.commands };
    if (c.events) m.events = { ...m.events, ...c.events };
  }
  return { id, clusters: [...merged.values()] };
}

function finite(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MatterBuilderError(`${what}: expected a finite number, got ${String(value)}`);
  }
  return value;
}

/** °C → Matter `temperature` (int16, 0.01 °C units). */
export function celsiusToMatter(celsius: number): number {
  return Math.round(finite(celsius, 'temperature') * 100);
}

/** Matter `temperature` (0.01 °C units) → °C. */
export function matterToCelsius(value: number): number {
  return value / 100;
}

/** FanModeEnum members a connector may send (On and Smart are deprecated in Matter 1.4). */
export const FAN_MODES = ['Off', 'Low', 'Medium', 'High', 'Auto'] as const;
export type FanModeName = (typeof FAN_MODES)[number];

/** DoorLock LockStateEnum members. */
export const LOCK_STATES = ['NotFullyLocked', 'Locked', 'Unlocked', 'Unlatched'] as const;
export type LockStateName = (typeof LOCK_STATES)[number];

/** PowerSource BatChargeLevelEnum members. */
export const BAT_CHARGE_LEVELS = ['Ok', 'Warning', 'Critical'] as const;
export type BatChargeLevelName = (typeof BAT_CHARGE_LEVELS)[number];

/** Fan Control (0x0202). */
export const fanControl = {
  fanMode: (mode: FanModeName | number): MatterCluster =>
    clusterState('FanControl', { FanMode: mode }),
  /** Requested speed in percent (0–100); `null` when no setting applies. */
  percentSetting: (percent: number | null): MatterCluster =>
    clusterState('FanControl', {
      PercentSetting: percent === null ? null : Math.round(finite(percent, 'percent')),
    }),
  /** Actual speed in percent (0–100). */
  percentCurrent: (percent: number): MatterCluster =>
    clusterState('FanControl', { PercentCurrent: Math.round(finite(percent, 'percent')) }),
  /** Step command: `Increase` or `Decrease`. */
  step: (
    direction: 'Increase' | 'Decrease',
    options: { wrap?: boolean; lowestOff?: boolean } = {},
  ): MatterCluster =>
    clusterCommand('FanControl', 'Step', {
      Direction: direction,
      ...(options.wrap === undefined ? {} : { Wrap: options.wrap }),
      ...(options.lowestOff === undefined ? {} : { LowestOff: options.lowestOff }),
    }),
} as const;

/** On/Off (0x0006). */
export const onOff = {
  onOff: (on: boolean): MatterCluster => clusterState('OnOff', { OnOff: on }),
  on: (): MatterCluster => clusterCommand('OnOff', 'On'),
  off: (): MatterCluster => clusterCommand('OnOff', 'Off'),
  toggle: (): MatterCluster => clusterCommand('OnOff', 'Toggle'),
} as const;

/** Level Control (0x0008). Levels are 1–254 (0 is below the minimum for lighting). */
export const levelControl = {
  currentLevel: (level: number | null): MatterCluster =>
    clusterState('LevelControl', {
      CurrentLevel: level === null ? null : Math.round(finite(level, 'level')),
    }),
  /** Brightness in percent (0–100) → CurrentLevel 0–254. */
  percent: (percent: number): MatterCluster =>
    clusterState('LevelControl', {
      CurrentLevel: Math.round((finite(percent, 'percent') * 254) / 100),
    }),
  moveToLevel: (level: number, transitionTimeTenths: number | null = null): MatterCluster =>
    clusterCommand('LevelControl', 'MoveToLevel', {
      Level: Math.round(finite(level, 'level')),
      TransitionTime: transitionTimeTenths,
      OptionsMask: 0,
      OptionsOverride: 0,
    }),
} as const;

/** Color Control (0x0300): colour temperature in mireds or kelvin. */
export const colorControl = {
  colorTemperatureMireds: (mireds: number): MatterCluster =>
    clusterState('ColorControl', { ColorTemperatureMireds: Math.round(finite(mireds, 'mireds')) }),
  /** Kelvin → mireds (1,000,000 / K). */
  colorTemperatureKelvin: (kelvin: number): MatterCluster =>
    clusterState('ColorControl', {
      ColorTemperatureMireds: Math.round(1_000_000 / finite(kelvin, 'kelvin')),
    }),
  moveToColorTemperature: (mireds: number, transitionTimeTenths = 0): MatterCluster =>
    clusterCommand('ColorControl', 'MoveToColorTemperature', {
      ColorTemperatureMireds: Math.round(finite(mireds, 'mireds')),
      TransitionTime: transitionTimeTenths,
      OptionsMask: 0,
      OptionsOverride: 0,
    }),
} as const;

/** Power Source (0x002F), battery. */
export const powerSource = {
  /** Battery charge in percent (0–100); Matter stores half-percent units (0–200). */
  batteryPercent: (percent: number | null): MatterCluster =>
    clusterState('PowerSource', {
      BatPercentRemaining: percent === null ? null : Math.round(finite(percent, 'percent') * 2),
    }),
  batChargeLevel: (level: BatChargeLevelName): MatterCluster =>
    clusterState('PowerSource', { BatChargeLevel: level }),
} as const;

/** Occupancy Sensing (0x0406): occupancy/motion. */
export const occupancySensing = {
  occupied: (occupied: boolean): MatterCluster =>
    clusterState('OccupancySensing', { Occupancy: occupied ? 1 : 0 }),
  /** Motion detected = occupied (bit 0 of the Occupancy bitmap). */
  motion: (detected: boolean): MatterCluster =>
    clusterState('OccupancySensing', { Occupancy: detected ? 1 : 0 }),
} as const;

/** Boolean State (0x0045): contact sensors. */
export const booleanState = {
  stateValue: (value: boolean): MatterCluster =>
    clusterState('BooleanState', { StateValue: value }),
  /** Contact sensor: `true` when closed (contact made), as the spec defines StateValue. */
  contact: (closed: boolean): MatterCluster => clusterState('BooleanState', { StateValue: closed }),
} as const;

/** Door Lock (0x0101). */
export const doorLock = {
  lockState: (
    state: 'NotFullyLocked' | 'Locked' | 'Unlocked' | 'Unlatched' | null,
  ): MatterCluster => clusterState('DoorLock', { LockState: state }),
  lock: (): MatterCluster => clusterCommand('DoorLock', 'LockDoor'),
  unlock: (): MatterCluster => clusterCommand('DoorLock', 'UnlockDoor'),
} as const;

/** SystemModeEnum members of Thermostat. */
export const THERMOSTAT_SYSTEM_MODES = [
  'Off',
  'Auto',
  'Cool',
  'Heat',
  'EmergencyHeat',
  'Precooling',
  'FanOnly',
  'Dry',
  'Sleep',
] as const;
export type ThermostatSystemMode = (typeof THERMOSTAT_SYSTEM_MODES)[number];

/** Thermostat (0x0201); temperatures in °C, sent as 0.01 °C units. */
export const thermostat = {
  localTemperature: (celsius: number | null): MatterCluster =>
    clusterState('Thermostat', {
      LocalTemperature: celsius === null ? null : celsiusToMatter(celsius),
    }),
  occupiedHeatingSetpoint: (celsius: number): MatterCluster =>
    clusterState('Thermostat', { OccupiedHeatingSetpoint: celsiusToMatter(celsius) }),
  occupiedCoolingSetpoint: (celsius: number): MatterCluster =>
    clusterState('Thermostat', { OccupiedCoolingSetpoint: celsiusToMatter(celsius) }),
  systemMode: (mode: ThermostatSystemMode): MatterCluster =>
    clusterState('Thermostat', { SystemMode: mode }),
  /** SetpointRaiseLower: raise (positive) or lower (negative) a setpoint by `celsius` (0.1 °C steps). */
  setpointRaiseLower: (mode: 'Heat' | 'Cool' | 'Both', celsius: number): MatterCluster =>
    clusterCommand('Thermostat', 'SetpointRaiseLower', {
      Mode: mode,
      Amount: Math.round(finite(celsius, 'amount') * 10),
    }),
} as const;

/** Temperature Measurement (0x0402); °C → 0.01 °C units. */
export const temperatureMeasurement = {
  measuredValue: (celsius: number | null): MatterCluster =>
    clusterState('TemperatureMeasurement', {
      MeasuredValue: celsius === null ? null : celsiusToMatter(celsius),
    }),
} as const;
