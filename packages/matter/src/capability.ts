import { joinPath, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import { MatterValidationError, UnknownMatterElementError } from './errors.js';
import { MATTER_MODEL_SOURCE } from './generated/source.js';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatFieldId,
  tryParseMatterId,
} from './ids.js';
import type { AttributeDef, ClusterDef } from './model.js';
import { clusterIndex, getCluster } from './table.js';
import { asText } from './text.js';
import { type MatterCluster, type MatterEndpoint, validateMatterEndpoint } from './validate.js';
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

/** `CapabilityAction` of SendManagedThingCommand. */
export interface CapabilityAction {
  readonly name: string;
  readonly ref?: string;
  readonly actionTraceId?: string;
  readonly parameters?: unknown;
}

/** `CommandCapability` of SendManagedThingCommand. */
export interface CommandCapability {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly actions: readonly CapabilityAction[];
}

/** `CommandEndpoint` of SendManagedThingCommand. */
export interface CommandEndpoint {
  readonly endpointId: string;
  readonly capabilities: readonly CommandCapability[];
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

function requireCluster(idOrName: string | number | ClusterDef): ClusterDef {
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

function actionParameters(parameters: unknown): Record<string, unknown> | undefined {
  if (parameters === undefined || parameters === null) return {};
  return typeof parameters === 'object' && !Array.isArray(parameters)
    ? (parameters as Record<string, unknown>)
    : undefined;
}

/**
 * A SendManagedThingCommand endpoint (customer form, actions by name) → the Matter endpoint the
 * connector receives: `actions: [{ name: 'Step', parameters: { Direction: 0 } }]` on
 * `matter.FanControl@1.4` → `{ id: '0x0202', commands: { '0x00': { '0x00': 0 } } }`.
 * Parameters are keyed by field name (or field id) and validated against the command's fields.
 *
 * Attribute writes (our inference; AWS does not document the shape): an action named after a
 * writable attribute, with `parameters: { value }` or `parameters: { <AttributeName>: value }`,
 * becomes `attributes: { '0x0000': value }`.
 */
export function capabilityActionsToMatter(
  // Typed `unknown` on purpose: every part is validated, so protocol's wire `CommandEndpoint`
  // (documents as `unknown`) and raw request bodies are accepted without casts.
  input: CommandEndpoint | unknown,
  path = 'CommandEndpoint',
): Result<MatterEndpoint> {
  const issues: ValidationIssue[] = [];
  const clusters: MatterCluster[] = [];
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [
        {
          path,
          message: 'expected an endpoint object {endpointId, capabilities}',
          received: input,
        },
      ],
    };
  }
  const endpoint = input as Partial<CommandEndpoint>;
  if (typeof endpoint.endpointId !== 'string' || !/^[0-9a-zA-Z]{1,64}$/.test(endpoint.endpointId)) {
    issues.push({
      path: joinPath(path, 'endpointId'),
      message: 'expected endpoint id of 1-64 letters or digits',
      received: endpoint.endpointId,
    });
  }
  const capabilities: readonly CommandCapability[] = Array.isArray(endpoint.capabilities)
    ? endpoint.capabilities
    : [];
  if (!Array.isArray(endpoint.capabilities)) {
    issues.push({
      path: joinPath(path, 'capabilities'),
      message: 'expected a list of capabilities',
      received: endpoint.capabilities,
    });
  }
  capabilities.forEach((cap, i) => {
    const capPath = `${joinPath(path, 'capabilities')}[${i}]`;
    const def = typeof cap?.id === 'string' ? getCluster(cap.id) : undefined;
    if (def === undefined || !asText(cap.id).startsWith('matter.')) {
      issues.push({
        path: joinPath(capPath, 'id'),
        message: 'expected a matter.<Cluster>@1.4 capability id',
        received: cap?.id,
      });
      return;
    }
    const index = clusterIndex(def);
    const commands: Record<string, Record<string, unknown>> = {};
    const attributes: Record<string, unknown> = {};
    const actions: readonly CapabilityAction[] = Array.isArray(cap.actions) ? cap.actions : [];
    if (!Array.isArray(cap.actions)) {
      issues.push({
        path: joinPath(capPath, 'actions'),
        message: 'expected a list of actions',
        received: cap.actions,
      });
    }
    actions.forEach((action, j) => {
      const actPath = `${joinPath(capPath, 'actions')}[${j}]`;
      const name = asText(action?.name).toLowerCase();
      const command = index.commandsByName.get(name);
      const params = actionParameters(action?.parameters);
      if (params === undefined) {
        issues.push({
          path: joinPath(actPath, 'parameters'),
          message: 'expected an object of parameters',
          received: action.parameters,
        });
        return;
      }
      if (command !== undefined && command.direction === 'request') {
        const fields: Record<string, unknown> = {};
        let ok = true;
        for (const [key, value] of Object.entries(params)) {
          const id = tryParseMatterId(key);
          const field = command.fields.find((f) =>
            id !== undefined ? f.id === id : f.name.toLowerCase() === key.toLowerCase(),
          );
          if (field === undefined) {
            ok = false;
            const known = command.fields.map((f) => f.name).join(', ') || 'none';
            issues.push({
              path: `${joinPath(actPath, 'parameters')}[${JSON.stringify(key)}]`,
              message: `unknown parameter of ${def.name}.${command.name}; expected one of (${known})`,
              received: key,
            });
            continue;
          }
          fields[formatFieldId(field.id)] = value;
        }
        if (!ok) return;
        // Field values and mandatory fields are checked against the command definition.
        const checked = validateMatterEndpoint(
          {
            id: 'x',
            clusters: [
              { id: formatClusterId(def.id), commands: { [formatCommandId(command.id)]: fields } },
            ],
          },
          { path: 'x', direction: 'request' },
        );
        if (!checked.ok) {
          for (const x of checked.issues) {
            const fieldKey = /\["(0x[0-9A-F]+)"\]$/.exec(x.path)?.[1];
            const field = command.fields.find((f) => formatFieldId(f.id) === fieldKey);
            issues.push({
              ...x,
              path: field
                ? `${joinPath(actPath, 'parameters')}.${field.name}`
                : joinPath(actPath, 'parameters'),
            });
          }
          return;
        }
        commands[formatCommandId(command.id)] =
          checked.value.clusters[0]?.commands?.[formatCommandId(command.id)] ?? fields;
        return;
      }
      const attr: AttributeDef | undefined = index.attributesByName.get(name);
      if (attr?.writable) {
        const value = 'value' in params ? params.value : params[attr.name];
        const r = validateAttributeValue(def, attr, value);
        if (!r.ok)
          for (const x of r.issues) issues.push({ ...x, path: joinPath(actPath, 'parameters') });
        else attributes[formatAttributeId(attr.id)] = r.value;
        return;
      }
      const names = def.commands.filter((c) => c.direction === 'request').map((c) => c.name);
      issues.push({
        path: joinPath(actPath, 'name'),
        message: `expected a ${def.name} command (${names.join(', ') || 'none'}) or writable attribute`,
        received: action?.name,
      });
    });
    const cluster: {
      id: string;
      attributes?: Record<string, unknown>;
      commands?: Record<string, Record<string, unknown>>;
    } = { id: formatClusterId(def.id) };
    if (Object.keys(commands).length > 0) cluster.commands = commands;
    if (Object.keys(attributes).length > 0) cluster.attributes = attributes;
    clusters.push(cluster);
  });
  return issues.length === 0
    ? { ok: true, value: { id: asText(endpoint.endpointId), clusters } }
    : { ok: false, issues };
}

