import { joinPath, REDACTED, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import {
  conformanceLevel,
  type FeatureSet,
  featuresFromMap,
  formatConformance,
} from './conformance.js';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatEventId,
  tryParseMatterId,
} from './ids.js';
import type { AttributeDef, ClusterDef, DatatypeDef, FieldDef, ValueSpec } from './model.js';
import {
  type CommandDirection,
  type ResponseShape,
  requestFieldInResponse,
  responseShape,
} from './responses.js';
import { clusterIndex, getAttribute, getCluster } from './table.js';
import { asText, isSensitiveElement } from './text.js';

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

export interface ValidateValueOptions {
  /**
   * The cluster's FeatureMap (attribute 0xFFFC). With it, feature-gated enum/bitmap members are
   * checked (FanMode Auto needs feature AUT); without it they are accepted.
   */
  readonly featureMap?: number;
  /**
   * Values of sibling attributes by name (`{ SpeedMax: 5 }` or `{ speedMax: 5 }`), used for bounds
   * that refer to them (`SpeedSetting: max speedMax`). Unresolved references are not checked.
   */
  readonly siblings?: Readonly<Record<string, unknown>>;
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

interface Context {
  readonly cluster: ClusterDef;
  readonly features: FeatureSet;
  readonly siblings: Readonly<Record<string, unknown>> | undefined;
  readonly issues: ValidationIssue[];
}

const NUMERIC = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
const FEATURE_MAP = 0xfffc;
const utf8 = new TextEncoder();

function issue(ctx: Context, path: string, message: string, received: unknown): void {
  ctx.issues.push({ path, message, received });
}

/** Integer range of a primitive; nullable types reserve one value as the null sentinel. */
const ranges = new Map<string, readonly [number, number]>();

function primitiveRange(spec: ValueSpec): readonly [number, number] {
  const key = `${spec.base ?? spec.type}${spec.nullable ? '?' : ''}`;
  let range = ranges.get(key);
  if (range === undefined) {
    // Bounded by the table's finite set of primitive types.
    range = computeRange(spec);
    ranges.set(key, range);
  }
  return range;
}

function computeRange(spec: ValueSpec): readonly [number, number] {
  const base = spec.base ?? spec.type;
  const m = /^(u?int|enum|map)(8|16|24|32|40|48|56|64)$/.exec(base);
  if (m === null) return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  const bits = Number(m[2]);
  const signed = m[1] === 'int';
  let min = signed ? -(2 ** (bits - 1)) : 0;
  let max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (spec.nullable && m[1] !== 'map') {
    if (signed) min += 1;
    else max -= 1;
  }
  return [Math.max(min, Number.MIN_SAFE_INTEGER), Math.min(max, Number.MAX_SAFE_INTEGER)];
}

function resolveBound(bound: number | string | undefined, ctx: Context): number | undefined {
  if (typeof bound === 'number' || bound === undefined) return bound;
  const s = ctx.siblings;
  if (s === undefined) return undefined;
  const v = s[bound] ?? s[bound.charAt(0).toUpperCase() + bound.slice(1)];
  if (typeof v === 'number') return v;
  return typeof v === 'string' && NUMERIC.test(v) ? Number(v) : undefined;
}

function typeLabel(spec: ValueSpec): string {
  return spec.base !== undefined && spec.base !== spec.type
    ? `${spec.type}, ${spec.base}`
    : spec.type;
}

function enumMembersText(def: Extract<DatatypeDef, { kind: 'enum' }>, ctx: Context): string {
  const allowed = def.members.filter((m) => {
    const level = conformanceLevel(m.conformance, ctx.cluster, ctx.features);
    return level !== 'disallowed' && level !== 'deprecated';
  });
  const shown = allowed.slice(0, 12).map((m) => `${m.value} ${m.name}`);
  if (allowed.length > 12) shown.push('…');
  return shown.join(', ');
}

function checkEnum(spec: ValueSpec, n: number, path: string, ctx: Context): void {
  const def = spec.ref === undefined ? undefined : ctx.cluster.datatypes[spec.ref];
  if (def === undefined || def.kind !== 'enum') return;
  const member = def.members.find((m) => m.value === n);
  let why = '';
  if (member !== undefined) {
    const level = conformanceLevel(member.conformance, ctx.cluster, ctx.features);
    if (level !== 'disallowed' && level !== 'deprecated') return;
    why =
      level === 'deprecated'
        ? ` (${member.name} is deprecated in Matter 1.4)`
        : member.conformance === 'X'
          ? ` (${member.name} is disallowed in Matter 1.4)`
          : ` (${member.name} requires feature ${formatConformance(member.conformance)})`;
  }
  issue(ctx, path, `expected ${def.name} member (${enumMembersText(def, ctx)})${why}`, n);
}

function checkBitmap(spec: ValueSpec, n: number, path: string, ctx: Context): void {
  const def = spec.ref === undefined ? undefined : ctx.cluster.datatypes[spec.ref];
  if (def === undefined || def.kind !== 'bitmap') return;
  let allowed = 0;
  const parts: string[] = [];
  for (const m of def.members) {
    if (conformanceLevel(m.conformance, ctx.cluster, ctx.features) === 'disallowed') continue;
    allowed += (2 ** m.width - 1) * 2 ** m.bit;
    parts.push(
      m.width === 1 ? `bit ${m.bit} ${m.name}` : `bits ${m.bit}-${m.bit + m.width - 1} ${m.name}`,
    );
  }
  // Bit arithmetic on up to 53-bit values without 32-bit truncation.
  let rest = n;
  let allowedRest = allowed;
  let bad = false;
  for (let i = 0; rest > 0 && i < 64; i++) {
    if (rest % 2 === 1 && allowedRest % 2 !== 1) bad = true;
    rest = Math.floor(rest / 2);
    allowedRest = Math.floor(allowedRest / 2);
  }
  if (bad) issue(ctx, path, `expected ${def.name} bits (${parts.join(', ') || 'none'})`, n);
}

function checkNumber(spec: ValueSpec, value: unknown, path: string, ctx: Context): unknown {
  let n = value;
  // The seed example sends numbers as strings ("3"): accept and normalise them.
  if (typeof n === 'string') {
    if (spec.kind === 'float' ? DECIMAL.test(n) : NUMERIC.test(n)) n = Number(n);
  }
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    const what = spec.kind === 'float' ? 'number' : 'integer';
    issue(ctx, path, `expected ${what} (${typeLabel(spec)})`, value);
    return value;
  }
  if (spec.kind === 'float') {
    const min = resolveBound(spec.min, ctx);
    const max = resolveBound(spec.max, ctx);
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      issue(
        ctx,
        path,
        `expected number ${min ?? '…'} to ${max ?? '…'} (${typeLabel(spec)})`,
        value,
      );
    }
    return n;
  }
  if (!Number.isInteger(n)) {
    issue(ctx, path, `expected integer (${typeLabel(spec)})`, value);
    return value;
  }
  let [min, max] = primitiveRange(spec);
  if (spec.kind === 'int') {
    const lo = resolveBound(spec.min, ctx);
    const hi = resolveBound(spec.max, ctx);
    if (lo !== undefined && lo > min) min = lo;
    if (hi !== undefined && hi < max) max = hi;
  }
  if (n < min || n > max) {
    issue(ctx, path, `expected integer ${min} to ${max} (${typeLabel(spec)})`, value);
    return n;
  }
  if (spec.kind === 'enum') checkEnum(spec, n, path, ctx);
  else if (spec.kind === 'bitmap') checkBitmap(spec, n, path, ctx);
  return n;
}

