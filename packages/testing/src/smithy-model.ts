/**
 * Test-side reading of the pinned Smithy model (independent of the generator's code): valid-value
 * arbitraries and systematic one-constraint mutations derived from the shapes' traits. Imported
 * as `@c2c-kit/testing/smithy-model`, not from the index, which would read the model into every
 * test that imports it.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

interface Member {
  target: string;
  traits?: Record<string, unknown>;
}
interface Shape {
  type: string;
  members?: Record<string, Member>;
  member?: Member;
  key?: Member;
  value?: Member;
  input?: { target: string };
  output?: { target: string };
  errors?: Array<{ target: string }>;
  traits?: Record<string, unknown>;
}

const MODEL_URL = new URL(
  '../../../codegen/inputs/iot-managed-integrations-2025-03-03.smithy.json',
  import.meta.url,
);
export const model = JSON.parse(readFileSync(MODEL_URL, 'utf8')) as {
  shapes: Record<string, Shape>;
};
export const NS = 'com.amazonaws.iotmanagedintegrations#';

const PRELUDE: Record<string, Shape> = {
  'smithy.api#String': { type: 'string' },
  'smithy.api#Integer': { type: 'integer' },
  'smithy.api#Long': { type: 'long' },
  'smithy.api#Boolean': { type: 'boolean' },
  'smithy.api#PrimitiveBoolean': { type: 'boolean' },
  'smithy.api#Double': { type: 'double' },
  'smithy.api#Document': { type: 'document' },
  'smithy.api#Timestamp': { type: 'timestamp' },
  'smithy.api#Unit': { type: 'structure', members: {} },
};

export function shapeOf(id: string): Shape {
  const s = model.shapes[id] ?? PRELUDE[id];
  if (!s) throw new Error(`unknown shape ${id}`);
  return s;
}

export function operation(name: string): Shape {
  return shapeOf(`${NS}${name}`);
}

const t = <T>(traits: Record<string, unknown> | undefined, name: string): T | undefined =>
  traits?.[`smithy.api#${name}`] as T | undefined;

interface Bounds {
  min?: number;
  max?: number;
}

function traitsOf(id: string, member?: Member): Record<string, unknown> {
  return { ...(shapeOf(id).traits ?? {}), ...(member?.traits ?? {}) };
}

export function isSensitive(id: string, member?: Member): boolean {
  return 'smithy.api#sensitive' in traitsOf(id, member);
}

export function regexOf(pattern: string): RegExp {
  const translated = pattern.replace(/\\x\{([0-9A-Fa-f]+)\}/g, '\\u{$1}');
  try {
    return new RegExp(translated, 'u');
  } catch {
    return new RegExp(translated);
  }
}

const cp = (s: string): number => [...s].length;

// ---------------------------------------------------------------------------------------------
// Arbitraries

export interface ArbitraryOptions {
  /** Always include optional members (for mutation seeds that reach every constraint). */
  readonly full?: boolean;
}

function stringArb(id: string, member?: Member): fc.Arbitrary<string> {
  const traits = traitsOf(id, member);
  const length = t<Bounds>(traits, 'length') ?? {};
  const pattern = t<string>(traits, 'pattern');
  const min = length.min ?? 0;
  // Unbounded pattern strings (ARNs) are as long as the pattern makes them.
  const max = length.max ?? (pattern ? Number.POSITIVE_INFINITY : 40);
  if (pattern) {
    const re = regexOf(pattern);
    const single = fc.stringMatching(re);
    // Long minimum lengths are rarely reached by one match; most patterns are `^[class]+$`, so a
    // concatenation of matches is a match too (the filter drops the cases where it is not).
    const source =
      min > 4
        ? fc.oneof(
            single,
            fc
              .array(single, { minLength: Math.ceil(min / 2), maxLength: min })
              .map((p) => p.join('')),
          )
        : single;
    return source
      .map((s) => (cp(s) > max ? [...s].slice(0, max).join('') : s))
      .filter((s) => cp(s) >= min && cp(s) <= max && re.test(s));
  }
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 40), unit: 'grapheme-ascii' });
}

