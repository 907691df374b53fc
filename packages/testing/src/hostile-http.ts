import { connect } from 'node:net';
import fc from 'fast-check';
import { expect } from 'vitest';

// Hostile HTTP for the fuzz tests of every local server (emulator, vendor cloud, dashboard):
// requests written byte by byte on a socket, so nothing a client library would refuse to send
// (bad percent or UTF-8 encodings, huge headers, lying Content-Length) is filtered out first.

export interface RawRequest {
  readonly method: string;
  /** Path and query exactly as they go on the request line (may hold raw non-ASCII bytes). */
  readonly target: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Bytes the Content-Length header promises beyond the body sent (a truncated body). */
  readonly missingBytes?: number;
}

export interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Header lines as they go on the wire, each ending in CRLF. */
export function headerLines(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}

export function parseAnswer(raw: Buffer): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  if (raw.length === 0 || end === -1) return { status: 0, headers: {}, body: '' };
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}

/**
 * Sends one request with `Connection: close` and the right `Host`, then reads until the server
 * closes. A server that neither answers nor closes within `guardMs` fails the
 * test (a liveness guard, not a timing assertion).
 */
export function sendRaw(port: number, req: RawRequest, guardMs = 10_000): Promise<RawAnswer> {
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    connection: 'close',
    ...(body !== undefined
      ? { 'content-length': String(body.length + (req.missingBytes ?? 0)) }
      : {}),
    ...req.headers,
  };
  const head = Buffer.concat([
    Buffer.from(`${req.method} `, 'latin1'),
    typeof req.target === 'string' ? Buffer.from(req.target, 'latin1') : req.target,
    Buffer.from(' HTTP/1.1\r\n', 'latin1'),
    Buffer.from(headerLines(headers), 'latin1'),
    Buffer.from('\r\n', 'latin1'),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close for ${req.method} ${String(req.target)}`));
    }, guardMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    // A server may answer and reset before reading everything; what arrived is the answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
    // No half-close: Node's server drops a request whose client ended its side, answered or not.
    socket.write(body === undefined ? head : Buffer.concat([head, body]));
  });
}

/** The message an error answer carries: JSON `message`/`Message`/`error_description`/`error(.message)`, or page text. */
export function messageOf(answer: RawAnswer): string {
  const type = answer.headers['content-type'] ?? '';
  if (type.includes('json')) {
    const json = JSON.parse(answer.body) as Record<string, unknown>;
    const nested = json.error as Record<string, unknown> | string | undefined;
    const candidates = [
      json.message,
      json.Message,
      json.error_description,
      typeof nested === 'object' && nested !== null ? nested.message : undefined,
      // `{ "error": "missing webhook-id header" }` (the connector's Function URL answers).
      nested,
    ];
    return String(candidates.find((m) => typeof m === 'string' && m !== '') ?? '');
  }
  return answer.body.replace(/<[^>]*>/g, ' ').trim();
}

/**
 * A client error with a message, a success, or a redirect; never a 5xx except what `allow5xx`
 * admits (the documented 501 NotImplemented, a Function URL's own answer). A bare close is
 * accepted only where `closeOk` says so (a truncated body the server cannot answer).
 */
export function expectHandled(
  answer: RawAnswer,
  what: string,
  opts: { allow5xx?: (a: RawAnswer) => boolean; closeOk?: boolean; head?: boolean } = {},
): void {
  if (answer.status === 0) {
    expect(opts.closeOk === true, `${what}: closed without an answer`).toBe(true);
    return;
  }
  if (answer.status >= 500 && opts.allow5xx?.(answer) !== true) {
    expect.fail(`${what} → ${answer.status} ${answer.body.slice(0, 300)}`);
  }
  // A HEAD answer has no body to carry a message.
  if (answer.status >= 400 && opts.head !== true) {
    expect(
      messageOf(answer).length,
      `${what} → ${answer.status} without a message`,
    ).toBeGreaterThan(0);
  }
}

/** `depth` levels of arrays or objects, optionally under a `constructor`/`__proto__` key. */
export function deepJson(depth: number, shape: 'array' | 'object', under?: string): string {
  const open = shape === 'array' ? '[' : '{"a":';
  const close = shape === 'array' ? ']' : '}';
  const core = `${open.repeat(depth)}1${close.repeat(depth)}`;
  return under === undefined ? core : `{"${under}":${core}}`;
}

const BAD_ENCODINGS = [
  '%',
  '%z',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%FF%FE',
  '%ED%A0%80',
  '%00',
  '%25%',
];

/** A query or path piece with broken percent-encoding, or raw non-UTF-8 / control bytes. */
export const badEncodings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BAD_ENCODINGS),
  fc.constantFrom('\xff\xfe', '\xc0\xaf', '\xe2\x82', 'caf\xe9'),
);

/** Bodies that are not what the content type says: cut JSON, bad UTF-8, deep nesting. */
export const badBodies: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    deepJson(10_000, 'array'),
    deepJson(10_000, 'object'),
    deepJson(10_000, 'object', 'constructor'),
    deepJson(10_000, 'array', 'constructor'),
    deepJson(10_000, 'object', '__proto__'),
    `{"constructor":{"prototype":{"polluted":true}}}`,
    `{"__proto__":{"polluted":true}}`,
  ),
  fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    Buffer.from([0xc0, 0xaf]),
  ),
  fc.json({ maxDepth: 3 }).map((j) => j.slice(0, Math.max(1, Math.floor(j.length / 2)))),
  fc.string({ maxLength: 40 }),
);

export const wrongContentTypes: fc.Arbitrary<string> = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
  'application/x-amz-json-1.1',
  ';;;',
  'application/',
);

export const methods: fc.Arbitrary<string> = fc.constantFrom(
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
);

/** A header block past Node's 16 KiB limit: Node answers 431 before any route runs. */
export function hugeHeaders(): Record<string, string> {
  return { 'x-filler': 'a'.repeat(20_000) };
}

/**
 * Huge headers get Node's 431; a JSON body shorter than its Content-Length gets 408 (the server's
 * request timeout) or a close; and `healthPath` answers 200 afterwards.
 */
export async function expectHugeAndTruncatedHandled(
  port: number,
  paths: { health: string; post: string },
): Promise<void> {
  const huge = await sendRaw(port, { method: 'GET', target: paths.health, headers: hugeHeaders() });
  expect(huge.status).toBe(431);
  const truncated = await sendRaw(port, {
    method: 'POST',
    target: paths.post,
    headers: { 'content-type': 'application/json' },
    body: '{"a":',
    missingBytes: 50,
  });
  expectHandled(truncated, 'truncated body', { closeOk: true });
  expect((await sendRaw(port, { method: 'GET', target: paths.health })).status).toBe(200);
}

export interface HostileRequestOptions {
  /** Paths of the server's routes (with labels filled in). */
  readonly paths: readonly string[];
  /** Query parameter names its routes read, to repeat. */
  readonly queryNames: readonly string[];
  /** Headers every request needs to reach the routes (service routing). */
  readonly headers?: fc.Arbitrary<Record<string, string>>;
}

/** Requests mixing every kind of bad input above onto the server's own routes. */
export function hostileRequests(o: HostileRequestOptions): fc.Arbitrary<RawRequest> {
  const name = fc.constantFrom(...o.queryNames);
  const query = fc.oneof(
    fc.constant(''),
    name.map((n) => `?${n}=a&${n}=b`),
    fc.tuple(name, badEncodings).map(([n, bad]) => `?${n}=${bad}`),
    badEncodings.map((bad) => `?${bad}=1`),
  );
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...o.paths) },
    fc.tuple(fc.constantFrom(...o.paths), badEncodings).map(([p, bad]) => `${p}/${bad}`),
  );
  return fc
    .record({
      method: methods,
      path,
      query,
      contentType: fc.oneof(fc.constant('application/json'), wrongContentTypes),
      body: fc.option(badBodies, { nil: undefined }),
      extra: o.headers ?? fc.constant({}),
    })
    .map(({ method, path: p, query: q, contentType, body, extra }) => ({
      method,
      target: Buffer.from(`${p}${q}`, 'latin1'),
      headers: { ...extra, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body } : {}),
    }));
}
