/**
 * One problem found in an input, located by a field path in the style
 * `MatterEndpoint.clusters[0].id`, with what was expected and what arrived.
 */
export interface ValidationIssue {
  /** Field path from the root of the validated value; `''` means the value itself. */
  readonly path: string;
  /** The constraint that failed, in words: `expected hex "0x…" or decimal cluster id`. */
  readonly message: string;
  /** The value received at `path` (already redacted when the field is sensitive). */
  readonly received?: unknown;
  /** For text input (JSON syntax errors): 1-based line of the problem. */
  readonly line?: number;
  /** For text input (JSON syntax errors): 1-based column of the problem. */
  readonly column?: number;
}

/** Outcome of a validation: the (normalised) value, or every issue found. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Renders a received value for an error message: short, JSON-like, never multi-line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  // The stand-in for sensitive values (validate-runtime's REDACTED) prints bare, not quoted.
  if (value === '<redacted>') return '<redacted>';
  if (typeof value === 'string') {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value === 'object' ? 'object' : typeof value;
}

/** `MatterEndpoint.clusters[0].id: expected hex "0x…" or decimal cluster id, got "fan"` */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  const got = 'received' in issue ? `, got ${describeValue(issue.received)}` : '';
  return `${where}: ${issue.message}${got}`;
}

/** Joins a parent path and a member name or index into a field path. */
export function joinPath(parent: string, member: string | number): string {
  if (typeof member === 'number') return `${parent}[${member}]`;
  return parent === '' ? member : `${parent}.${member}`;
}
