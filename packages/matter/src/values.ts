/**
 * Value checks against the Matter 1.4 table: one attribute value, one command's fields. The
 * endpoint-level validation (ids, encodings, directions) in validate.ts builds on these.
 */
import { REDACTED, type Result, type ValidationIssue } from '@c2c-kit/protocol';
import {
  conformanceLevel,
  type FeatureSet,
  featuresFromMap,
  formatConformance,
} from './conformance.js';
import { formatCommandId, tryParseMatterId } from './ids.js';
import type { AttributeDef, ClusterDef, DatatypeDef, FieldDef, ValueSpec } from './model.js';
import { type ResponseShape, requestFieldInResponse } from './responses.js';
import { clusterIndex, getAttribute, getCluster } from './table.js';
import { asText, isSensitiveElement } from './text.js';

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

export interface Context {
  readonly cluster: ClusterDef;
  readonly features: FeatureSet;
  readonly siblings: Readonly<Record<string, unknown>> | undefined;
  readonly issues: ValidationIssue[];
}

export const NUMERIC = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
export const FEATURE_MAP = 0xfffc;
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

export function checkFields(
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
export function checkValue(spec: ValueSpec, value: unknown, path: string, ctx: Context): unknown {
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

export function newContext(
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
