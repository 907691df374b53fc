import type { OperationBinding } from '../protocol.js';

export interface BuiltRequest {
  readonly method: string;
  /** Path with encoded labels, without the query. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: string | undefined;
}

/**
 * restJson1 serialisation driven by the operation's HTTP binding data: labels are
 * percent-encoded single segments, query values are strings, body members form the JSON
 * object (unset members omitted, never `null`).
 */
export function buildRequest(
  binding: OperationBinding,
  input: Record<string, unknown>,
): BuiltRequest {
  let path = binding.uri;
  for (const member of binding.pathMembers) {
    path = path.replace(`{${member}}`, encodeURIComponent(String(input[member])));
  }
  const query: Record<string, string> = {};
  for (const q of binding.queryBindings) {
    const value = input[q.member];
    if (value !== undefined && value !== null) query[q.name] = String(value);
  }
  let body: string | undefined;
  if (binding.bodyMembers.length > 0) {
    const out: Record<string, unknown> = {};
    for (const member of binding.bodyMembers) {
      const value = input[member];
      if (value !== undefined && value !== null) out[member] = value;
    }
    body = JSON.stringify(out);
  }
  return { method: binding.method, path, query, body };
}

/** RFC 3986 query string with keys sorted (the order SigV4 canonicalises to anyway). */
export function queryString(query: Record<string, string>): string {
  const keys = Object.keys(query).sort();
  if (keys.length === 0) return '';
  return `?${keys.map((k) => `${encodeRfc3986(k)}=${encodeRfc3986(query[k] ?? '')}`).join('&')}`;
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
