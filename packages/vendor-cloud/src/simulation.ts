import { createHash, randomUUID } from 'node:crypto';
import {
  type BehaviourOptions,
  type DeviceRuntime,
  runBehaviours,
  withDefaults,
} from './behaviours.js';
import {
  applyCommand,
  applyTrigger,
  type Change,
  createDevice,
  DEVICE_KINDS,
  type DeviceKind,
  type DeviceStates,
  type VendorDevice,
} from './devices.js';
import { DeviceNotFoundError, InvalidRequestError, VendorConfigError } from './errors.js';
import { parseScenario, type ScenarioStep } from './scenario.js';
import { describe } from './validate.js';

/** A demo end user of the vendor cloud. */
export interface VendorUser {
  username: string;
  password: string;
  displayName: string;
  /** Stable, globally unique id (`^[a-zA-Z0-9_.,@-]+$`, ≤ 64), derived from the username. */
  userId: string;
}

export interface UserSeed {
  username: string;
  password: string;
  displayName?: string;
}

export interface DeviceSeed {
  deviceId: string;
  kind: DeviceKind;
  /** Username of the owner. */
  owner: string;
  name?: string;
  state?: Partial<DeviceStates[DeviceKind]>;
}

/** A device-initiated (or command-caused) event; also the webhook payload. */
export interface DeviceEvent {
  /** Unique event id; reused as the Standard Webhooks `webhook-id`. */
  eventId: string;
  /** `device.motion`, `device.battery`, `device.connectivity`, `device.contact`, `device.lock`,
   * `device.temperature` or `device.state`. */
  type: string;
  deviceId: string;
  kind: DeviceKind;
  userId: string;
  /** ISO-8601 time of the change on the simulated clock. */
  occurredAt: string;
  /** `device`: physical/simulated; `command`: caused by a REST command; `scenario`: scripted. */
  source: 'device' | 'command' | 'scenario';
  /** The changed members of the device's `state` (or `{ online }` for connectivity). */
  data: Record<string, unknown>;
}

export interface SimulationOptions {
  users?: UserSeed[];
  devices?: DeviceSeed[];
  /** Simulated start time (ms since epoch); default now. */
  startAt?: number;
  /** Seed for event ids; when set, ids are deterministic (tests). */
  seed?: number;
  behaviour?: BehaviourOptions;
}

export const DEFAULT_USERS: readonly UserSeed[] = [
  { username: 'alice', password: 'alice-password', displayName: 'Alice Andersen' },
  { username: 'bob', password: 'bob-password', displayName: 'Bob Brown' },
  { username: 'carol', password: 'carol-password', displayName: 'Carol Chen' },
];

export const DEFAULT_DEVICES: readonly DeviceSeed[] = [
  { deviceId: 'cam-1', kind: 'camera', owner: 'alice', name: 'Front door camera' },
  { deviceId: 'fan-1', kind: 'fan', owner: 'alice', name: 'Living room fan' },
  { deviceId: 'light-1', kind: 'light', owner: 'alice', name: 'Desk lamp' },
  { deviceId: 'lock-1', kind: 'lock', owner: 'alice', name: 'Front door lock' },
  { deviceId: 'contact-1', kind: 'contact', owner: 'alice', name: 'Back door sensor' },
  { deviceId: 'thermo-1', kind: 'thermostat', owner: 'alice', name: 'Hallway thermostat' },
  { deviceId: 'cam-2', kind: 'camera', owner: 'bob', name: 'Garage camera' },
  { deviceId: 'fan-2', kind: 'fan', owner: 'bob', name: 'Bedroom fan' },
  { deviceId: 'lock-2', kind: 'lock', owner: 'bob', name: 'Garage door lock' },
];

/** Stable id for a username: the same user keeps the same id across restarts (ActivateUser contract). */
export function userIdFor(username: string): string {
  return `acme-${createHash('sha256').update(`acme-user:${username}`).digest('hex').slice(0, 20)}`;
}

type Listener = (event: DeviceEvent) => void;

/**
 * The virtual devices, their owners and behaviours on a simulated clock. Time only moves through
 * `advance(ms)` (tests) or `syncTo(now)` (the real-time ticker), so a run is fully deterministic.
 */
export class Simulation {
  readonly users: readonly VendorUser[];
  private readonly devices = new Map<string, DeviceRuntime>();
  private readonly listeners = new Set<Listener>();
  private readonly behaviour: Required<BehaviourOptions>;
  private scenario: { at: number; step: ScenarioStep; index: number }[] = [];
  private now: number;
  private seq = 0;
  private readonly seed: number | undefined;

