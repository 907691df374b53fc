/**
 * Small checkers for the hand-written validators (invoke envelopes, notifications), in the same
 * message style as the generated ones. Model constraints come from `STRING_SHAPES`, never copied.
 */
import type { StringConstraint } from './generated/validators.js';
import type { ValidationIssue } from './result.js';
import { at, codePoints, missing, REDACTED } from './validate-runtime.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks that `v` is an object; reports and returns false otherwise. */
export function checkObject(
  v: unknown,
  path: string,
  out: ValidationIssue[],
  what: string,
): v is Json {
  if (isObject(v)) return true;
  out.push({ path, message: `expected an object (${what})`, received: v });
  return false;
}

/** Reads member `key`; reports a missing required member (null counts as missing). */
function member(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  required: boolean,
  expectation: string,
): unknown {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) missing(o, path, key, `required: ${expectation}`, out);
    return undefined;
  }
  return v;
}

/** A member constrained like a named string shape of the model (`STRING_SHAPES.TraceId`). */
export function checkShapeString(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  shape: StringConstraint,
  required = true,
): void {
  const v = member(o, key, path, out, required, shape.message);
  if (v === undefined) return;
  if (
    typeof v !== 'string' ||
    (shape.min !== undefined && codePoints(v) < shape.min) ||
    (shape.max !== undefined && codePoints(v) > shape.max) ||
    (shape.pattern !== undefined && !shape.pattern.test(v))
  ) {
    out.push({
      path: at(path, key),
      message: shape.message,
      received: shape.sensitive ? REDACTED : v,
    });
  }
}

export interface StringRule {
  readonly required?: boolean;
  /** Allowed values, when the member is an enumeration. */
  readonly values?: readonly string[];
  readonly sensitive?: boolean;
}

/** A non-empty string member, optionally one of `values`. */
export function checkString(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  rule: StringRule = {},
): void {
  const expectation = rule.values
    ? `expected one of ${rule.values.map((x) => JSON.stringify(x)).join(', ')}`
    : 'expected a non-empty string';
  const v = member(o, key, path, out, rule.required ?? true, expectation);
  if (v === undefined) return;
  const ok =
    typeof v === 'string' && v !== '' && (rule.values === undefined || rule.values.includes(v));
  if (!ok) {
    out.push({
      path: at(path, key),
      message: expectation,
      received: rule.sensitive ? REDACTED : v,
    });
  }
}

/** An integer member within [min, max]. */
export function checkInteger(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  rule: { required?: boolean; min?: number; max?: number } = {},
): void {
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` ${rule.min}–${rule.max}`
      : rule.min !== undefined
        ? ` ≥ ${rule.min}`
        : '';
  const expectation = `expected an integer${range}`;
  const v = member(o, key, path, out, rule.required ?? true, expectation);
  if (v === undefined) return;
  if (
    typeof v !== 'number' ||
    !Number.isSafeInteger(v) ||
    (rule.min !== undefined && v < rule.min) ||
    (rule.max !== undefined && v > rule.max)
  ) {
    out.push({ path: at(path, key), message: expectation, received: v });
  }
}

export function checkBoolean(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  required = true,
): void {
  const v = member(o, key, path, out, required, 'expected true or false');
  if (v !== undefined && typeof v !== 'boolean') {
    out.push({ path: at(path, key), message: 'expected true or false', received: v });
  }
}

/** An array member; returns it (or undefined) for item checks. */
export function checkArray(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  rule: { required?: boolean; min?: number; max?: number } = {},
): unknown[] | undefined {
  const bounds =
    rule.min !== undefined && rule.max !== undefined
      ? ` of ${rule.min}–${rule.max} items`
      : rule.min !== undefined
        ? ` of at least ${rule.min} item${rule.min === 1 ? '' : 's'}`
        : '';
  const expectation = `expected an array${bounds}`;
  const v = member(o, key, path, out, rule.required ?? true, expectation);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    out.push({ path: at(path, key), message: expectation, received: v });
    return undefined;
  }
  if (
    (rule.min !== undefined && v.length < rule.min) ||
    (rule.max !== undefined && v.length > rule.max)
  ) {
    out.push({ path: at(path, key), message: expectation, received: v.length });
  }
  return v;
}

/** A string, or an array of non-empty strings. */
export function checkStringArray(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  required = true,
): void {
  const items = checkArray(o, key, path, out, { required });
  items?.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      out.push({
        path: `${at(path, key)}[${i}]`,
        message: 'expected a non-empty string',
        received: item,
      });
    }
  });
}
