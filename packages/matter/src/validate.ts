import { joinPath, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import { conformanceLevel, featuresFromMap, formatConformance } from './conformance.js';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatEventId,
  tryParseMatterId,
} from './ids.js';
import { type CommandDirection, responseShape } from './responses.js';
import { clusterIndex, getCluster } from './table.js';
import { type Context, checkFields, checkValue, FEATURE_MAP, NUMERIC } from './values.js';

/** A cluster as the connector side writes it (MATTER format), after normalisation. */
export interface MatterCluster {
  readonly id: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly commands?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly events?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** An endpoint as the connector side writes it: `{ id: '1', clusters: [{ id: '0x0202', … }] }`. */
export interface MatterEndpoint {
  readonly id: string;
  readonly clusters: readonly MatterCluster[];
}

export interface ValidateEndpointOptions {
  /**
   * What to do with a cluster, attribute, command or event id Matter 1.4 does not define:
   * `error` (default) reports it, `ignore` passes it through unchecked. Manufacturer-specific ids
   * (vendor prefix, e.g. attribute `0x15570003`) are always passed through.
   */
  readonly unknown?: 'error' | 'ignore';
  /** FeatureMap per cluster id (any id form) when the payload itself does not carry 0xFFFC. */
  readonly featureMaps?: Readonly<Record<string, number>>;
  /** Root of error paths; default `MatterEndpoint`. */
  readonly path?: string;
  /**
   * Which way the `commands` entries travel. `request` (default: SendCommand, SendManagedThingCommand,
   * DEVICE_EVENT): the command's request fields, mandatory ones required. `response` (a
   * DEVICE_COMMAND_RESPONSE): `{}` always passes (status only); the response command's fields
   * are checked when present; the request's own fields are refused.
   */
  readonly direction?: CommandDirection;
}

/** `true` for ids in a vendor's (manufacturer-specific) range, which the table cannot know. */
export function isManufacturerSpecificId(kind: 'cluster' | 'element', id: number): boolean {
  if (kind === 'cluster') return id > 0xffff || (id & 0xffff) >= 0xfc00;
  return id > 0xffff;
}

const COMMAND_EXTRA_KEYS: ReadonlySet<string> = new Set(['responseCode', 'errors']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Both attribute encodings seen in public examples: a map, or an array of single-key objects. */
function attributeEntries(
  attributes: unknown,
  path: string,
  issues: ValidationIssue[],
): Array<[string, unknown]> | undefined {
  if (isPlainObject(attributes)) return Object.entries(attributes);
  if (Array.isArray(attributes)) {
    const entries: Array<[string, unknown]> = [];
    attributes.forEach((item, i) => {
      if (isPlainObject(item) && Object.keys(item).length === 1) {
        entries.push(Object.entries(item)[0] as [string, unknown]);
      } else {
        issues.push({
          path: `${path}[${i}]`,
          message: 'expected an object with exactly one attribute id key',
          received: item,
        });
      }
    });
    return entries;
  }
  issues.push({
    path,
    message: 'expected an object of attribute id → value',
    received: attributes,
  });
  return undefined;
}

function validateCluster(
  raw: unknown,
  path: string,
  options: ValidateEndpointOptions,
  issues: ValidationIssue[],
): MatterCluster | undefined {
  if (!isPlainObject(raw)) {
    issues.push({
      path,
      message: 'expected a cluster object {id, attributes?, commands?, events?}',
      received: raw,
    });
    return undefined;
  }
  const idPath = joinPath(path, 'id');
  const id = tryParseMatterId(raw.id);
  if (id === undefined) {
    issues.push({
      path: idPath,
      message: 'expected hex "0x…" or decimal cluster id',
      received: raw.id,
    });
    return undefined;
  }
  const cluster = getCluster(id);
  if (cluster === undefined) {
    if (options.unknown !== 'ignore' && !isManufacturerSpecificId('cluster', id)) {
      issues.push({ path: idPath, message: 'expected a Matter 1.4 cluster id', received: raw.id });
    }
    return raw as unknown as MatterCluster;
  }
  const out: {
    id: string;
    attributes?: Record<string, unknown>;
    commands?: Record<string, Record<string, unknown>>;
    events?: Record<string, Record<string, unknown>>;
  } = {
    id: formatClusterId(id),
  };

  let entries: Array<[string, unknown]> | undefined;
  const attrPath = joinPath(path, 'attributes');
  if (raw.attributes !== undefined) entries = attributeEntries(raw.attributes, attrPath, issues);

  // The FeatureMap in the same payload decides feature-gated members; else the caller's option.
  let featureMap: number | undefined;
  const fmEntry = entries?.find(([k]) => tryParseMatterId(k) === FEATURE_MAP);
  if (
    fmEntry !== undefined &&
    (typeof fmEntry[1] === 'number' || (typeof fmEntry[1] === 'string' && NUMERIC.test(fmEntry[1])))
  ) {
    featureMap = Number(fmEntry[1]);
  } else if (options.featureMaps !== undefined) {
    for (const [k, v] of Object.entries(options.featureMaps))
      if (tryParseMatterId(k) === id) featureMap = v;
  }
  const ctx: Context = {
    cluster,
    features: featureMap === undefined ? undefined : featuresFromMap(cluster, featureMap),
    siblings: undefined,
    issues,
  };
  const index = clusterIndex(cluster);

  if (entries !== undefined) {
    const attributes: Record<string, unknown> = {};
    let siblings: Record<string, unknown> | undefined;
    for (const [key, value] of entries) {
      const aid = tryParseMatterId(key);
      // A parsed id has no characters that need escaping, so plain quoting is exact (and cheap).
      const keyPath =
        aid === undefined ? `${attrPath}[${JSON.stringify(key)}]` : `${attrPath}["${key}"]`;
      if (aid === undefined) {
        issues.push({
          path: keyPath,
          message: 'expected hex "0x…" or decimal attribute id',
          received: key,
        });
        continue;
      }
      const attr = index.attributesById.get(aid);
      if (attr === undefined) {
        if (options.unknown !== 'ignore' && !isManufacturerSpecificId('element', aid)) {
          issues.push({
            path: keyPath,
            message: `expected a ${cluster.name} attribute id`,
            received: key,
          });
        }
        attributes[key] = value;
        continue;
      }
      if (
        (typeof attr.min === 'string' || typeof attr.max === 'string') &&
        siblings === undefined
      ) {
        siblings = {};
        for (const [k, v] of entries) {
          const sib = index.attributesById.get(tryParseMatterId(k) ?? -1);
          if (sib !== undefined) siblings[sib.name] = v;
        }
      }
      const level = conformanceLevel(attr.conformance, cluster, ctx.features);
      if (level === 'disallowed') {
        issues.push({
          path: keyPath,
          message: `${cluster.name}.${attr.name} is not allowed with this FeatureMap (conformance ${formatConformance(attr.conformance)})`,
          received: value,
        });
        continue;
      }
      attributes[formatAttributeId(aid)] = checkValue(
        attr,
        value,
        keyPath,
        siblings === undefined ? ctx : { ...ctx, siblings },
      );
    }
    out.attributes = attributes;
  }

  for (const kind of ['commands', 'events'] as const) {
    const value = raw[kind];
    if (value === undefined) continue;
    const kindPath = joinPath(path, kind);
    if (!isPlainObject(value)) {
      issues.push({
        path: kindPath,
        message: `expected an object of ${kind === 'commands' ? 'command' : 'event'} id → fields`,
        received: value,
      });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length < 1 || keys.length > 5) {
      // MatterCommands / MatterEvents: 1 to 5 entries per cluster and call (Smithy model).
      issues.push({
        path: kindPath,
        message: `expected 1 to 5 ${kind === 'commands' ? 'commands' : 'events'} per cluster (got ${keys.length})`,
      });
    }
    const result: Record<string, Record<string, unknown>> = {};
    for (const [key, fields] of Object.entries(value)) {
      const keyPath = `${kindPath}[${JSON.stringify(key)}]`;
      const eid = tryParseMatterId(key);
      if (eid === undefined) {
        issues.push({
          path: keyPath,
          message: `expected hex "0x…" or decimal ${kind === 'commands' ? 'command' : 'event'} id`,
          received: key,
        });
        continue;
      }
      const answering =
        kind === 'commands' && options.direction === 'response'
          ? responseShape(cluster, eid)
          : undefined;
      const def =
        answering !== undefined
          ? { name: answering.label, fields: answering.fields }
          : kind === 'commands'
            ? options.direction === 'response'
              ? undefined
              : (cluster.commands.find((c) => c.id === eid && c.direction === 'request') ??
                cluster.commands.find((c) => c.id === eid))
            : index.eventsById.get(eid);
      if (def === undefined) {
        if (options.unknown !== 'ignore' && !isManufacturerSpecificId('element', eid)) {
          issues.push({
            path: keyPath,
            message: `expected a ${cluster.name} ${kind === 'commands' ? 'command' : 'event'} id`,
            received: key,
          });
        }
        result[key] = fields as Record<string, unknown>;
        continue;
      }
      const normalised = checkFields(
        def.fields,
        fields,
        keyPath,
        ctx,
        def.name,
        kind === 'commands' ? COMMAND_EXTRA_KEYS : undefined,
        answering,
      );
      result[kind === 'commands' ? formatCommandId(eid) : formatEventId(eid)] =
        normalised as Record<string, unknown>;
    }
    out[kind] = result;
  }
  return out;
}

/**
 * Validates a connector-side endpoint `{ id, clusters: [{ id, attributes, commands, events }] }`:
 * every id, every attribute value against Matter 1.4, command and event fields. Attributes may use
 * either encoding (map or array of single-key objects). The returned value is normalised: map form,
 * canonical hex ids (`0x0202`, `0x0000`, `0x00`), numeric strings as numbers.
 */
export function validateMatterEndpoint(
  endpoint: unknown,
  options: ValidateEndpointOptions = {},
): Result<MatterEndpoint> {
  const root = options.path ?? 'MatterEndpoint';
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(endpoint)) {
    return {
      ok: false,
      issues: [
        { path: root, message: 'expected an endpoint object {id, clusters}', received: endpoint },
      ],
    };
  }
  const id = endpoint.id;
  if (typeof id !== 'string' || !/^[0-9a-zA-Z]{1,64}$/.test(id)) {
    issues.push({
      path: joinPath(root, 'id'),
      message: 'expected endpoint id of 1-64 letters or digits',
      received: id,
    });
  }
  const clustersPath = joinPath(root, 'clusters');
  const clusters: MatterCluster[] = [];
  if (
    !Array.isArray(endpoint.clusters) ||
    endpoint.clusters.length < 1 ||
    endpoint.clusters.length > 5
  ) {
    issues.push({
      path: clustersPath,
      message: 'expected a list of 1 to 5 clusters',
      received: endpoint.clusters,
    });
  } else {
    endpoint.clusters.forEach((c, i) => {
      const out = validateCluster(c, `${clustersPath}[${i}]`, options, issues);
      if (out !== undefined) clusters.push(out);
    });
  }
  return issues.length === 0
    ? { ok: true, value: { id: id as string, clusters } }
    : { ok: false, issues };
}
