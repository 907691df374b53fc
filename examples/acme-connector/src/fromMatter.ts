import { tryParseMatterId } from '@c2c-kit/matter';
import type {
  AcmeCommand,
  AcmeDevice,
  AcmeFanMode,
  AcmeKind,
  AcmeThermostatMode,
} from './acmeTypes.js';

/** One Matter endpoint as SendCommand delivers it (ids as hex strings, values by id). */
export interface MatterCommandEndpoint {
  readonly id: string;
  readonly clusters?: readonly {
    readonly id: string;
    readonly commands?: Readonly<Record<string, unknown>>;
    readonly attributes?: Readonly<Record<string, unknown>>;
  }[];
}

/**
 * One planned vendor call for one Matter command or attribute write. `build` may need the device's
 * current state (relative commands such as FanControl.Step or Thermostat.SetpointRaiseLower).
 */
export interface PlannedCommand {
  readonly endpointId: string;
  readonly clusterId: string;
  readonly commandId?: string;
  readonly attributeId?: string;
  /** Set when the Matter request cannot be mapped: report it with this status and message. */
  readonly error?: { status: number; message: string };
  readonly needsState?: boolean;
  readonly build?: (device?: AcmeDevice) => AcmeCommand;
}

const CLUSTER = {
  OnOff: 0x0006,
  LevelControl: 0x0008,
  DoorLock: 0x0101,
  Thermostat: 0x0201,
  FanControl: 0x0202,
  ColorControl: 0x0300,
} as const;

const FAN_MODE_FROM_MATTER: Record<number, AcmeFanMode | undefined> = {
  0: 'off',
  1: 'low',
  2: 'medium',
  3: 'high',
  // 4 (On) and 6 (Smart) are deprecated in Matter 1.4; "On" means "run", which for Acme is auto.
  4: 'auto',
  5: 'auto',
  6: 'auto',
};
const SYSTEM_MODE_FROM_MATTER: Record<number, AcmeThermostatMode | undefined> = {
  0: 'off',
  1: 'auto',
  3: 'cool',
  4: 'heat',
};
const ACME_ENDPOINT_ID = '1';
const FAN_STEPS: readonly AcmeFanMode[] = ['off', 'low', 'medium', 'high'];

