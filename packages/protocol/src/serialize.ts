/**
 * restJson1 request serialisation driven by an operation's HTTP binding data (the runtime half of
 * the generated `…Binding` constants, as smithy-typescript's runtime serde is): every client —
 * the connector's signed client, the CLI, tests — builds its requests here.
 */
import type { OperationBinding } from './bindings.js';

/** The HTTP parts of one operation input, before signing. */
export interface SerializedRequest {
  readonly method: string;
  /** Path with each `{Label}` replaced by its value, percent-encoded once; no query. */
  readonly path: string;
  /** Query members by wire name; a list member repeats its key. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Header-bound members by wire name (a JSON body also wants `content-type: application/json`). */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body text, or undefined when the operation has no body members. */
  readonly body: string | undefined;
}

const NONE: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Serialises `input` with `binding` (`SendConnectorEventBinding`, `OPERATIONS[name]`, …). Unset
 * members (undefined or null) are left out. Does not validate: call the operation's validator
 * first; a label is substituted as `String(value)`.
 */
export function serializeRequest(binding: OperationBinding, input: object): SerializedRequest {
  const values = input as Record<string, unknown>;
  let path = binding.uri;
  for (const member of binding.pathMembers) {
    path = path.replace(`{${member}}`, encodeURIComponent(String(values[member] ?? '')));
  }
  let query: Record<string, string | readonly string[]> = NONE;
  for (const q of binding.queryBindings) {
    const value = values[q.member];
    if (value === undefined || value === null) continue;
    if (query === NONE) query = {};
    query[q.name] = Array.isArray(value) ? value.map((v) => String(v)) : String(value);
  }
  let headers: Record<string, string> = NONE;
  for (const h of binding.headerBindings) {
    const value = values[h.member];
    if (value === undefined || value === null) continue;
    if (headers === NONE) headers = {};
    headers[h.name] = String(value);
  }
  let body: string | undefined;
  if (binding.bodyMembers.length > 0) {
    const json: Record<string, unknown> = {};
    for (const member of binding.bodyMembers) {
      const value = values[member];
      if (value !== undefined && value !== null) json[member] = value;
    }
    body = JSON.stringify(json);
  }
  return { method: binding.method, path, query, headers, body };
}

/**
 * The query as sent: RFC 3986 encoding, keys sorted (the order SigV4 canonicalises to), `?`
 * first; `''` for no query.
 */
export function queryString(query: Readonly<Record<string, string | readonly string[]>>): string {
  const keys = Object.keys(query).sort();
  if (keys.length === 0) return '';
  const pairs: string[] = [];
  for (const key of keys) {
    const value = query[key] as string | readonly string[];
    for (const item of typeof value === 'string' ? [value] : value) {
      pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(item)}`);
    }
  }
  return `?${pairs.join('&')}`;
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
