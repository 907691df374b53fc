/**
 * An HTTP/1.1 response as `ResponseParser` (http1.ts) hands it over, and the field-line syntax
 * (RFC 9110 §5) the parser checks and the response's `headers` read.
 */

export interface ParsedResponse {
  readonly statusCode: number;
  /**
   * Lower-case names; repeated fields joined with ", " (`set-cookie` kept as a list). Built on
   * first access: a successful call never looks at them.
   */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
  /** Whether the connection may carry another request after this response. */
  readonly keepAlive: boolean;
  /** The `Keep-Alive` field (how long the server keeps the connection), without `headers`. */
  readonly keepAliveField: string | undefined;
}

/** A response whose header fields (validated already) become an object only when asked for. */
export class Response implements ParsedResponse {
  readonly statusCode: number;
  readonly body: Buffer;
  readonly keepAlive: boolean;
  readonly keepAliveField: string | undefined;
  readonly #head: string;
  readonly #fieldsFrom: number;
  #headers: Record<string, string | string[]> | undefined;

  constructor(
    statusCode: number,
    head: string,
    fieldsFrom: number,
    body: Buffer,
    keepAlive: boolean,
    keepAliveField: string | undefined,
  ) {
    this.statusCode = statusCode;
    this.#head = head;
    this.#fieldsFrom = fieldsFrom;
    this.body = body;
    this.keepAlive = keepAlive;
    this.keepAliveField = keepAliveField;
  }

  get headers(): Record<string, string | string[]> {
    if (this.#headers === undefined) {
      const headers: Record<string, string | string[]> = {};
      const text = this.#head;
      for (let start = this.#fieldsFrom; start < text.length; ) {
        const end = lineEnd(text, start);
        const colon = text.indexOf(':', start);
        const key = text.slice(start, colon).toLowerCase();
        const value = fieldValue(text, colon, end);
        const previous = headers[key];
        if (previous === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
        else if (Array.isArray(previous)) previous.push(value);
        else headers[key] = `${previous}, ${value}`;
        start = end + 2;
      }
      this.#headers = headers;
    }
    return this.#headers;
  }
}

/** Where the CRLF-terminated line starting at `start` ends (the text's end for the last one). */
export function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\r\n', start);
  return end === -1 ? text.length : end;
}

/**
 * Whether the token at `start` is `name` (lower case, letters and '-') in any case. Only called
 * on checked tokens of `name`'s length, where setting bit 0x20 folds exactly the letters.
 */
export function isNamed(text: string, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    if ((text.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** Repeated fields join with ", " (RFC 9110 §5.3). */
export function joined(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

/** A field line's value: after the colon, without the blanks around it. */
export function fieldValue(text: string, colon: number, end: number): string {
  let from = colon + 1;
  let to = end;
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/** RFC 9110 `tchar`: what a field name may contain. */
const TCHAR = (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
    table[c.charCodeAt(0)] = 1;
  }
  return table;
})();

export function isToken(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

export function headerTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  // The usual case, one token ("keep-alive", "close", "chunked"): no split/map/filter.
  if (typeof value === 'string' && !value.includes(',')) {
    const token = value.trim().toLowerCase();
    return token === '' ? [] : [token];
  }
  return String(value)
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}
