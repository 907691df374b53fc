import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '@c2c-kit/local-guard';
import { VendorConfigError } from './errors.js';
import type { OAuthClientConfig, OAuthStore, PersistedToken } from './oauthStore.js';
import type { DeviceSeed, Simulation, UserSeed } from './simulation.js';

/** A device as the state file keeps it: what recreates it, plus its connectivity and state. */
export interface SavedDevice {
  deviceId: string;
  kind: string;
  /** Owner's username (absent in version 1 files, which kept only state). */
  owner?: string;
  name?: string;
  online: boolean;
  state: unknown;
}

/** Everything a state file holds, version 1 or 2. */
export interface SavedState {
  users: UserSeed[];
  clients: OAuthClientConfig[];
  devices: SavedDevice[];
  tokens: PersistedToken[];
}

interface StateFileContent {
  version: 2;
  savedAt: string;
  users: UserSeed[];
  clients: OAuthClientConfig[];
  devices: SavedDevice[];
  tokens: PersistedToken[];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function validUser(v: unknown): v is UserSeed {
  return (
    isRecord(v) &&
    isString(v.username) &&
    isString(v.password) &&
    (v.displayName === undefined || isString(v.displayName))
  );
}

function validClient(v: unknown): v is OAuthClientConfig {
  return (
    isRecord(v) &&
    isString(v.clientId) &&
    isString(v.clientSecret) &&
    Array.isArray(v.redirectUris) &&
    v.redirectUris.every(isString)
  );
}

function validDevice(v: unknown): v is SavedDevice {
  return (
    isRecord(v) &&
    isString(v.deviceId) &&
    isString(v.kind) &&
    (v.owner === undefined || isString(v.owner)) &&
    (v.name === undefined || isString(v.name)) &&
    typeof v.online === 'boolean' &&
    isRecord(v.state)
  );
}

/**
 * The configured seeds plus what only the file has (added at run time, or configured on an
 * earlier start): the configuration wins for an id both have, so a changed option takes effect;
 * a saved device whose owner is gone is dropped.
 */
export function mergeSeeds(
  configured: { users: readonly UserSeed[]; devices: readonly DeviceSeed[] },
  saved: SavedState | undefined,
): { users: UserSeed[]; devices: DeviceSeed[] } {
  const users = [...configured.users];
  const devices = [...configured.devices];
  if (saved === undefined) return { users, devices };
  const usernames = new Set(users.map((u) => u.username));
  for (const u of saved.users) {
    if (usernames.has(u.username)) continue;
    usernames.add(u.username);
    users.push({ ...u });
  }
  const deviceIds = new Set(devices.map((d) => d.deviceId));
  for (const d of saved.devices) {
    if (d.owner === undefined || !usernames.has(d.owner) || deviceIds.has(d.deviceId)) continue;
    deviceIds.add(d.deviceId);
    devices.push({
      deviceId: d.deviceId,
      kind: d.kind as DeviceSeed['kind'],
      owner: d.owner,
      ...(d.name !== undefined ? { name: d.name } : {}),
    });
  }
  return { users, devices };
}

/** Configured OAuth clients plus saved ones the configuration no longer names. */
export function mergeClients(
  configured: readonly OAuthClientConfig[],
  saved: SavedState | undefined,
): OAuthClientConfig[] {
  const clients = configured.map((c) => ({ ...c, redirectUris: [...c.redirectUris] }));
  const ids = new Set(clients.map((c) => c.clientId));
  for (const c of saved?.clients ?? []) {
    if (!ids.has(c.clientId)) {
      ids.add(c.clientId);
      clients.push({ ...c, redirectUris: [...c.redirectUris] });
    }
  }
  return clients;
}

/**
 * Keeps the vendor's world in a JSON file — users, devices (with their state), OAuth clients and
 * the tokens issued at account linking — so a restarted vendor cloud still honours the tokens
 * managed integrations stored (`c2c dev` reusing its data dir), including users and devices
 * added at run time. Writes are debounced and atomic (temp file + rename), mode 0600 whatever the
 * umask, in a directory created 0700: the file holds passwords, client secrets and bearer tokens.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private parts: { store: OAuthStore; simulation: Simulation } | undefined;

  constructor(
    private readonly path: string,
    private readonly debounceMs = 200,
  ) {}

  /**
   * Reads the file: undefined when it does not exist. A corrupt file is a start-up error naming
   * the file. Version 1 files (tokens and device state only) are read too.
   */
  read(): SavedState | undefined {
    let text: string;
    try {
      // A file an older version wrote with a wider mode is ours: tighten it.
      tightenFile(this.path);
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new VendorConfigError(
        'stateFile',
        `cannot read ${this.path}: ${(err as Error).message}`,
      );
    }
    let content: Record<string, unknown>;
    try {
      content = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new VendorConfigError(
        'stateFile',
        `${this.path} is not valid JSON; delete it to start fresh`,
      );
    }
    const notOurs = () =>
      new VendorConfigError(
        'stateFile',
        `${this.path} is not a vendor-cloud state file (version 1 or 2)`,
      );
    if (!isRecord(content) || !Array.isArray(content.tokens) || !Array.isArray(content.devices)) {
      throw notOurs();
    }
    if (content.version === 1) {
      const devices = content.devices.filter(
        (d): d is SavedDevice => isRecord(d) && isString(d.deviceId) && isString(d.kind),
      );
      return { users: [], clients: [], devices, tokens: content.tokens as PersistedToken[] };
    }
    if (
      content.version !== 2 ||
      !Array.isArray(content.users) ||
      !content.users.every(validUser) ||
      !Array.isArray(content.clients) ||
      !content.clients.every(validClient) ||
      !content.devices.every(validDevice)
    ) {
      throw notOurs();
    }
    return {
      users: content.users,
      clients: content.clients,
      devices: content.devices,
      tokens: content.tokens as PersistedToken[],
    };
  }

  /**
   * Applies the saved device state and tokens to a vendor built from the merged seeds, and
   * writes from then on. Tokens of users or clients that no longer exist are dropped.
   */
  attach(
    store: OAuthStore,
    simulation: Simulation,
    saved: SavedState | undefined,
  ): { tokens: number; devices: number } {
    this.parts = { store, simulation };
    if (saved === undefined) return { tokens: 0, devices: 0 };
    return {
      devices: simulation.restore(saved.devices),
      tokens: store.restore(saved.tokens),
    };
  }

  /** Schedules a write; many changes in a burst produce one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now (also used at shutdown). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.parts === undefined) return;
    const { store, simulation } = this.parts;
    const seeds = simulation.seeds();
    const states = new Map(simulation.snapshot().map((d) => [d.deviceId, d]));
    const content: StateFileContent = {
      version: 2,
      savedAt: new Date().toISOString(),
      users: seeds.users,
      clients: store.clientConfigs(),
      devices: seeds.devices.map((d) => {
        const saved = states.get(d.deviceId);
        return {
          deviceId: d.deviceId,
          kind: d.kind,
          owner: d.owner,
          ...(d.name !== undefined ? { name: d.name } : {}),
          online: saved?.online ?? true,
          state: saved?.state ?? {},
        };
      }),
      tokens: store.snapshot(),
    };
    ensurePrivateDir(dirname(this.path));
    writePrivateFile(this.path, JSON.stringify(content));
  }
}
