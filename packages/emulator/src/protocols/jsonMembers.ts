/**
 * Small, explicit readers for JSON request members (shared by the SQS, Secrets Manager and Lambda
 * routes). Every failure names the member path and says what was expected and what arrived, so a
 * malformed request always becomes a 4xx with a clear message, never a crash.
 */
export type BadRequest = (message: string) => Error;

/** A short, secret-free description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'string') return `string(${value.length})`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

export function requireObject(
  value: unknown,
  path: string,
  bad: BadRequest,
): Record<string, unknown> {
  if (value === undefined) return {};
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Buffer.isBuffer(value)
  ) {
    throw bad(`${path}: expected a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

interface StringRules {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Human-readable form of `pattern` for the error message. */
  patternText?: string;
}

export function optString(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  rules: StringRules = {},
  path = key,
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(`${path}: expected string, got ${describe(v)}`);
  if (rules.min !== undefined && v.length < rules.min) {
    throw bad(`${path}: expected at least ${rules.min} characters, got ${v.length}`);
  }
  if (rules.max !== undefined && v.length > rules.max) {
    throw bad(`${path}: expected at most ${rules.max} characters, got ${v.length}`);
  }
  if (rules.pattern && !rules.pattern.test(v)) {
    throw bad(`${path}: expected to match ${rules.patternText ?? String(rules.pattern)}`);
  }
  return v;
}

export function reqString(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  rules: StringRules = {},
  path = key,
): string {
  const v = optString(o, key, bad, rules, path);
  if (v === undefined) throw bad(`${path}: required, got nothing`);
  return v;
}

export function optInt(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  range: { min: number; max: number },
  path = key,
): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw bad(`${path}: expected integer, got ${describe(v)}`);
  }
  if (v < range.min || v > range.max) {
    throw bad(`${path}: expected an integer from ${range.min} to ${range.max}, got ${v}`);
  }
  return v;
}

export function optBoolean(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  path = key,
): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(`${path}: expected boolean, got ${describe(v)}`);
  return v;
}

export function optArray(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  path = key,
): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw bad(`${path}: expected array, got ${describe(v)}`);
  return v;
}

export function optStringArray(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  path = key,
): string[] | undefined {
  const a = optArray(o, key, bad, path);
  if (a === undefined) return undefined;
  return a.map((item, i) => {
    if (typeof item !== 'string')
      throw bad(`${path}[${i}]: expected string, got ${describe(item)}`);
    return item;
  });
}

export function optStringMap(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  path = key,
): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const m = requireObject(v, path, bad);
  const out: Record<string, string> = {};
  for (const [k, item] of Object.entries(m)) {
    if (typeof item !== 'string') throw bad(`${path}.${k}: expected string, got ${describe(item)}`);
    out[k] = item;
  }
  return out;
}

/** Decodes a base64 blob member (awsJson encodes blobs as base64 text). */
export function optBlob(
  o: Record<string, unknown>,
  key: string,
  bad: BadRequest,
  path = key,
): Buffer | undefined {
  const v = optString(o, key, bad, {}, path);
  if (v === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) {
    throw bad(`${path}: expected base64 text`);
  }
  return Buffer.from(v, 'base64');
}
