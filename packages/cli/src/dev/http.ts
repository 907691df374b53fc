import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Largest JSON body the dashboard API accepts; its requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A 4xx from our own dashboard API: the message names the field, expected vs got. */
export class BadRequest extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'BadRequest';
    this.status = status;
  }
}

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new BadRequest(`body: expected at most ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`body: expected JSON, got a syntax error (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest(
      `body: expected a JSON object, got ${Array.isArray(value) ? 'array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** A percent-encoded path segment, decoded; bad encoding is the client's error (400), not ours. */
export function decodeSegment(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadRequest(
      `${what}: not valid percent-encoding (${JSON.stringify(text.slice(0, 60))})`,
    );
  }
}

/** Reads a required string member of a request body. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new BadRequest(`${field}: expected a non-empty string, got ${got}`);
  }
  return value;
}

/**
 * The answer to a request Node could not parse (bad bytes in the request line, headers too large, a
 * request not received in time): Node's own is a bare status line; this one carries a message, as
 * every other refusal of the dashboard does.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, what] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'not received in time']
        : [400, 'not a valid HTTP request'];
  const body = JSON.stringify({
    error: 'BadRequest',
    message: `request: ${what} (${error.code ?? 'parse error'})`,
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
