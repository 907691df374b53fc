/** A shape's Smithy constraints (length, range, pattern, sensitive) and their wording in messages. */
import { hasTrait, localName, type SmithyMember, type SmithyShape, trait } from './model.js';

export interface Constraints {
  readonly length?: { min?: number; max?: number };
  readonly range?: { min?: number; max?: number };
  readonly pattern?: string;
}

export function constraintsOf(shape: SmithyShape, member?: SmithyMember): Constraints {
  const t = { ...(shape.traits ?? {}), ...(member?.traits ?? {}) };
  const out: { length?: Constraints['length']; range?: Constraints['range']; pattern?: string } =
    {};
  const length = trait<{ min?: number; max?: number }>(t, 'length');
  if (length) out.length = length;
  const range = trait<{ min?: number; max?: number }>(t, 'range');
  if (range) out.range = range;
  const pattern = trait<string>(t, 'pattern');
  if (pattern) out.pattern = pattern;
  return out;
}

export function isSensitive(shape: SmithyShape, member?: SmithyMember): boolean {
  return hasTrait(shape.traits, 'sensitive') || hasTrait(member?.traits, 'sensitive');
}

export function boundsWords(
  b: { min?: number; max?: number },
  unit: string,
  units: string,
): string {
  const u = (n: number): string => (n === 1 ? unit : units);
  if (b.min !== undefined && b.max !== undefined) {
    return b.min === b.max ? `exactly ${b.min} ${u(b.min)}` : `${b.min}–${b.max} ${units}`;
  }
  if (b.min !== undefined) return `at least ${b.min} ${u(b.min)}`;
  if (b.max !== undefined) return `at most ${b.max} ${u(b.max)}`;
  return '';
}

export function rangeWords(r: { min?: number; max?: number } | undefined): string {
  if (r === undefined) return '';
  if (r.min !== undefined && r.max !== undefined) return ` ${r.min}–${r.max}`;
  if (r.min !== undefined) return ` ≥ ${r.min}`;
  if (r.max !== undefined) return ` ≤ ${r.max}`;
  return '';
}

/**
 * Patterns whose regex reads worse than words. Keyed by the exact model pattern, so a model change
 * falls back to printing the regex rather than a stale description.
 */
export const PATTERN_WORDS: Record<string, (noun: string) => string> = {
  '^0[xX][0-9a-fA-F]+$|^[0-9]+$': (noun) => `hex "0x…" or decimal ${noun}`,
  '^1\\.0\\.0$': () => '"1.0.0"',
};

/** `MatterAttributeId` → `attribute id`, `ClusterId` → `cluster id`. */
export function nounOf(id: string): string {
  return localName(id)
    .replace(/^Matter/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}
