/**
 * Matter clusters as AWS capabilities: their naming (`matter.FanControl@1.4`) and the state form
 * (properties by name) ⇄ the connector's Matter endpoint. The command form is in `actions.ts`.
 */
import { joinPath, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import { MatterValidationError, UnknownMatterElementError } from './errors.js';
import { MATTER_MODEL_SOURCE } from './generated/source.js';
import { formatAttributeId, formatClusterId, tryParseMatterId } from './ids.js';
import type { ClusterDef } from './model.js';
import { clusterIndex, getCluster } from './table.js';
import { asText } from './text.js';
import type { MatterCluster, MatterEndpoint } from './validate.js';
import { validateAttributeValue } from './values.js';

/** Spec version in AWS capability ids: `matter.FanControl@1.4`. */
export const MATTER_SPEC_VERSION = MATTER_MODEL_SOURCE.specVersion;

/** A property of a capability as customers see it: `{ name: 'FanMode', value: 3 }`. */
export interface CapabilityProperty {
  readonly name: string;
  readonly value: unknown;
}

/** A capability with properties (DEVICE_EVENT / state form). */
export interface CapabilityState {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly properties: readonly CapabilityProperty[];
}

/** Customer-side endpoint: `{ endpointId, capabilities }`. */
export interface CapabilityEndpoint {
  readonly endpointId: string;
  readonly capabilities: readonly CapabilityState[];
}

/** The AWS naming of a cluster as a capability. */
export interface CapabilityNaming {
  /** `matter.FanControl@1.4` */
  readonly id: string;
  /** `Fan Control` */
  readonly name: string;
  /**
   * The Matter 1.4 cluster revision as a string (`"4"` for FanControl). AWS's `CapabilityVersion`
   * pattern is `^(0|[1-9][0-9]*)$`, and AWS's own example (`matter.OnOff@1.4` → version "6") uses
   * the cluster revision; the spec version lives in the id.
   */
  readonly version: string;
}

/** The cluster an id, name or def names; throws `UnknownMatterElementError` for none. */
export function requireCluster(idOrName: string | number | ClusterDef): ClusterDef {
  const c = getCluster(idOrName);
  if (c === undefined)
    throw new UnknownMatterElementError(
      'cluster',
      typeof idOrName === 'object' ? idOrName.name : idOrName,
    );
  return c;
}

/** `capabilityOf('0x0202')` → `{ id: 'matter.FanControl@1.4', name: 'Fan Control', version: '4' }`. */
export function capabilityOf(cluster: string | number | ClusterDef): CapabilityNaming {
  const c = requireCluster(cluster);
  let naming = namings.get(c);
  if (naming === undefined) {
    naming = Object.freeze({
      id: `matter.${c.name}@${MATTER_SPEC_VERSION}`,
      name: c.displayName,
      version: String(c.awsRevision),
    });
    namings.set(c, naming);
  }
  return naming;
}

/** Naming per cluster, computed once: conversion runs per device event. */
const namings = new WeakMap<ClusterDef, CapabilityNaming>();

/** `capabilityId('FanControl')` → `matter.FanControl@1.4`. */
export function capabilityId(cluster: string | number | ClusterDef): string {
  return `matter.${requireCluster(cluster).name}@${MATTER_SPEC_VERSION}`;
}

/**
 * The loosest endpoint shape the converters accept: protocol's wire `MatterEndpoint` (optional
 * members, `attributes` as a document in either encoding) and this package's `MatterEndpoint`.
 */
export interface MatterEndpointLike {
  readonly id?: string;
  readonly clusters?: readonly MatterClusterLike[];
}

export interface MatterClusterLike {
  readonly id?: string | number;
  readonly attributes?: unknown;
  readonly commands?: unknown;
  readonly events?: unknown;
}

export interface ConversionOptions {
  /**
   * A cluster or attribute id Matter 1.4 does not define (vendor extensions such as `0x1003` or
   * `0x15570003`): `throw` (default) raises `UnknownMatterElementError`; `keep` converts it with
   * its canonical hex id as the name (capability `matter.0x1003@1.4`, version "1"; our inference,
   * AWS does not document what it does with such clusters).
   */
  readonly unknown?: 'throw' | 'keep';
}

/** `{ "0x0000": 3 }` or the seed's `[{ "0x0000": "3" }]` → key/value pairs. */
export function attributePairs(attributes: unknown): Array<[string, unknown]> {
  if (Array.isArray(attributes)) {
    const pairs: Array<[string, unknown]> = [];
    for (const item of attributes) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        for (const key in item) pairs.push([key, (item as Record<string, unknown>)[key]]);
      }
    }
    return pairs;
  }
  if (typeof attributes !== 'object' || attributes === null) return [];
  const pairs: Array<[string, unknown]> = [];
  for (const key in attributes) pairs.push([key, (attributes as Record<string, unknown>)[key]]);
  return pairs;
}

