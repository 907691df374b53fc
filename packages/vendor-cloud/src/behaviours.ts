import { type Change, type DeviceStates, round1, type VendorDevice } from './devices.js';

/**
 * What devices do by themselves as simulated time passes: a camera's motion clears, batteries
 * drain (an empty one takes the device offline), a thermostat moves toward its target.
 */

export interface BehaviourOptions {
  /** A motion clears by itself after this long (default 15 s). */
  motionHoldMs?: number;
  /** Camera battery loses 1 % per this many ms (default 120 s); 0 disables draining. */
  cameraDrainMsPerPercent?: number;
  /** Contact sensor battery loses 1 % per this many ms (default 15 min); 0 disables. */
  contactDrainMsPerPercent?: number;
  /** Thermostat moves 0.1 °C toward its target per this many ms (default 5 s); 0 disables. */
  thermostatStepMs?: number;
  /** Room temperature a thermostat drifts to when it is off (default 18 °C). */
  ambientC?: number;
}

/** Bound on behaviour steps per device per `advance()`, so a huge jump cannot stall the loop. */
const MAX_STEPS_PER_ADVANCE = 10_000;

/** A device and what its behaviours carry between steps. */
export interface DeviceRuntime {
  device: VendorDevice;
  ownerId: string;
  motionSince: number | undefined;
  drainCarryMs: number;
  thermoCarryMs: number;
}

/** The behaviour options with every default filled in. */
export function withDefaults(b: BehaviourOptions = {}): Required<BehaviourOptions> {
  return {
    motionHoldMs: b.motionHoldMs ?? 15_000,
    cameraDrainMsPerPercent: b.cameraDrainMsPerPercent ?? 120_000,
    contactDrainMsPerPercent: b.contactDrainMsPerPercent ?? 900_000,
    thermostatStepMs: b.thermostatStepMs ?? 5_000,
    ambientC: b.ambientC ?? 18,
  };
}

/**
 * Runs `ms` of every online device's behaviours from simulated time `now`; each change goes to
 * `emit` as it happens.
 */
export function runBehaviours(
  runtimes: Iterable<DeviceRuntime>,
  now: number,
  ms: number,
  behaviour: Required<BehaviourOptions>,
  emit: (rt: DeviceRuntime, changes: Change[]) => void,
): void {
  if (ms <= 0) return;
  const b = behaviour;
  for (const rt of runtimes) {
    const d = rt.device;
    if (!d.online) continue;
    if (d.kind === 'camera') {
      if (
        d.state.motion &&
        rt.motionSince !== undefined &&
        now + ms - rt.motionSince >= b.motionHoldMs
      ) {
        d.state.motion = false;
        rt.motionSince = undefined;
        emit(rt, [{ type: 'device.motion', data: { motion: false } }]);
      }
    }
    if (d.kind === 'camera' || d.kind === 'contact') {
      const per = d.kind === 'camera' ? b.cameraDrainMsPerPercent : b.contactDrainMsPerPercent;
      if (per > 0) {
        rt.drainCarryMs += ms;
        const percent = Math.min(Math.floor(rt.drainCarryMs / per), d.state.battery);
        if (percent > 0) {
          rt.drainCarryMs -= percent * per;
          d.state.battery -= percent;
          emit(rt, [{ type: 'device.battery', data: { battery: d.state.battery } }]);
          if (d.state.battery === 0) {
            d.online = false;
            emit(rt, [{ type: 'device.connectivity', data: { online: false } }]);
          }
        }
      }
    }
    if (d.kind === 'thermostat' && b.thermostatStepMs > 0) {
      rt.thermoCarryMs += ms;
      const steps = Math.min(
        Math.floor(rt.thermoCarryMs / b.thermostatStepMs),
        MAX_STEPS_PER_ADVANCE,
      );
      rt.thermoCarryMs -= steps * b.thermostatStepMs;
      if (steps > 0) {
        const before = d.state.temperatureC;
        const target = thermostatTarget(d.state, b.ambientC);
        const delta = Math.min(Math.abs(target - before), steps * 0.1);
        const after = round1(before + Math.sign(target - before) * delta);
        if (after !== before) {
          d.state.temperatureC = after;
          emit(rt, [{ type: 'device.temperature', data: { temperatureC: after } }]);
        }
      }
    }
  }
}

function thermostatTarget(s: DeviceStates['thermostat'], ambient: number): number {
  switch (s.mode) {
    case 'heat':
      return s.heatSetpointC;
    case 'cool':
      return s.coolSetpointC;
    case 'auto':
      return Math.min(Math.max(s.temperatureC, s.heatSetpointC), s.coolSetpointC);
    default:
      return ambient;
  }
}