function checkLength(spec: ValueSpec, length: number, unit: string, path: string, ctx: Context) {
  const min = resolveBound(spec.min, ctx);
  const max = resolveBound(spec.max, ctx);
  if ((min !== undefined && length < min) || (max !== undefined && length > max)) {
    const range =
      min !== undefined && max !== undefined
        ? `${min} to ${max}`
        : min !== undefined
          ? `at least ${min}`
          : `at most ${max}`;
    // The length, not the (possibly long) value, is what the reader needs here.
    issue(ctx, path, `expected ${spec.type} length ${range} ${unit}`, length);
  }
}

function checkFields(
  fields: readonly FieldDef[],
  value: unknown,
  path: string,
  ctx: Context,
  what: string,
  extraKeys?: ReadonlySet<string>,
  answering?: ResponseShape,
): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issue(ctx, path, `expected ${what} object of fields keyed by field id ("0x00") or name`, value);
    return value;
  }
  const out: Record<string, unknown> = {};
  const seen = new Set<number>();
  for (const [key, v] of Object.entries(value)) {
    if (extraKeys?.has(key)) {
      out[key] = v;
      continue;
    }
    const id = tryParseMatterId(key);
    const field =
      id !== undefined ? fields.find((f) => f.id === id) : fields.find((f) => f.name === key);
    const fieldPath = `${path}[${JSON.stringify(key)}]`;
    const misplaced =
      field === undefined && answering?.request !== undefined
        ? id !== undefined
          ? answering.request.fields.find((f) => f.id === id)
          : answering.request.fields.find((f) => f.name === key)
        : undefined;
    if (misplaced !== undefined && answering !== undefined) {
      issue(ctx, fieldPath, requestFieldInResponse(answering, misplaced), key);
      continue;
    }
    if (field === undefined) {
      const known = fields.map((f) => `${formatCommandId(f.id)} ${f.name}`).join(', ');
      issue(ctx, fieldPath, `unknown field of ${what}; expected one of (${known || 'none'})`, key);
      continue;
    }
    seen.add(field.id);
    out[key] = checkValue(field, v, fieldPath, ctx);
  }
  // A response may leave out any field: `{}` is a status-only answer, and a partial one still
  // tells the customer what happened.
  for (const f of answering === undefined ? fields : []) {
    if (seen.has(f.id)) continue;
    if (conformanceLevel(f.conformance, ctx.cluster, ctx.features) !== 'mandatory') continue;
    ctx.issues.push({
      path: `${path}[${JSON.stringify(formatCommandId(f.id))}]`,
      message: `missing mandatory field ${f.name} of ${what}`,
    });
  }
  return out;
}