function unknownCapability(clusterId: unknown, attributes: unknown): CapabilityState {
  const cid = tryParseMatterId(clusterId);
  const hexId = cid === undefined ? asText(clusterId) : formatClusterId(cid);
  return {
    id: `matter.${hexId}@${MATTER_SPEC_VERSION}`,
    name: hexId,
    version: '1',
    properties: attributePairs(attributes).map(([key, value]) => {
      const aid = tryParseMatterId(key);
      return { name: aid === undefined ? key : formatAttributeId(aid), value };
    }),
  };
}

function clusterToCapability(cluster: MatterClusterLike, keep: boolean): CapabilityState {
  const def = cluster.id === undefined ? undefined : getCluster(cluster.id);
  if (def === undefined) {
    if (keep) return unknownCapability(cluster.id, cluster.attributes);
    throw new UnknownMatterElementError('cluster', asText(cluster.id));
  }
  const index = clusterIndex(def);
  const properties: CapabilityProperty[] = [];
  for (const [key, value] of attributePairs(cluster.attributes)) {
    const attr = index.attributesById.get(tryParseMatterId(key) ?? -1);
    if (attr !== undefined) properties.push({ name: attr.name, value });
    else if (keep) {
      const aid = tryParseMatterId(key);
      properties.push({ name: aid === undefined ? key : formatAttributeId(aid), value });
    } else throw new UnknownMatterElementError('attribute', key, def.name);
  }
  const { id, name, version } = capabilityOf(def);
  return { id, name, version, properties };
}

/**
 * Connector form → customer form: `{ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }`
 * → `{ endpointId: '1', capabilities: [{ id: 'matter.FanControl@1.4', name: 'Fan Control',
 * version: '4', properties: [{ name: 'FanMode', value: 3 }] }] }`. Values are passed through as
 * they are: run `validateMatterEndpoint` first to check and normalise raw input.
 * @throws UnknownMatterElementError for an id Matter 1.4 does not define (unless `unknown: 'keep'`).
 */
export function toCapabilityEndpoint(
  endpoint: MatterEndpointLike,
  options: ConversionOptions = {},
): CapabilityEndpoint {
  const keep = options.unknown === 'keep';
  return {
    endpointId: endpoint.id ?? '',
    capabilities: (endpoint.clusters ?? []).map((c) => clusterToCapability(c, keep)),
  };
}

/**
 * Customer form → connector form for properties (state or attribute writes), validating every
 * value: `properties: [{ name: 'FanMode', value: 3 }]` → `attributes: { '0x0000': 3 }`.
 */
export function fromCapabilityEndpoint(
  endpoint: CapabilityEndpoint,
  path = 'CapabilityEndpoint',
): Result<MatterEndpoint> {
  const issues: ValidationIssue[] = [];
  const clusters: MatterCluster[] = [];
  endpoint.capabilities.forEach((cap, i) => {
    const capPath = `${joinPath(path, 'capabilities')}[${i}]`;
    const def = getCluster(cap.id);
    if (def === undefined) {
      issues.push({
        path: joinPath(capPath, 'id'),
        message: 'expected a matter.<Cluster>@1.4 capability id',
        received: cap.id,
      });
      return;
    }
    const attributes: Record<string, unknown> = {};
    cap.properties.forEach((p, j) => {
      const propPath = `${joinPath(capPath, 'properties')}[${j}]`;
      const attr = clusterIndex(def).attributesByName.get(asText(p.name).toLowerCase());
      if (attr === undefined) {
        issues.push({
          path: joinPath(propPath, 'name'),
          message: `expected a ${def.name} property name`,
          received: p.name,
        });
        return;
      }
      const r = validateAttributeValue(def, attr, p.value);
      if (!r.ok) for (const x of r.issues) issues.push({ ...x, path: joinPath(propPath, 'value') });
      else attributes[formatAttributeId(attr.id)] = r.value;
    });
    clusters.push({ id: formatClusterId(def.id), attributes });
  });
  return issues.length === 0
    ? { ok: true, value: { id: endpoint.endpointId, clusters } }
    : { ok: false, issues };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws `MatterValidationError` with every issue when a result failed; returns its value. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new MatterValidationError(result.issues);
  return result.value;
}