  constructor(options: SimulationOptions = {}) {
    this.users = [];
    (options.users ?? DEFAULT_USERS).forEach((u, i) => {
      this.addUser(u, `users[${i}]`);
    });
    (options.devices ?? DEFAULT_DEVICES).forEach((d, i) => {
      this.addDevice(d, `devices[${i}]`);
    });
    this.now = options.startAt ?? Date.now();
    this.seed = options.seed;
    this.behaviour = withDefaults(options.behaviour);
  }

  /**
   * Adds an end user (a seed at start, or `POST /_sim/users` at run time). A bad or duplicate
   * username is a `VendorConfigError` naming `path`.
   */
  addUser(seed: UserSeed, path = 'user'): VendorUser {
    if (!/^[a-zA-Z0-9_.-]{1,40}$/.test(seed.username)) {
      throw new VendorConfigError(`${path}.username`, 'expected 1-40 of [a-zA-Z0-9_.-]');
    }
    if (this.findUser(seed.username)) {
      throw new VendorConfigError(`${path}.username`, 'duplicate');
    }
    if (typeof seed.password !== 'string' || seed.password.length === 0) {
      throw new VendorConfigError(`${path}.password`, 'required');
    }
    const user: VendorUser = {
      username: seed.username,
      password: seed.password,
      displayName: seed.displayName ?? seed.username,
      userId: userIdFor(seed.username),
    };
    (this.users as VendorUser[]).push(user);
    return user;
  }

  /**
   * Adds a virtual device owned by an existing user (a seed at start, or `POST /_sim/devices` at
   * run time). An unknown owner or kind, or a duplicate id, is a `VendorConfigError` naming `path`.
   */
  addDevice(seed: DeviceSeed, path = 'device'): VendorDevice {
    const owner = this.findUser(seed.owner);
    if (!owner)
      throw new VendorConfigError(`${path}.owner`, `unknown user ${describe(seed.owner)}`);
    if (!DEVICE_KINDS.includes(seed.kind)) {
      throw new VendorConfigError(`${path}.kind`, `expected one of ${DEVICE_KINDS.join('|')}`);
    }
    if (
      typeof seed.deviceId !== 'string' ||
      seed.deviceId.length < 1 ||
      seed.deviceId.length > 64
    ) {
      throw new VendorConfigError(`${path}.deviceId`, 'expected a string of 1-64 characters');
    }
    if (this.devices.has(seed.deviceId)) {
      throw new VendorConfigError(`${path}.deviceId`, 'duplicate');
    }
    const opts: { name?: string; state?: Partial<DeviceStates[DeviceKind]> } = {};
    if (seed.name !== undefined) opts.name = seed.name;
    if (seed.state !== undefined) opts.state = seed.state;
    const device = createDevice(seed.kind, seed.deviceId, opts);
    this.devices.set(seed.deviceId, {
      device,
      ownerId: owner.userId,
      motionSince: undefined,
      drainCarryMs: 0,
      thermoCarryMs: 0,
    });
    return clone(device);
  }

  /**
   * Removes a device (`DELETE /_sim/devices/:id`): the vendor no longer has it, so the owner's
   * next device list lacks it. An unknown id is a `DeviceNotFoundError` (404).
   */
  removeDevice(deviceId: string): VendorDevice {
    const rt = this.devices.get(deviceId);
    if (!rt) throw new DeviceNotFoundError(deviceId);
    this.devices.delete(deviceId);
    this.scenario = this.scenario.filter((s) => s.step.deviceId !== deviceId);
    return clone(rt.device);
  }

  /** Users and devices as seeds (what recreates them), for the state file. */
  seeds(): { users: UserSeed[]; devices: DeviceSeed[] } {
    return {
      users: this.users.map((u) => ({
        username: u.username,
        password: u.password,
        displayName: u.displayName,
      })),
      devices: [...this.devices.values()].map((r) => ({
        deviceId: r.device.deviceId,
        kind: r.device.kind,
        owner: this.userById(r.ownerId)?.username ?? '',
        name: r.device.name,
      })),
    };
  }

  /** Device connectivity and state as plain data, for the state file. */
  snapshot(): { deviceId: string; kind: DeviceKind; online: boolean; state: unknown }[] {
    return [...this.devices.values()].map((r) => ({
      deviceId: r.device.deviceId,
      kind: r.device.kind,
      online: r.device.online,
      state: clone(r.device.state),
    }));
  }

  /**
   * Applies saved device state onto the configured devices (same id and kind). Saved entries for
   * devices no longer configured are ignored; saved members are merged over the defaults.
   */
  restore(
    saved: readonly { deviceId: string; kind: string; online: boolean; state: unknown }[],
  ): number {
    let applied = 0;
    for (const s of saved) {
      const rt = this.devices.get(s.deviceId);
      if (!rt || rt.device.kind !== s.kind || typeof s.state !== 'object' || s.state === null)
        continue;
      rt.device.online = s.online === true;
      Object.assign(rt.device.state, s.state);
      applied += 1;
    }
    return applied;
  }

