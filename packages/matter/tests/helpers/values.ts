import fc from 'fast-check';
import {
  type ClusterDef,
  conformanceLevel,
  type FieldDef,
  formatFieldId,
  type ValueSpec,
} from '../../src/index.js';

/** Fields that must be present without a known FeatureMap (conformance `M` or plain). */
export function mandatoryFields(cluster: ClusterDef, fields: readonly FieldDef[]): FieldDef[] {
  return fields.filter((f) => conformanceLevel(f.conformance, cluster, undefined) === 'mandatory');
}

function usable(cluster: ClusterDef, f: FieldDef): boolean {
  const level = conformanceLevel(f.conformance, cluster, undefined);
  return level === 'mandatory' || level === 'optional' || level === 'provisional';
}

/** Integer bounds of a primitive (`uint8`, `int16`, `enum8` …), one value kept for null. */
function primitiveBounds(spec: ValueSpec): [number, number] {
  const m = /^(u?int|enum|map)(8|16|24|32|40|48|56|64)$/.exec(spec.base ?? spec.type);
  if (m === null) return [-1000, 1000];
  const width = Number(m[2]);
  const signed = m[1] === 'int';
  const lo = signed ? -(2 ** (width - 1)) + 1 : 0;
  const hi = signed ? 2 ** (width - 1) - 2 : 2 ** width - 2;
  return [Math.max(lo, Number.MIN_SAFE_INTEGER), Math.min(hi, Number.MAX_SAFE_INTEGER)];
}

function numericBounds(spec: ValueSpec, lo: number, hi: number): [number, number] {
  const min = typeof spec.min === 'number' ? Math.max(lo, Math.ceil(spec.min)) : lo;
  const max = typeof spec.max === 'number' ? Math.min(hi, Math.floor(spec.max)) : hi;
  return [min, max];
}

function lengthBounds(spec: ValueSpec, cap: number): [number, number] {
  const min = typeof spec.min === 'number' ? spec.min : 0;
  const max = typeof spec.max === 'number' ? Math.min(spec.max, Math.max(min, cap)) : min + cap;
  return [min, max];
}

/**
 * A value valid for `spec` in `cluster`, for every kind the table has: the property tests iterate
 * every command of every cluster, so no type may be skipped. Sibling-referenced bounds
 * (`max speedMax`) are left out: command fields have no siblings to resolve them against.
 */
export function arbitraryValue(cluster: ClusterDef, spec: ValueSpec): fc.Arbitrary<unknown> {
  const plain = plainValueOf(cluster, spec);
  return spec.nullable ? fc.oneof(fc.constant(null), plain) : plain;
}

function plainValueOf(cluster: ClusterDef, spec: ValueSpec): fc.Arbitrary<unknown> {
  const def = spec.ref === undefined ? undefined : cluster.datatypes[spec.ref];
  switch (spec.kind) {
    case 'bool':
      return fc.boolean();
    case 'int': {
      const [lo, hi] = numericBounds(spec, ...primitiveBounds(spec));
      return fc.integer({ min: lo, max: Math.max(lo, hi) });
    }
    case 'float': {
      const [lo, hi] = numericBounds(spec, -1000, 1000);
      return fc.integer({ min: lo, max: Math.max(lo, hi) });
    }
    case 'enum': {
      // A bare `enum8` names no members: any value of its width is one.
      if (def?.kind !== 'enum') {
        const [lo, hi] = primitiveBounds(spec);
        return fc.integer({ min: lo, max: hi });
      }
      const ok = def.members.filter((m) => {
        const level = conformanceLevel(m.conformance, cluster, undefined);
        return level !== 'disallowed' && level !== 'deprecated';
      });
      return fc.constantFrom(...ok.map((m) => m.value));
    }
    case 'bitmap': {
      if (def?.kind !== 'bitmap') return fc.constant(0);
      const flags = def.members
        .filter(
          (m) =>
            m.width === 1 && conformanceLevel(m.conformance, cluster, undefined) !== 'disallowed',
        )
        .map((m) => 2 ** m.bit);
      return flags.length === 0
        ? fc.constant(0)
        : fc.subarray(flags).map((bits) => bits.reduce((a, b) => a + b, 0));
    }
    case 'string': {
      const [min, max] = lengthBounds(spec, 16);
      return fc.string({ minLength: min, maxLength: max, unit: 'binary-ascii' });
    }
    case 'bytes': {
      const [min, max] = lengthBounds(spec, 8);
      return fc.array(fc.integer({ min: 0, max: 255 }), { minLength: min, maxLength: max });
    }
    case 'list': {
      const [min, max] = lengthBounds(spec, 2);
      const entry = spec.entry === undefined ? fc.constant(0) : arbitraryValue(cluster, spec.entry);
      return fc.array(entry, { minLength: min, maxLength: Math.min(max, min + 2) });
    }
    case 'struct': {
      if (def?.kind !== 'struct') return fc.constant({});
      return fieldsOf(cluster, def.fields);
    }
    default:
      return fc.constant(0);
  }
}

/**
 * Fields keyed by id (`"0x00"`): every mandatory one, optional ones sometimes. Fields that are
 * disallowed or deprecated without a FeatureMap are left out.
 */
export function fieldsOf(
  cluster: ClusterDef,
  fields: readonly FieldDef[],
): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(mandatoryFields(cluster, fields).map((f) => f.id));
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const keys: string[] = [];
  for (const f of fields) {
    if (!usable(cluster, f)) continue;
    const key = formatFieldId(f.id);
    model[key] = arbitraryValue(cluster, f);
    if (required.has(f.id)) keys.push(key);
  }
  return fc.record(model, { requiredKeys: keys }) as fc.Arbitrary<Record<string, unknown>>;
}
