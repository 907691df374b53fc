/**
 * Text of an untrusted value that never throws: `String(value)` throws for objects with a broken
 * `toString` (`{ toString: {} }`), which hostile or random JSON-like input can contain.
 */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) return '';
  return value === null ? 'null' : typeof value;
}

/** JSON text of a value for messages; never throws (cycles, BigInt) and never returns undefined. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? asText(value);
  } catch {
    return asText(value);
  }
}
