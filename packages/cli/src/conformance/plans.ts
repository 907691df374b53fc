import {
  type ClusterDef,
  type CommandDef,
  conformanceLevel,
  formatAttributeId,
  formatClusterId,
  getAttribute,
  getCluster,
  getDatatype,
} from '@c2c-kit/matter';

/**
 * State-transition plans, in the style of Alexa's capability test plans: for a Matter command,
 * the arguments to send, the attribute values the device must report afterwards (with a
 * tolerance), and what the simulated vendor cloud's own state must then be. A command a device
 * advertises without a plan here is still sent (arguments built from the Matter table) and its
 * answer checked; only its effect is not.
 */

/** One attribute value a planned command must lead to. */
export interface Expectation {
  /** `0x0006` */
  readonly cluster: string;
  /** `0x0000` */
  readonly attribute: string;
  /** `OnOff.OnOff`, for messages. */
  readonly name: string;
  readonly value: number | boolean;
  /** Allowed difference for numbers (0 = exact). */
  readonly tolerance: number;
}

/** The latest reported value of an attribute before the command, if any. */
export type Before = (cluster: string, attribute: string) => unknown;

export interface CommandPlan {
  /** Arguments by Matter field name (SendManagedThingCommand action parameters). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Attribute values afterwards; undefined when they depend on a value not reported yet. */
  expect(before: Before): Expectation[] | undefined;
  /** The simulated cloud's device state afterwards: undefined when right, else what is wrong. */
  vendor?(kind: string, before: VendorState, after: VendorState): string | undefined;
}

type VendorState = Readonly<Record<string, unknown>>;

function attr(cluster: string, attribute: string, value: number | boolean, tolerance = 0) {
  const c = getCluster(cluster) as ClusterDef;
  const a = getAttribute(c, attribute);
  if (a === undefined) throw new Error(`plans: ${cluster}.${attribute} is not in the table`);
  return {
    cluster: formatClusterId(c.id),
    attribute: formatAttributeId(a.id),
    name: `${cluster}.${attribute}`,
    value,
    tolerance,
  };
}

const near = (got: unknown, want: number, tolerance: number) =>
  typeof got === 'number' && Math.abs(got - want) <= tolerance;

const onOffVendor =
  (want: (before: VendorState, kind: string) => boolean) =>
  (kind: string, before: VendorState, after: VendorState): string | undefined => {
    const isOn = (s: VendorState) => (kind === 'fan' ? s.mode !== 'off' : s.on === true);
    if (kind !== 'light' && kind !== 'fan') return undefined;
    const expected = want(before, kind);
    return isOn(after) === expected ? undefined : `the ${kind} is ${isOn(after) ? 'on' : 'off'}`;
  };

const level = (value: number, withOnOff: boolean): CommandPlan => ({
  fields: { Level: value, TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
  expect: () => [
    attr('LevelControl', 'CurrentLevel', value, 3),
    ...(withOnOff ? [attr('OnOff', 'OnOff', true)] : []),
  ],
  vendor: (kind, _before, after) => {
    if (kind !== 'light') return undefined;
    const percent = Math.round((value * 100) / 254);
    if (!near(after.brightness, percent, 2)) {
      return `brightness is ${String(after.brightness)}, expected ${percent} ± 2`;
    }
    return withOnOff && after.on !== true ? 'the light is off' : undefined;
  },
});

const HEAT_STEP = 10; // SetpointRaiseLower Amount: 0.1 °C steps (1.0 °C)

/** Plans by `Cluster.Command`. */
export const PLANS: Readonly<Record<string, CommandPlan>> = {
  'OnOff.Off': {
    fields: {},
    expect: () => [attr('OnOff', 'OnOff', false)],
    vendor: onOffVendor(() => false),
  },
  'OnOff.On': {
    fields: {},
    expect: () => [attr('OnOff', 'OnOff', true)],
    vendor: onOffVendor(() => true),
  },
  'OnOff.Toggle': {
    fields: {},
    expect: (before) => {
      const was = before('0x0006', '0x0000');
      return typeof was === 'boolean' ? [attr('OnOff', 'OnOff', !was)] : undefined;
    },
    vendor: onOffVendor((before, kind) => (kind === 'fan' ? before.mode === 'off' : !before.on)),
  },
  'LevelControl.MoveToLevel': level(127, false),
  'LevelControl.MoveToLevelWithOnOff': level(200, true),
  'ColorControl.MoveToColorTemperature': {
    fields: { ColorTemperatureMireds: 250, TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
    expect: () => [attr('ColorControl', 'ColorTemperatureMireds', 250, 8)],
    vendor: (kind, _before, after) =>
      kind !== 'light' || near(after.colorTempKelvin, 4000, 80)
        ? undefined
        : `colorTempKelvin is ${String(after.colorTempKelvin)}, expected 4000 ± 80`,
  },
  'DoorLock.LockDoor': {
    fields: {},
    expect: () => [attr('DoorLock', 'LockState', 1)],
    vendor: (kind, _b, after) =>
      kind !== 'lock' || after.lockState === 'locked'
        ? undefined
        : `lockState is ${String(after.lockState)}`,
  },
  'DoorLock.UnlockDoor': {
    fields: {},
    expect: () => [attr('DoorLock', 'LockState', 2)],
    vendor: (kind, _b, after) =>
      kind !== 'lock' || after.lockState === 'unlocked'
        ? undefined
        : `lockState is ${String(after.lockState)}`,
  },
  'Thermostat.SetpointRaiseLower': {
    fields: { Mode: 0, Amount: HEAT_STEP },
    expect: (before) => {
      const was = before('0x0201', '0x0012');
      return typeof was === 'number'
        ? [attr('Thermostat', 'OccupiedHeatingSetpoint', was + HEAT_STEP * 10, 10)]
        : undefined;
    },
    vendor: (kind, before, after) => {
      if (kind !== 'thermostat' || typeof before.heatSetpointC !== 'number') return undefined;
      const want = before.heatSetpointC + HEAT_STEP / 10;
      return near(after.heatSetpointC, want, 0.05)
        ? undefined
        : `heatSetpointC is ${String(after.heatSetpointC)}, expected ${want}`;
    },
  },
};

/**
 * Arguments for a command without a plan, from the Matter table: each mandatory field gets its
 * default, else the first enum member, 0 (or the minimum) for numbers and bitmaps, false, "".
 * Undefined when a field is a list or struct (nothing sensible to send blindly).
 */
export function genericFields(
  cluster: ClusterDef,
  command: CommandDef,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const field of command.fields) {
    const level = conformanceLevel(field.conformance, cluster, undefined);
    if (level !== 'mandatory') continue;
    if (field.default !== undefined && field.default !== null) {
      out[field.name] = field.default;
      continue;
    }
    switch (field.kind) {
      case 'enum': {
        const type = getDatatype(cluster, field.ref) as { members?: Array<{ value: number }> };
        out[field.name] = type?.members?.[0]?.value ?? 0;
        break;
      }
      case 'int':
      case 'float':
        out[field.name] = typeof field.min === 'number' ? Math.max(field.min, 0) : 0;
        break;
      case 'bitmap':
        out[field.name] = 0;
        break;
      case 'bool':
        out[field.name] = false;
        break;
      case 'string':
        out[field.name] = '';
        break;
      default:
        return undefined;
    }
  }
  return out;
}