export function arbitraryFor(
  id: string,
  member?: Member,
  options: ArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  const shape = shapeOf(id);
  const traits = traitsOf(id, member);
  switch (shape.type) {
    case 'string':
      return stringArb(id, member);
    case 'enum':
      return fc.constantFrom(
        ...Object.values(shape.members ?? {}).map(
          (m) => t<string>(m.traits, 'enumValue') as string,
        ),
      );
    case 'integer':
    case 'long': {
      const r = t<Bounds>(traits, 'range') ?? {};
      return fc.integer({
        min: r.min ?? (shape.type === 'integer' ? -2147483648 : Number.MIN_SAFE_INTEGER),
        max: r.max ?? (shape.type === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER),
      });
    }
    case 'double': {
      const r = t<Bounds>(traits, 'range') ?? {};
      return fc.double({
        min: r.min ?? -1e9,
        max: r.max ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    }
    case 'boolean':
      return fc.boolean();
    case 'timestamp':
      return fc.integer({ min: 0, max: 4_000_000_000 });
    case 'document':
      // MatterAttributes is a document in the model, but our contract (both public encodings,
      // normalised) is a map of attribute id → value, or an array of such single-key objects.
      if (id === `${NS}MatterAttributes`) {
        return fc.dictionary(fc.stringMatching(/^0x[0-9a-f]{4}$/), fc.jsonValue({ maxDepth: 1 }), {
          maxKeys: 3,
        });
      }
      return fc.jsonValue({ maxDepth: 2 });
    case 'list': {
      const len = t<Bounds>(traits, 'length') ?? {};
      // "full" instances have at least one item so mutations reach the item shape.
      const min = Math.max(len.min ?? 0, options.full && (len.max ?? 1) >= 1 ? 1 : 0);
      const max = Math.min(len.max ?? 3, min + 3);
      return fc.array(arbitraryFor(shape.member?.target as string, shape.member, options), {
        minLength: min,
        maxLength: max,
      });
    }
    case 'map': {
      const len = t<Bounds>(traits, 'length') ?? {};
      const min = Math.max(len.min ?? 0, options.full && (len.max ?? 1) >= 1 ? 1 : 0);
      const max = Math.min(len.max ?? 3, min + 3);
      return fc
        .uniqueArray(
          fc.tuple(
            stringArb(shape.key?.target as string, shape.key),
            arbitraryFor(shape.value?.target as string, shape.value, options),
          ),
          { minLength: min, maxLength: max, selector: ([k]) => k },
        )
        .map((entries) => Object.fromEntries(entries));
    }
    case 'structure': {
      const required: Record<string, fc.Arbitrary<unknown>> = {};
      const optional: string[] = [];
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        required[name] = arbitraryFor(m.target, m, options);
        if (!('smithy.api#required' in (m.traits ?? {}))) optional.push(name);
      }
      const keys = Object.keys(required);
      if (options.full) return fc.record(required);
      return fc.record(required, {
        requiredKeys: keys.filter((k) => !optional.includes(k)),
      });
    }
    default:
      throw new Error(`no arbitrary for ${shape.type}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

export type Segment = string | number;

export interface Mutation {
  /** Where the value changes (validator path syntax). */
  readonly path: string;
  readonly segments: readonly Segment[];
  /** New value at `segments`, or `undefined` with `remove` to delete the member. */
  readonly replacement?: unknown;
  readonly remove?: boolean;
  readonly what: string;
  readonly sensitive: boolean;
  /** Shape whose constraint is violated (the structure, for a removed required member). */
  readonly shape: string;
}

export function pathOf(segments: readonly Segment[]): string {
  let p = '';
  for (const s of segments) {
    if (typeof s === 'number') p = `${p}[${s}]`;
    else p = p === '' ? s : `${p}.${s}`;
  }
  return p;
}

export function applyMutation(root: unknown, m: Mutation): unknown {
  if (m.segments.length === 0) return m.replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const s of m.segments.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  const last = m.segments[m.segments.length - 1] as Segment;
  if (m.remove) delete node[last];
  else node[last] = m.replacement;
  return copy;
}

const PATTERN_BREAKERS = ['!', ' ', '#', '~', '\n', '\u0000', 'é', '\u{1F600}', '"', '<'];

function stringViolations(id: string, member: Member | undefined): Array<[string, unknown]> {
  const traits = traitsOf(id, member);
  const length = t<Bounds>(traits, 'length') ?? {};
  const pattern = t<string>(traits, 'pattern');
  const out: Array<[string, unknown]> = [['not a string', 42]];
  if (length.min !== undefined && length.min >= 1) out.push(['shorter than min', '']);
  if (length.max !== undefined) out.push(['longer than max', '1'.repeat(length.max + 1)]);
  if (pattern) {
    const re = regexOf(pattern);
    const min = Math.max(length.min ?? 1, 1);
    for (const b of PATTERN_BREAKERS) {
      const candidate = b.repeat(min);
      if (cp(candidate) <= (length.max ?? 1e9) && !re.test(candidate)) {
        out.push([`pattern broken by ${JSON.stringify(b)}`, candidate]);
        break;
      }
    }
  }
  return out;
}

/** Every one-constraint violation reachable in `value` (a valid instance of `id`). */
export function mutations(
  id: string,
  value: unknown,
  member?: Member,
  segments: Segment[] = [],
): Mutation[] {
  const shape = shapeOf(id);
  const traits = traitsOf(id, member);
  const sensitive = isSensitive(id, member);
  const path = pathOf(segments);
  const out: Mutation[] = [];
  const push = (what: string, replacement: unknown, at = segments, sens = sensitive) =>
    out.push({ path: pathOf(at), segments: at, replacement, what, sensitive: sens, shape: id });
  switch (shape.type) {
    case 'string':
      for (const [what, v] of stringViolations(id, member)) push(what, v);
      break;
    case 'enum':
      push('not an enum value', 'NOT_AN_ENUM_VALUE');
      push('not a string', 7);
      break;
    case 'integer':
    case 'long': {
      const r = t<Bounds>(traits, 'range') ?? {};
      push('not a number', '7');
      push('not an integer', 1.5);
      if (r.min !== undefined) push('below min', r.min - 1);
      if (r.max !== undefined) push('above max', r.max + 1);
      if (shape.type === 'integer' && r.max === undefined) push('above int32', 2 ** 31);
      break;
    }
    case 'double': {
      const r = t<Bounds>(traits, 'range') ?? {};
      push('not a number', 'x');
      if (r.min !== undefined) push('below min', r.min - 1);
      if (r.max !== undefined) push('above max', r.max + 1);
      break;
    }
    case 'boolean':
      push('not a boolean', 'true');
      break;
    case 'timestamp':
      push('not epoch seconds', 'yesterday');
      break;
    case 'document':
      break;
    case 'list': {
      push('not an array', { not: 'an array' });
      if (!Array.isArray(value)) break;
      const len = t<Bounds>(traits, 'length') ?? {};
      if (len.min !== undefined && len.min >= 1) push('fewer items than min', []);
      if (len.max !== undefined && value.length > 0) {
        push(
          'more items than max',
          Array.from({ length: len.max + 1 }, () => value[0]),
        );
      }
      value.slice(0, 2).forEach((item, i) => {
        out.push(
          ...mutations(shape.member?.target as string, item, shape.member, [...segments, i]),
        );
      });
      break;
    }
    case 'map': {
      push('not an object map', ['not', 'a', 'map']);
      if (typeof value !== 'object' || value === null) break;
      const entries = Object.entries(value);
      const len = t<Bounds>(traits, 'length') ?? {};
      if (len.min !== undefined && len.min >= 1) push('fewer entries than min', {});
      const keyTraits = traitsOf(shape.key?.target as string, shape.key);
      const keyPattern = t<string>(keyTraits, 'pattern');
      if (keyPattern && entries.length > 0) {
        const re = regexOf(keyPattern);
        const bad = PATTERN_BREAKERS.find((b) => !re.test(b));
        if (bad !== undefined) {
          const [, firstValue] = entries[0] as [string, unknown];
          // Replace the whole map so the size stays the same and only the key is wrong.
          const replaced = Object.fromEntries([[bad, firstValue], ...entries.slice(1)]);
          out.push({
            path: pathOf([...segments, bad]),
            segments,
            replacement: replaced,
            what: 'map key breaks pattern',
            sensitive,
            shape: shape.key?.target as string,
          });
        }
      }
      const keyMax = t<Bounds>(keyTraits, 'length')?.max;
      if (keyMax !== undefined && entries.length > 0) {
        const long = 'k'.repeat(keyMax + 1);
        const [, firstValue] = entries[0] as [string, unknown];
        out.push({
          path: pathOf([...segments, long]),
          segments,
          replacement: Object.fromEntries([[long, firstValue], ...entries.slice(1)]),
          what: 'map key longer than max',
          sensitive,
          shape: shape.key?.target as string,
        });
      }
      if (len.max !== undefined && keyPattern && entries.length > 0) {
        const re = regexOf(keyPattern);
        const keys = new Set(Object.keys(value));
        for (const k of fc.sample(fc.stringMatching(re), { numRuns: 500, seed: 7 })) {
          if (keys.size > len.max) break;
          if (cp(k) <= (t<Bounds>(keyTraits, 'length')?.max ?? 1e9)) keys.add(k);
        }
        const first = entries[0]?.[1];
        push('more entries than max', Object.fromEntries([...keys].map((k) => [k, first])));
      }
      for (const [k, v] of entries.slice(0, 2)) {
        out.push(...mutations(shape.value?.target as string, v, shape.value, [...segments, k]));
      }
      break;
    }
    case 'structure': {
      push('not an object', 'not an object');
      if (typeof value !== 'object' || value === null || Array.isArray(value)) break;
      const o = value as Record<string, unknown>;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const at = [...segments, name];
        if ('smithy.api#required' in (m.traits ?? {})) {
          out.push({
            path: pathOf(at),
            segments: at,
            remove: true,
            what: 'required member removed',
            sensitive: false,
            shape: id,
          });
        }
        if (o[name] !== undefined && o[name] !== null)
          out.push(...mutations(m.target, o[name], m, at));
      }
      break;
    }
    default:
      throw new Error(`no mutations for ${shape.type} at ${path}`);
  }
  return out;
}

/** Every shape reachable from `roots` that carries a checkable constraint. */
export function constrainedShapes(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const out = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const s = shapeOf(id);
    const tr = s.traits ?? {};
    const constrained =
      s.type === 'enum' ||
      'smithy.api#length' in tr ||
      'smithy.api#pattern' in tr ||
      'smithy.api#range' in tr ||
      (s.type === 'structure' &&
        Object.values(s.members ?? {}).some((m) => 'smithy.api#required' in (m.traits ?? {})));
    if (constrained) out.add(id);
    if (s.type !== 'enum') for (const m of Object.values(s.members ?? {})) visit(m.target);
    for (const m of [s.member, s.key, s.value]) if (m) visit(m.target);
  };
  for (const r of roots) visit(r);
  return out;
}
