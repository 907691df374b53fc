import { CLUSTERS } from './generated/clusters.js';
import { DEVICE_TYPES } from './generated/device-types.js';
import { tryParseMatterId } from './ids.js';
import type {
  AttributeDef,
  ClusterDef,
  CommandDef,
  DatatypeDef,
  DeviceTypeDef,
  EventDef,
  FieldDef,
} from './model.js';
import type { Pack } from './packed.js';

/** Per-cluster indices, built on first use so loading the table stays cheap. */
interface ClusterIndex {
  readonly attributesById: Map<number, AttributeDef>;
  readonly attributesByName: Map<string, AttributeDef>;
  readonly commandsById: Map<number, CommandDef>;
  readonly commandsByName: Map<string, CommandDef>;
  readonly eventsById: Map<number, EventDef>;
  readonly eventsByName: Map<string, EventDef>;
  readonly featureBits: Map<string, number>;
}

/**
 * Lookups by id and name, built on first use from the packed table's heads (ids and names only):
 * importing the package decodes nothing, and a lookup decodes just the cluster it finds.
 */
interface Getter<K, T> {
  get(key: K): T | undefined;
}

interface Lookup<T> {
  readonly byId: Getter<number, T>;
  readonly byName: Getter<string, T>;
}

function lookupOf<T>(pack: Pack<T, [number, string, string]>): () => Lookup<T> {
  let lookup: Lookup<T> | undefined;
  return () => {
    if (lookup === undefined) {
      const byId = new Map<number, number>();
      const byName = new Map<string, number>();
      pack.heads().forEach(([id, name, displayName], i) => {
        byId.set(id, i);
        byName.set(name.toLowerCase(), i);
        byName.set(displayName.toLowerCase(), i);
      });
      lookup = { byId: lazyMap(byId, pack), byName: lazyMap(byName, pack) };
    }
    return lookup;
  };
}

/** Reads through `index` and decodes the item behind a key when it is read. */
function lazyMap<K, T>(index: Map<K, number>, pack: Pack<T, unknown>): Getter<K, T> {
  return {
    get: (key: K) => {
      const i = index.get(key);
      return i === undefined ? undefined : pack.item(i);
    },
  };
}

const clusterLookup = lookupOf(CLUSTERS);
const deviceTypeLookup = lookupOf(DEVICE_TYPES);
const indices = new WeakMap<ClusterDef, ClusterIndex>();

/** Names match case-insensitively: "fanmode" finds FanMode. */
function nameKey(name: string): string {
  return name.toLowerCase();
}

export function clusterIndex(cluster: ClusterDef): ClusterIndex {
  let index = indices.get(cluster);
  if (index === undefined) {
    index = {
      attributesById: new Map(cluster.attributes.map((a) => [a.id, a])),
      attributesByName: new Map(cluster.attributes.map((a) => [nameKey(a.name), a])),
      commandsById: new Map(cluster.commands.map((c) => [c.id, c])),
      commandsByName: new Map(cluster.commands.map((c) => [nameKey(c.name), c])),
      eventsById: new Map(cluster.events.map((e) => [e.id, e])),
      eventsByName: new Map(cluster.events.map((e) => [nameKey(e.name), e])),
      featureBits: new Map(cluster.features.map((f) => [f.code, f.bit])),
    };
    indices.set(cluster, index);
  }
  return index;
}

function byIdOrName<T>(
  ref: string | number,
  byId: Getter<number, T>,
  byName: Getter<string, T>,
): T | undefined {
  const id = tryParseMatterId(ref);
  if (id !== undefined) return byId.get(id);
  return typeof ref === 'string' ? byName.get(nameKey(ref)) : undefined;
}

/** Every Matter 1.4 cluster, sorted by id. */
export function listClusters(): readonly ClusterDef[] {
  return CLUSTERS.all();
}

/** Every Matter 1.4 device type, sorted by id. */
export function listDeviceTypes(): readonly DeviceTypeDef[] {
  return DEVICE_TYPES.all();
}

/**
 * A cluster by id (`0x0202`, `"514"`, `514`), PascalCase name (`FanControl`), display name
 * (`Fan Control`) or capability id (`matter.FanControl@1.4`); undefined when Matter 1.4 has none.
 */
export function getCluster(idOrName: string | number | ClusterDef): ClusterDef | undefined {
  if (typeof idOrName === 'object') return idOrName;
  if (typeof idOrName === 'string' && idOrName.startsWith('matter.')) {
    const at = idOrName.indexOf('@');
    return clusterLookup().byName.get(nameKey(idOrName.slice(7, at < 0 ? undefined : at)));
  }
  const { byId, byName } = clusterLookup();
  return byIdOrName(idOrName, byId, byName);
}

function resolveCluster(cluster: string | number | ClusterDef): ClusterDef | undefined {
  return typeof cluster === 'object' ? cluster : getCluster(cluster);
}

/** An attribute of a cluster by id (`0x0000`) or name (`FanMode`). */
export function getAttribute(
  cluster: string | number | ClusterDef,
  idOrName: string | number,
): AttributeDef | undefined {
  const c = resolveCluster(cluster);
  if (c === undefined) return undefined;
  const index = clusterIndex(c);
  return byIdOrName(idOrName, index.attributesById, index.attributesByName);
}

/**
 * A command of a cluster by id (`0x00`) or name (`Step`). A few clusters reuse an id for a request
 * and a response: `direction` picks one; without it the request (what a customer sends) wins and
 * the response is the fallback.
 */
export function getCommand(
  cluster: string | number | ClusterDef,
  idOrName: string | number,
  direction?: 'request' | 'response',
): CommandDef | undefined {
  const c = resolveCluster(cluster);
  if (c === undefined) return undefined;
  const id = tryParseMatterId(idOrName);
  if (id !== undefined) {
    const request = c.commands.find((cmd) => cmd.id === id && cmd.direction === 'request');
    const response = c.commands.find((cmd) => cmd.id === id && cmd.direction === 'response');
    if (direction === 'request') return request;
    if (direction === 'response') return response;
    return request ?? response;
  }
  if (typeof idOrName !== 'string') return undefined;
  const cmd = clusterIndex(c).commandsByName.get(nameKey(idOrName));
  return direction === undefined || cmd?.direction === direction ? cmd : undefined;
}

/** An event of a cluster by id (`0x02`) or name (`LockOperation`). */
export function getEvent(
  cluster: string | number | ClusterDef,
  idOrName: string | number,
): EventDef | undefined {
  const c = resolveCluster(cluster);
  if (c === undefined) return undefined;
  const index = clusterIndex(c);
  return byIdOrName(idOrName, index.eventsById, index.eventsByName);
}

/** A device type by id (`0x002B`, `43`), name (`Fan`, `ContactSensor`) or display name. */
export function getDeviceType(idOrName: string | number): DeviceTypeDef | undefined {
  const { byId, byName } = deviceTypeLookup();
  return byIdOrName(idOrName, byId, byName);
}

/** The enum/bitmap/struct definition a value refers to. */
export function getDatatype(cluster: ClusterDef, ref: string | undefined): DatatypeDef | undefined {
  return ref === undefined ? undefined : cluster.datatypes[ref];
}

/** A field of a command, event or struct by id (`0x00`, `0`) or name. */
export function getField(
  fields: readonly FieldDef[],
  idOrName: string | number,
): FieldDef | undefined {
  const id = tryParseMatterId(idOrName);
  if (id !== undefined) return fields.find((f) => f.id === id);
  if (typeof idOrName !== 'string') return undefined;
  const key = nameKey(idOrName);
  return fields.find((f) => nameKey(f.name) === key);
}
