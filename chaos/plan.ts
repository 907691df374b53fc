// What a chaos run sends and when it kills: options, device names, the sequence number each vendor
// event carries, and the kill schedule. Pure functions; chaos.ts runs them.
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  events: number;
  devices: number;
  /** The connector's worker processes (the emulator's Lambda host runs at most this many). */
  workers: number;
  /** Kills of each kind: connector worker, whole stack, emulator. */
  kills: number;
  seed: number;
  maxSeconds: number;
  /** Emulator fault injection (SendConnectorEvent and connector invokes). */
  faults: string;
  /**
   * Test only: after the run, deletes this many stored events and swaps two of one device, so
   * the report must show losses and an order violation (proves the counter catches them).
   */
  sabotage: boolean;
  dataDir?: string;
}

export const DEFAULTS: ChaosOptions = {
  events: 10_000,
  devices: 100,
  workers: 4,
  kills: 3,
  seed: 1,
  maxSeconds: 900,
  faults: 'throttle=0.2,error=0.05,latency=20ms',
  sabotage: false,
};

export const USAGE = `Usage: npm run chaos -- [--events N] [--devices N] [--workers N] [--kills N]
                        [--seed N] [--max-seconds N] [--faults spec] [--data-dir D]
Defaults: --events ${DEFAULTS.events} --devices ${DEFAULTS.devices} --workers ${DEFAULTS.workers} --kills ${DEFAULTS.kills} --seed ${DEFAULTS.seed} --max-seconds ${DEFAULTS.maxSeconds} --faults ${DEFAULTS.faults}`;

export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      events: { type: 'string' },
      devices: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      'max-seconds': { type: 'string' },
      faults: { type: 'string' },
      'data-dir': { type: 'string' },
      sabotage: { type: 'boolean' },
    },
  });
  const int = (name: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: expected an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const options: ChaosOptions = {
    events: int('events', values.events, DEFAULTS.events, 1),
    devices: int('devices', values.devices, DEFAULTS.devices, 1),
    workers: int('workers', values.workers, DEFAULTS.workers, 1),
    kills: int('kills', values.kills, DEFAULTS.kills, 0),
    seed: int('seed', values.seed, DEFAULTS.seed, 0),
    maxSeconds: int('max-seconds', values['max-seconds'], DEFAULTS.maxSeconds, 10),
    faults: values.faults ?? DEFAULTS.faults,
    sabotage: values.sabotage === true,
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
  };
  // The emulator's Lambda host runs at most 4 workers per function (LambdaHost
  // maxWorkersPerFunction, not configurable from the bin or `c2c dev`).
  if (options.workers !== 4)
    throw new Error('--workers: the emulator runs 4 workers per function; only 4 is supported');
  if (options.devices > 999) throw new Error('--devices: at most 999');
  if (Math.ceil(options.events / options.devices) > MAX_SEQ) {
    throw new Error(`--events/--devices: at most ${MAX_SEQ} events per device`);
  }
  return options;
}

export function chaosDeviceId(index: number): string {
  return `chaos-d${String(index).padStart(3, '0')}`;
}

/**
 * The sequence number travels as the thermostat's temperature: −200 °C + seq/100, i.e. the stored
 * Matter LocalTemperature (0.01 °C) is BASE + seq. Far below anything the simulated thermostats
 * report themselves, so their own drift events never count.
 */
const BASE = -20_000;
export const MAX_SEQ = 9_999;
export function temperatureOf(seq: number): number {
  return (BASE + seq) / 100;
}
export function seqOf(localTemperature: number): number | undefined {
  const seq = localTemperature - BASE;
  return Number.isInteger(seq) && seq >= 1 && seq <= MAX_SEQ ? seq : undefined;
}

/** Events per device: `events` spread over `devices`, the first ones getting the remainder. */
export function perDevice(options: Pick<ChaosOptions, 'events' | 'devices'>): number[] {
  const base = Math.floor(options.events / options.devices);
  const extra = options.events % options.devices;
  return Array.from({ length: options.devices }, (_, i) => base + (i < extra ? 1 : 0));
}

export type KillKind = 'worker' | 'stack' | 'emulator';
export interface Kill {
  kind: KillKind;
  /** Fires once this many events were acknowledged. */
  afterAcks: number;
}

/**
 * `kills` of each kind, cycling worker → stack → emulator, spread over the run (seeded jitter).
 * The cycle matters: a stack kill restarts the emulator bin alone on the data directory, and an
 * emulator kill restarts the whole stack, so each kind hits the process it names.
 */
export function killSchedule(options: Pick<ChaosOptions, 'events' | 'kills' | 'seed'>): Kill[] {
  const kinds: KillKind[] = ['worker', 'stack', 'emulator'];
  const total = options.kills * kinds.length;
  const random = rng(options.seed);
  return Array.from({ length: total }, (_, i) => {
    const slot = options.events / (total + 1);
    const jitter = (random() - 0.5) * slot * 0.5;
    return {
      kind: kinds[i % kinds.length] as KillKind,
      afterAcks: Math.max(1, Math.min(options.events - 1, Math.round(slot * (i + 1) + jitter))),
    };
  });
}

/** mulberry32: a small seeded generator, so a run's schedule is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