  /** Current simulated time (ms since epoch). */
  currentTime(): number {
    return this.now;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  findUser(username: string): VendorUser | undefined {
    return this.users.find((u) => u.username === username);
  }

  userById(userId: string): VendorUser | undefined {
    return this.users.find((u) => u.userId === userId);
  }

  /** Devices of one user, as copies (callers cannot mutate simulation state). */
  listDevices(userId: string): VendorDevice[] {
    return [...this.devices.values()]
      .filter((r) => r.ownerId === userId)
      .map((r) => clone(r.device));
  }

  /** Every device with its owner's id, for the simulation control API. */
  allDevices(): (VendorDevice & { ownerId: string })[] {
    return [...this.devices.values()].map((r) => ({ ...clone(r.device), ownerId: r.ownerId }));
  }

  /** One device of one user; another user's device is reported as not found. */
  getDevice(userId: string | undefined, deviceId: string): VendorDevice {
    return clone(this.runtime(userId, deviceId).device);
  }

  /** Runs a REST command for the device's owner. Returns the device after the change. */
  execute(userId: string, deviceId: string, command: string, params: unknown): VendorDevice {
    const rt = this.runtime(userId, deviceId);
    const changes = applyCommand(rt.device, command, params);
    this.emit(rt, changes, 'command');
    return clone(rt.device);
  }

  /** Simulates a physical event on a device (the dashboard's "motion" button, tests). */
  trigger(
    deviceId: string,
    event: string,
    params?: unknown,
    source: 'device' | 'scenario' = 'device',
  ): DeviceEvent[] {
    const rt = this.runtime(undefined, deviceId);
    const changes = applyTrigger(rt.device, event, params);
    if (rt.device.kind === 'camera' && event === 'motion') rt.motionSince = this.now;
    return this.emit(rt, changes, source);
  }

  /**
   * Validates and schedules scripted events relative to the current simulated time. All steps are
   * checked before any is scheduled, so a bad script changes nothing.
   */
  schedule(rawSteps: unknown, path = 'body.steps'): number {
    const steps = parseScenario(rawSteps, path, (id) => this.devices.get(id)?.device.kind);
    const base = this.now;
    let index = this.scenario.length;
    for (const step of steps) this.scenario.push({ at: base + step.afterMs, step, index: index++ });
    // Stable order: by due time, then by the order they were scheduled in.
    this.scenario.sort((a, b) => a.at - b.at || a.index - b.index);
    return steps.length;
  }

  /** Number of scripted steps not yet run. */
  pendingScenarioSteps(): number {
    return this.scenario.length;
  }

  /** Moves simulated time forward, running behaviours and due scenario steps in time order. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidRequestError('ms', 'a finite number ≥ 0', describe(ms));
    }
    const target = this.now + ms;
    while (this.scenario.length > 0 && (this.scenario[0]?.at ?? Infinity) <= target) {
      const due = this.scenario.shift();
      if (!due) break;
      this.runBehaviours(due.at - this.now);
      this.now = due.at;
      try {
        this.trigger(due.step.deviceId, due.step.event, due.step.params, 'scenario');
      } catch {
        // A scripted step can become impossible (device went offline meanwhile); skip it rather
        // than abort the rest of the script.
      }
    }
    this.runBehaviours(target - this.now);
    this.now = target;
  }

  /** Advances to a wall-clock time (the real-time ticker); never moves backwards. */
  syncTo(now: number): void {
    if (now > this.now) this.advance(now - this.now);
  }

  private runBehaviours(ms: number): void {
    runBehaviours(this.devices.values(), this.now, ms, this.behaviour, (rt, changes) => {
      this.emit(rt, changes, 'device');
    });
  }

  private runtime(userId: string | undefined, deviceId: string): DeviceRuntime {
    const rt = this.devices.get(deviceId);
    if (!rt || (userId !== undefined && rt.ownerId !== userId))
      throw new DeviceNotFoundError(deviceId);
    return rt;
  }

  private emit(rt: DeviceRuntime, changes: Change[], source: DeviceEvent['source']): DeviceEvent[] {
    const events = changes.map(
      (c): DeviceEvent => ({
        eventId: this.nextId(),
        type: c.type,
        deviceId: rt.device.deviceId,
        kind: rt.device.kind,
        userId: rt.ownerId,
        occurredAt: new Date(this.now).toISOString(),
        source,
        data: c.data,
      }),
    );
    for (const event of events) {
      for (const listener of this.listeners) listener(event);
    }
    return events;
  }

  private nextId(): string {
    this.seq += 1;
    if (this.seed === undefined) return `evt_${randomUUID().replaceAll('-', '')}`;
    const hash = createHash('sha256').update(`${this.seed}:${this.seq}`).digest('hex');
    return `evt_${hash.slice(0, 32)}`;
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
