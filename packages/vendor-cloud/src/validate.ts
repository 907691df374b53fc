import { InvalidRequestError } from './errors.js';

/**
 * Tiny hand-written validators for the JSON routes. They throw `InvalidRequestError` naming the
 * field path, the expectation and the received value, which Fastify's schema errors do not phrase
 * as clearly ("body/params must be object").
 */

/** Short, single-line rendering of a received value; never echoes long strings in full. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(path, 'a JSON object', describe(value));
  }
  return value as Record<string, unknown>;
}

export function stringAt(value: unknown, path: string, maxLength = 200): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new InvalidRequestError(path, `a string of 1-${maxLength} characters`, describe(value));
  }
  return value;
}

export function enumAt<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidRequestError(path, `one of ${allowed.join('|')}`, describe(value));
  }
  return value as T;
}

export function numberAt(
  value: unknown,
  path: string,
  min: number,
  max: number,
  integer = false,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    throw new InvalidRequestError(path, `${kind} from ${min} to ${max}`, describe(value));
  }
  return value as number;
}

export function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw new InvalidRequestError(path, 'true or false', describe(value));
  return value;
}

/** Rejects members not in `allowed`, so typos (`speedPercnt`) are reported instead of ignored. */
export function onlyKeys(
  obj: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length === 0 ? 'no members' : `only ${allowed.join(', ')}`;
      throw new InvalidRequestError(`${path}.${key}`, `${expected} (unknown member)`);
    }
  }
}