/**
 * The reverse of `capabilityActionsToMatter`, for tests and tools: Matter commands → named actions.
 * @throws UnknownMatterElementError for ids Matter 1.4 does not define.
 */
export function matterToCapabilityActions(endpoint: MatterEndpoint): CommandEndpoint {
  return {
    endpointId: endpoint.id,
    capabilities: endpoint.clusters.map((cluster) => {
      const def = requireCluster(cluster.id);
      const actions: CapabilityAction[] = [];
      for (const [cid, fields] of Object.entries(cluster.commands ?? {})) {
        const id = tryParseMatterId(cid);
        const cmd = def.commands.find((c) => c.id === id && c.direction === 'request');
        if (cmd === undefined) throw new UnknownMatterElementError('command', cid, def.name);
        const parameters: Record<string, unknown> = {};
        for (const [fid, value] of Object.entries(fields)) {
          const field = cmd.fields.find((f) => f.id === tryParseMatterId(fid));
          if (field === undefined)
            throw new UnknownMatterElementError('field', fid, `${def.name}.${cmd.name}`);
          parameters[field.name] = value;
        }
        actions.push({ name: cmd.name, parameters });
      }
      for (const [aid, value] of Object.entries(cluster.attributes ?? {})) {
        const attr = clusterIndex(def).attributesById.get(tryParseMatterId(aid) ?? -1);
        if (attr === undefined) throw new UnknownMatterElementError('attribute', aid, def.name);
        actions.push({ name: attr.name, parameters: { value } });
      }
      return { ...capabilityOf(def), actions };
    }),
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws `MatterValidationError` with every issue when a result failed; returns its value. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new MatterValidationError(result.issues);
  return result.value;
}