function field(fields: unknown, id: number): unknown {
  if (typeof fields !== 'object' || fields === null) return undefined;
  for (const [key, value] of Object.entries(fields)) if (tryParseMatterId(key) === id) return value;
  return undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round1 = (v: number) => Math.round(v * 10) / 10;

type Mapper = (id: number, value: unknown) => Omit<PlannedCommand, 'endpointId' | 'clusterId'>;

function bad(message: string, status = 400): Omit<PlannedCommand, 'endpointId' | 'clusterId'> {
  return { error: { status, message } };
}

function fixed(
  command: string,
  params?: Record<string, unknown>,
): Omit<PlannedCommand, 'endpointId' | 'clusterId'> {
  return { build: () => (params ? { command, params } : { command }) };
}

/** Matter command id → vendor command, per (kind, cluster). */
const COMMANDS: Partial<Record<AcmeKind, Partial<Record<number, Mapper>>>> = {
  light: {
    [CLUSTER.OnOff]: (id) =>
      id === 0x00
        ? fixed('turnOff')
        : id === 0x01
          ? fixed('turnOn')
          : id === 0x02
            ? fixed('toggle')
            : bad('unsupported OnOff command'),
    [CLUSTER.LevelControl]: (id, fields) => {
      // MoveToLevel (0x00) and MoveToLevelWithOnOff (0x04); Level 0-254 → brightness 1-100 %.
      if (id !== 0x00 && id !== 0x04) return bad('unsupported LevelControl command');
      const level = int(field(fields, 0x00));
      if (level === undefined || level < 0 || level > 254)
        return bad('Level must be an integer 0-254');
      if (id === 0x04 && level === 0) return fixed('turnOff');
      return fixed('setBrightness', { brightness: clamp(Math.round((level * 100) / 254), 1, 100) });
    },
    [CLUSTER.ColorControl]: (id, fields) => {
      if (id !== 0x0a) return bad('unsupported ColorControl command');
      const mireds = int(field(fields, 0x00));
      if (mireds === undefined || mireds <= 0)
        return bad('ColorTemperatureMireds must be a positive integer');
      return fixed('setColorTemperature', {
        kelvin: clamp(Math.round(1_000_000 / mireds), 2700, 6500),
      });
    },
  },
  fan: {
    // A fan's On has no remembered speed at Acme, so it switches to auto, the vendor's "run" mode.
    [CLUSTER.OnOff]: (id) =>
      id === 0x00
        ? fixed('setMode', { mode: 'off' })
        : id === 0x01
          ? fixed('setMode', { mode: 'auto' })
          : id === 0x02
            ? {
                needsState: true,
                build: (d) => ({
                  command: 'setMode',
                  params: { mode: fanIsOn(d) ? 'off' : 'auto' },
                }),
              }
            : bad('unsupported OnOff command'),
    [CLUSTER.FanControl]: (id, fields) => {
      if (id !== 0x00) return bad('unsupported FanControl command');
      const direction = int(field(fields, 0x00));
      if (direction !== 0 && direction !== 1)
        return bad('Direction must be 0 (Increase) or 1 (Decrease)');
      const wrap = field(fields, 0x01) === true;
      const lowestOff = field(fields, 0x02) !== false;
      return {
        needsState: true,
        build: (d) => ({
          command: 'setMode',
          params: { mode: stepFan(d, direction === 0, wrap, lowestOff) },
        }),
      };
    },
  },
  lock: {
    [CLUSTER.DoorLock]: (id) =>
      id === 0x00
        ? fixed('lock')
        : id === 0x01
          ? fixed('unlock')
          : bad('unsupported DoorLock command'),
  },
  thermostat: {
    [CLUSTER.Thermostat]: (id, fields) => {
      if (id !== 0x00) return bad('unsupported Thermostat command');
      const mode = int(field(fields, 0x00));
      const amount = int(field(fields, 0x01));
      if (mode === undefined || mode < 0 || mode > 2 || amount === undefined) {
        return bad('SetpointRaiseLower needs Mode 0-2 and an integer Amount');
      }
      return {
        needsState: true,
        build: (d) => {
          const s = d?.kind === 'thermostat' ? d.state : undefined;
          const delta = amount / 10;
          const params: Record<string, unknown> = {};
          if (s && (mode === 0 || mode === 2))
            params.heatSetpointC = round1(s.heatSetpointC + delta);
          if (s && (mode === 1 || mode === 2))
            params.coolSetpointC = round1(s.coolSetpointC + delta);
          return { command: 'setSetpoints', params };
        },
      };
    },
  },
};

/** Matter attribute writes → vendor command, per (kind, cluster). */
const WRITES: Partial<Record<AcmeKind, Partial<Record<number, Mapper>>>> = {
  fan: {
    [CLUSTER.FanControl]: (id, value) => {
      if (id === 0x0000) {
        const mode = int(value) === undefined ? undefined : FAN_MODE_FROM_MATTER[value as number];
        return mode ? fixed('setMode', { mode }) : bad('FanMode must be a FanModeEnum value 0-6');
      }
      if (id === 0x0002) {
        const pct = int(value);
        if (value === null) return bad('PercentSetting null (no setting) cannot be written');
        return pct !== undefined && pct >= 0 && pct <= 100
          ? fixed('setSpeed', { speedPercent: pct })
          : bad('PercentSetting must be an integer 0-100');
      }
      return bad('FanControl attribute is not writable here');
    },
    [CLUSTER.OnOff]: (id, value) =>
      id === 0x0000 && typeof value === 'boolean'
        ? fixed('setMode', { mode: value ? 'auto' : 'off' })
        : bad('OnOff attribute write must be OnOff (0x0000) with a boolean'),
  },
  light: {
    [CLUSTER.OnOff]: (id, value) =>
      id === 0x0000 && typeof value === 'boolean'
        ? fixed(value ? 'turnOn' : 'turnOff')
        : bad('OnOff attribute write must be OnOff (0x0000) with a boolean'),
  },
  thermostat: {
    [CLUSTER.Thermostat]: (id, value) => {
      if (id === 0x001c) {
        const mode =
          int(value) === undefined ? undefined : SYSTEM_MODE_FROM_MATTER[value as number];
        return mode
          ? fixed('setMode', { mode })
          : bad('SystemMode must be Off (0), Auto (1), Cool (3) or Heat (4)');
      }
      if (id === 0x0012 || id === 0x0011) {
        const v = int(value);
        if (v === undefined) return bad('setpoint must be an integer in 0.01 °C');
        const key = id === 0x0012 ? 'heatSetpointC' : 'coolSetpointC';
        return fixed('setSetpoints', { [key]: round1(v / 100) });
      }
      return bad('Thermostat attribute is not writable here');
    },
  },
};

function fanIsOn(d?: AcmeDevice): boolean {
  return d?.kind === 'fan' && d.state.mode !== 'off';
}

function stepFan(
  d: AcmeDevice | undefined,
  up: boolean,
  wrap: boolean,
  lowestOff: boolean,
): AcmeFanMode {
  const current = d?.kind === 'fan' ? d.state.mode : 'off';
  // Auto has no position on the speed ladder; step from the speed the fan actually runs at.
  const from =
    current === 'auto' && d?.kind === 'fan'
      ? d.state.speedPercent <= 33
        ? 'low'
        : d.state.speedPercent <= 66
          ? 'medium'
          : 'high'
      : current;
  const ladder = lowestOff ? FAN_STEPS : FAN_STEPS.slice(1);
  let i = Math.max(ladder.indexOf(from as AcmeFanMode), 0) + (up ? 1 : -1);
  if (i >= ladder.length) i = wrap ? 0 : ladder.length - 1;
  if (i < 0) i = wrap ? ladder.length - 1 : 0;
  return ladder[i] ?? 'off';
}

/**
 * Plans the vendor calls for the Matter endpoints of one SendCommand. Never throws: every command
 * or write it cannot map comes back as a planned entry with `error`, so the runtime can report a
 * per-command status instead of failing the whole request.
 */
export function planCommands(
  kind: AcmeKind,
  endpoints: readonly MatterCommandEndpoint[],
): PlannedCommand[] {
  const plan: PlannedCommand[] = [];
  for (const ep of endpoints) {
    // Every Acme device is one Matter endpoint, "1" (see capabilityReportFor).
    const missing =
      ep.id === ACME_ENDPOINT_ID
        ? undefined
        : bad(`endpoint ${ep.id} does not exist on a ${kind} (it has endpoint 1)`, 404);
    for (const cluster of ep.clusters ?? []) {
      const clusterNum = tryParseMatterId(cluster.id);
      const base = { endpointId: ep.id, clusterId: cluster.id };
      for (const [cmdKey, fields] of Object.entries(cluster.commands ?? {})) {
        const cmdId = tryParseMatterId(cmdKey);
        const mapper = clusterNum === undefined ? undefined : COMMANDS[kind]?.[clusterNum];
        const mapped =
          missing ??
          (mapper && cmdId !== undefined
            ? mapper(cmdId, fields)
            : bad(`a ${kind} does not support command ${cmdKey} of cluster ${cluster.id}`));
        plan.push({ ...base, commandId: cmdKey, ...mapped });
      }
      for (const [attrKey, value] of Object.entries(cluster.attributes ?? {})) {
        const attrId = tryParseMatterId(attrKey);
        const mapper = clusterNum === undefined ? undefined : WRITES[kind]?.[clusterNum];
        const mapped =
          missing ??
          (mapper && attrId !== undefined
            ? mapper(attrId, value)
            : bad(
                `a ${kind} does not support writing attribute ${attrKey} of cluster ${cluster.id}`,
              ));
        plan.push({ ...base, attributeId: attrKey, ...mapped });
      }
    }
  }
  return plan;
}
