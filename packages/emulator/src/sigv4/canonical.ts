// The canonical request's parts, as @smithy/signature-v4 forms them: headers, query, URI
// escaping and X-Amz-Date.

import { SignatureError } from '../errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const SIGNATURE_HEX = /^[0-9a-f]{64}$/;

/** A header's values: one string, or every value in arrival order when it was repeated. */
export type HeaderValues = string | string[];

/**
 * Lower-cased header name → its value, or its values in arrival order when repeated (SigV4 keeps
 * duplicates). An array only for repeated headers: most requests repeat none.
 */
export function collectHeaders(rawHeaders: readonly string[]): Map<string, HeaderValues> {
  const headers = new Map<string, HeaderValues>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const seen = headers.get(name);
    if (seen === undefined) headers.set(name, value);
    else if (typeof seen === 'string') headers.set(name, [seen, value]);
    else seen.push(value);
  }
  return headers;
}

export function joined(values: HeaderValues): string {
  return typeof values === 'string' ? values : values.join(',');
}

export function canonicalHeaderValue(values: HeaderValues): string {
  if (typeof values === 'string') return trimValue(values);
  return values.map(trimValue).join(',');
}

// Values with no CR/LF/tab, no double space and no edge spaces are already canonical: one test
// instead of three replace passes for the usual header.
const NEEDS_TRIM = /[\r\n\t]| {2}|^ | $/;

export function trimValue(value: string): string {
  if (!NEEDS_TRIM.test(value)) return value;
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/** Query canonicalisation as `@smithy/signature-v4` does it: decode, re-escape, sort. */
export function canonicalQuery(query: string, dropSessionToken: boolean): string {
  if (query === '') return '';
  const byKey = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const key = safeDecode(rawKey);
    if (key.toLowerCase() === 'x-amz-signature') continue;
    if (dropSessionToken && key === 'X-Amz-Security-Token') continue;
    const encodedKey = escapeUri(key);
    const value = eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
    const entry = `${encodedKey}=${escapeUri(value)}`;
    const list = byKey.get(encodedKey);
    if (list === undefined) byKey.set(encodedKey, [entry]);
    else list.push(entry);
  }
  const keys = [...byKey.keys()].sort();
  return keys.map((k) => (byKey.get(k) as string[]).sort().join('&')).join('&');
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape cannot have been produced by a conforming signer; keeping the raw text
    // makes the signature check fail instead of crashing the request.
    return text;
  }
}

export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Requests signed in the same second share the X-Amz-Date text: one parse per second, not per request.
let lastAmzDate = '';
let lastAmzDateMs = 0;

export function parseAmzDate(value: string): number {
  if (value === lastAmzDate) return lastAmzDateMs;
  const ms = parseAmzDateText(value);
  lastAmzDate = value;
  lastAmzDateMs = ms;
  return ms;
}

export function parseAmzDateText(value: string): number {
  const m = AMZ_DATE.exec(value);
  if (m === null) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `X-Amz-Date must be in ISO-8601 basic format (yyyyMMdd'T'HHmmss'Z'), got '${value.slice(0, 40)}'.`,
    );
  }
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