/** Checks one value against its spec; returns the normalised value (numeric strings → numbers). */
function checkValue(spec: ValueSpec, value: unknown, path: string, ctx: Context): unknown {
  if (!isSensitiveElement((spec as Partial<FieldDef>).name, spec.kind)) {
    return checkPlainValue(spec, value, path, ctx);
  }
  // A PIN or key that fails validation is reported without its value (nested issues included).
  const before = ctx.issues.length;
  const out = checkPlainValue(spec, value, path, ctx);
  for (let i = before; i < ctx.issues.length; i++) {
    const found = ctx.issues[i] as ValidationIssue;
    ctx.issues[i] = { path: found.path, message: found.message, received: REDACTED };
  }
  return out;
}

function checkPlainValue(spec: ValueSpec, value: unknown, path: string, ctx: Context): unknown {
  if (value === null) {
    if (!spec.nullable) issue(ctx, path, `expected non-null ${typeLabel(spec)}`, value);
    return value;
  }
  switch (spec.kind) {
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      issue(ctx, path, 'expected boolean', value);
      return value;
    case 'int':
    case 'float':
    case 'enum':
    case 'bitmap':
      return checkNumber(spec, value, path, ctx);
    case 'string':
      if (typeof value !== 'string') {
        issue(ctx, path, `expected string (${spec.type})`, value);
        return value;
      }
      if (spec.min !== undefined || spec.max !== undefined) {
        checkLength(spec, utf8.encode(value).length, 'bytes (UTF-8)', path, ctx);
      }
      return value;
    case 'bytes':
      // AWS JSON has no byte type: accept a hex/base64 string or an array of octets.
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
        checkLength(spec, value.length, 'bytes', path, ctx);
        return value;
      }
      issue(ctx, path, `expected octet string (hex/base64 string or array of 0-255)`, value);
      return value;
    case 'list': {
      if (!Array.isArray(value)) {
        issue(ctx, path, `expected list of ${spec.entry?.type ?? 'values'}`, value);
        return value;
      }
      checkLength(spec, value.length, 'entries', path, ctx);
      const entry = spec.entry;
      return entry === undefined
        ? value
        : value.map((v, i) => checkValue(entry, v, `${path}[${i}]`, ctx));
    }
    case 'struct': {
      const def = spec.ref === undefined ? undefined : ctx.cluster.datatypes[spec.ref];
      if (def === undefined || def.kind !== 'struct') return value;
      return checkFields(def.fields, value, path, ctx, def.name);
    }
    default:
      return value;
  }
}

