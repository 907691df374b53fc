import type { ClusterDef, Conformance } from './model.js';
import { clusterIndex } from './table.js';

/** What a conformance expression says about an element for a given feature set. */
export type ConformanceLevel =
  | 'mandatory'
  | 'optional'
  | 'provisional'
  | 'deprecated'
  | 'disallowed';

/**
 * The active features of a cluster instance. `undefined` means "not known": feature-gated elements
 * are then neither required nor rejected (the permissive reading, for payloads without a FeatureMap).
 */
export type FeatureSet = ReadonlySet<string> | undefined;

/** Feature codes (`AUT`, `SPD`) whose bit is set in a FeatureMap value. */
export function featuresFromMap(cluster: ClusterDef, featureMap: number): ReadonlySet<string> {
  const set = new Set<string>();
  for (const f of cluster.features) {
    // FeatureMap is 32-bit: division keeps bit 31 positive where `>>` would not.
    if (Math.floor(featureMap / 2 ** f.bit) % 2 === 1) set.add(f.code);
  }
  return set;
}

/** FeatureMap value with the bits of the given feature codes or names (`['AUT', 'MultiSpeed']`). */
export function featureMapOf(cluster: ClusterDef, features: readonly string[]): number {
  let map = 0;
  const bits = clusterIndex(cluster).featureBits;
  for (const name of features) {
    const bit = bits.get(name) ?? cluster.features.find((f) => f.name === name)?.bit;
    if (bit !== undefined) map += 2 ** bit;
  }
  return map;
}

/** Three-valued truth of a boolean conformance term: undefined when it cannot be decided. */
function truth(c: Conformance, cluster: ClusterDef, features: FeatureSet): boolean | undefined {
  if (typeof c === 'string') return undefined;
  const [op, a, b] = c as readonly [string, Conformance, Conformance];
  switch (op) {
    case 'n': {
      const name = a as unknown as string;
      if (features === undefined || !clusterIndex(cluster).featureBits.has(name)) return undefined;
      return features.has(name);
    }
    case '!': {
      const t = truth(a, cluster, features);
      return t === undefined ? undefined : !t;
    }
    case '&': {
      const l = truth(a, cluster, features);
      const r = truth(b, cluster, features);
      if (l === false || r === false) return false;
      return l === true && r === true ? true : undefined;
    }
    case '|': {
      const l = truth(a, cluster, features);
      const r = truth(b, cluster, features);
      if (l === true || r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    case '^': {
      const l = truth(a, cluster, features);
      const r = truth(b, cluster, features);
      return l === undefined || r === undefined ? undefined : l !== r;
    }
    default:
      // Comparisons and element references need device state we do not have.
      return undefined;
  }
}

interface Evaluation {
  /** false when a condition is known not to hold (an otherwise-list moves on). */
  readonly applies: boolean;
  readonly level: ConformanceLevel;
}

const FLAGS: Record<string, ConformanceLevel> = {
  '': 'mandatory',
  M: 'mandatory',
  O: 'optional',
  P: 'provisional',
  D: 'deprecated',
  X: 'disallowed',
  desc: 'optional',
};

function evaluate(c: Conformance, cluster: ClusterDef, features: FeatureSet): Evaluation {
  if (typeof c === 'string') return { applies: true, level: FLAGS[c] ?? 'optional' };
  const [op, ...args] = c as readonly [string, ...Conformance[]];
  if (op === ',') {
    for (const part of args) {
      const r = evaluate(part, cluster, features);
      if (r.applies) return r;
    }
    return { applies: false, level: 'disallowed' };
  }
  if (op === '[]') {
    const t = truth(args[0] as Conformance, cluster, features);
    return t === false
      ? { applies: false, level: 'disallowed' }
      : { applies: true, level: 'optional' };
  }
  if (op === 'c') {
    const r = evaluate(args[0] as Conformance, cluster, features);
    return r.level === 'mandatory' ? { applies: r.applies, level: 'optional' } : r;
  }
  const t = truth(c, cluster, features);
  if (t === true) return { applies: true, level: 'mandatory' };
  if (t === false) return { applies: false, level: 'disallowed' };
  return { applies: true, level: 'optional' };
}

/**
 * Evaluates a conformance for a feature set: `AUT` is mandatory with feature AUT, disallowed
 * without it, optional when the features are unknown.
 */
export function conformanceLevel(
  conformance: Conformance,
  cluster: ClusterDef,
  features: FeatureSet,
): ConformanceLevel {
  return evaluate(conformance, cluster, features).level;
}

/** Renders a compact conformance back to spec notation: `AUT`, `[LT]`, `!OFFONLY`, `COOL & OCC`. */
export function formatConformance(c: Conformance): string {
  if (typeof c === 'string') return c;
  const [op, ...args] = c as readonly [string, ...unknown[]];
  switch (op) {
    case 'n':
      return String(args[0]);
    case 'v':
      return JSON.stringify(args[0]);
    case '!':
      return `!${formatConformance(args[0] as Conformance)}`;
    case '[]':
      return `[${formatConformance(args[0] as Conformance)}]`;
    case ',':
      return args.map((a) => formatConformance(a as Conformance)).join(', ');
    case 'c':
      return `${formatConformance(args[0] as Conformance)}.a`;
    default:
      return args.map((a) => formatConformance(a as Conformance)).join(` ${op} `);
  }
}