function newContext(
  cluster: ClusterDef,
  featureMap: number | undefined,
  siblings?: Readonly<Record<string, unknown>>,
): Context {
  return {
    cluster,
    features: featureMap === undefined ? undefined : featuresFromMap(cluster, featureMap),
    siblings,
    issues: [],
  };
}

function unknownCluster(cluster: unknown): Result<never> {
  return {
    ok: false,
    issues: [{ path: '', message: 'expected a Matter 1.4 cluster id or name', received: cluster }],
  };
}

/**
 * Validates one attribute value: type, integer range, enum membership, bitmap bits, nullability,
 * feature-gated members (with `featureMap`) and string/list length. Numeric strings (`"3"`) are
 * accepted and normalised to numbers in the returned value.
 *
 *   validateAttributeValue('0x0202', 'FanMode', 3)   // { ok: true, value: 3 }
 *   validateAttributeValue('FanControl', 0, 9)       // FanControl.FanMode: expected FanModeEnum member (0 Off, …), got 9
 */
export function validateAttributeValue(
  cluster: string | number | ClusterDef,
  attribute: string | number | AttributeDef,
  value: unknown,
  options: ValidateValueOptions = {},
): Result<unknown> {
  const c = getCluster(cluster);
  if (c === undefined) return unknownCluster(cluster);
  const a = typeof attribute === 'object' ? attribute : getAttribute(c, attribute);
  if (a === undefined) {
    return {
      ok: false,
      issues: [
        { path: c.name, message: `expected a ${c.name} attribute id or name`, received: attribute },
      ],
    };
  }
  const ctx = newContext(c, options.featureMap, options.siblings);
  const out = checkValue(a, value, `${c.name}.${a.name}`, ctx);
  return ctx.issues.length === 0 ? { ok: true, value: out } : { ok: false, issues: ctx.issues };
}

/**
 * Validates the fields of a command (`{ "0x00": 0, "0x01": true }` or by field name), checking every
 * field's value and that mandatory fields are present.
 */
export function validateCommandFields(
  cluster: string | number | ClusterDef,
  command: string | number,
  fields: unknown,
  options: ValidateValueOptions = {},
): Result<Record<string, unknown>> {
  const c = getCluster(cluster);
  if (c === undefined) return unknownCluster(cluster);
  const id = tryParseMatterId(command);
  const cmd =
    id !== undefined
      ? (c.commands.find((x) => x.id === id && x.direction === 'request') ??
        c.commands.find((x) => x.id === id))
      : clusterIndex(c).commandsByName.get(asText(command).toLowerCase());
  if (cmd === undefined) {
    return {
      ok: false,
      issues: [
        { path: c.name, message: `expected a ${c.name} command id or name`, received: command },
      ],
    };
  }
  const ctx = newContext(c, options.featureMap, options.siblings);
  const out = checkFields(cmd.fields, fields, `${c.name}.${cmd.name}`, ctx, cmd.name);
  return ctx.issues.length === 0
    ? { ok: true, value: out as Record<string, unknown> }
    : { ok: false, issues: ctx.issues };
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
