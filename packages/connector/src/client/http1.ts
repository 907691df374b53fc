import { MalformedResponseError } from '../errors.js';
import {
  fieldValue,
  headerTokens,
  isNamed,
  isToken,
  joined,
  lineEnd,
  type ParsedResponse,
  Response,
} from './http1Response.js';

/**
 * An incremental HTTP/1.1 response parser (RFC 9112) for the client's keep-alive connections:
 * status line, header fields, and the three body framings — `Content-Length`, `chunked`, and
 * read-until-close — plus interim 1xx responses and the bodiless cases (HEAD, 204, 304).
 * It parses responses to requests we wrote ourselves, so it supports exactly what a JSON API
 * answers with and rejects everything else with a `MalformedResponseError` naming what was wrong.
 * The parsed response and the field-line syntax are in `http1Response.ts`.
 */

export interface ParserLimits {
  /** Largest status line + header block, bytes. Default 64 KiB. */
  readonly maxHeaderBytes?: number;
  /** Largest body, bytes. Default 16 MiB. */
  readonly maxBodyBytes?: number;
}

enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const EMPTY = Buffer.alloc(0);
/** The blank line that ends a header block (a Buffer: `indexOf` with a string converts it each call). */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** No body part yet (most responses arrive whole: no array for them). */
const NO_PARTS: Buffer[] = [];
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/;
const HEX = /^[0-9A-Fa-f]{1,8}$/;
const DECIMAL = /^\d{1,15}$/;
/** A chunk-size line with extensions stays short; anything longer is not a JSON API talking. */
const MAX_LINE = 4096;

export class ResponseParser {
  readonly #maxHeader: number;
  readonly #maxBody: number;
  #state = State.Done;
  #method = 'GET';
  #pending: Buffer = EMPTY;
  #status = 0;
  /** The final response's status line and fields, and where its fields start. */
  #headText = '';
  #fieldsFrom = 0;
  #keepAliveField: string | undefined;
  #keepAlive = true;
  #remaining = 0;
  #bodyParts: Buffer[] = NO_PARTS;
  /** How many of `#bodyParts` are already copies. */
  #detached = 0;
  #bodyBytes = 0;
  /** Bytes received after the end of the response (the connection cannot be reused). */
  leftover: Buffer = EMPTY;

  constructor(limits: ParserLimits = {}) {
    this.#maxHeader = limits.maxHeaderBytes ?? 64 * 1024;
    this.#maxBody = limits.maxBodyBytes ?? 16 * 1024 * 1024;
  }

  /** Expects the response to a request with this method (HEAD responses have no body). */
  start(method: string): void {
    this.#state = State.Head;
    this.#method = method;
    this.#pending = EMPTY;
    this.#status = 0;
    this.#headText = '';
    this.#fieldsFrom = 0;
    this.#keepAliveField = undefined;
    this.#keepAlive = true;
    this.#remaining = 0;
    this.#bodyParts = NO_PARTS;
    this.#detached = 0;
    this.#bodyBytes = 0;
    this.leftover = EMPTY;
  }

  /** Whether a response is in progress and nothing of it has arrived yet. */
  get untouched(): boolean {
    return this.#state === State.Head && this.#pending.length === 0 && this.#status === 0;
  }

  /**
   * Feeds received bytes; returns the response once complete. Keeps no reference to `chunk`
   * once it returns (what an unfinished response still needs is copied), so the caller may read
   * into one reused buffer. A returned response's `body` (and `leftover`) may view `chunk`:
   * use them before the next read.
   */
  push(chunk: Buffer): ParsedResponse | undefined {
    const response = this.#feed(chunk);
    if (response === undefined) this.#detachBody();
    return response;
  }

  #feed(chunk: Buffer): ParsedResponse | undefined {
    if (this.#state === State.Done) {
      throw new MalformedResponseError('data received while no request was waiting for a response');
    }
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = EMPTY;
    while (data.length > 0 || this.#state === State.Done) {
      switch (this.#state) {
        case State.Head: {
          const end = data.indexOf(HEAD_END);
          // Complete or not, a header block over the limit ends here.
          if ((end === -1 ? data.length : end) > this.#maxHeader) {
            throw new MalformedResponseError(
              `response header block larger than ${this.#maxHeader} bytes`,
            );
          }
          if (end === -1) {
            this.#pending = Buffer.from(data);
            return undefined;
          }
          this.#head(data.toString('latin1', 0, end));
          data = data.subarray(end + 4);
          break;
        }
        case State.Length:
          data = this.#bodyBytesOf(data);
          if (this.#remaining === 0) this.#state = State.Done;
          break;
        case State.ChunkSize: {
          const line = this.#line(data);
          if (line === undefined) return undefined;
          data = line.rest;
          const semi = line.text.indexOf(';');
          const size = (semi === -1 ? line.text : line.text.slice(0, semi)).trim();
          if (!HEX.test(size)) {
            throw new MalformedResponseError(
              `invalid chunk size line: expected hex digits, got ${JSON.stringify(line.text.slice(0, 40))}`,
            );
          }
          this.#remaining = Number.parseInt(size, 16);
          this.#state = this.#remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData:
          data = this.#bodyBytesOf(data);
          if (this.#remaining === 0) this.#state = State.ChunkDataEnd;
          break;
        case State.ChunkDataEnd: {
          const line = this.#line(data);
          if (line === undefined) return undefined;
          if (line.text !== '') {
            throw new MalformedResponseError('chunk data longer than its declared size');
          }
          data = line.rest;
          this.#state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          // Trailer fields are read and dropped (none of the AWS protocols we speak uses them).
          const line = this.#line(data);
          if (line === undefined) return undefined;
          data = line.rest;
          if (line.text === '') this.#state = State.Done;
          break;
        }
        case State.UntilClose:
          this.#body(data);
          return undefined;
        case State.Done:
          this.leftover = data;
          return this.#finish();
      }
    }
    return undefined;
  }

  /**
   * The connection ended: a read-until-close body is complete now; any other unfinished
   * response was cut short (undefined: nothing to deliver, the caller reports the close).
   */
  end(): ParsedResponse | undefined {
    if (this.#state !== State.UntilClose) return undefined;
    this.#state = State.Done;
    return this.#finish();
  }

  #finish(): ParsedResponse {
    const parts = this.#bodyParts;
    const body =
      parts.length === 0
        ? EMPTY
        : parts.length === 1
          ? (parts[0] as Buffer)
          : Buffer.concat(parts, this.#bodyBytes);
    this.#state = State.Done;
    this.#bodyParts = NO_PARTS;
    this.#detached = 0;
    return new Response(
      this.#status,
      this.#headText,
      this.#fieldsFrom,
      body,
      this.#keepAlive && this.leftover.length === 0,
      this.#keepAliveField,
    );
  }

  /** Takes up to `#remaining` body bytes from `data`; returns what follows them. */
  #bodyBytesOf(data: Buffer): Buffer {
    const take = Math.min(this.#remaining, data.length);
    this.#body(data.subarray(0, take));
    this.#remaining -= take;
    return data.subarray(take);
  }

  /** Body parts still viewing the caller's chunk become copies (see `push`). */
  #detachBody(): void {
    const parts = this.#bodyParts;
    for (let i = this.#detached; i < parts.length; i++) parts[i] = Buffer.from(parts[i] as Buffer);
    this.#detached = parts.length;
  }

  #body(part: Buffer): void {
    if (part.length === 0) return;
    this.#bodyBytes += part.length;
    if (this.#bodyBytes > this.#maxBody) {
      throw new MalformedResponseError(`response body larger than ${this.#maxBody} bytes`);
    }
    if (this.#bodyParts === NO_PARTS) this.#bodyParts = [part];
    else this.#bodyParts.push(part);
  }

  /** One CRLF-terminated line from `data`, or undefined (kept pending) until it is complete. */
  #line(data: Buffer): { text: string; rest: Buffer } | undefined {
    const end = data.indexOf('\r\n');
    if (end === -1) {
      if (data.length > MAX_LINE) {
        throw new MalformedResponseError(`chunked framing line longer than ${MAX_LINE} bytes`);
      }
      this.#pending = Buffer.from(data);
      return undefined;
    }
    return { text: data.toString('latin1', 0, end), rest: data.subarray(end + 2) };
  }

  #head(text: string): void {
    const statusEnd = lineEnd(text, 0);
    const statusLine = text.slice(0, statusEnd);
    if (!STATUS_LINE.test(statusLine)) {
      throw new MalformedResponseError(
        `invalid status line: expected "HTTP/1.x NNN reason", got ${JSON.stringify(statusLine.slice(0, 60))}`,
      );
    }
    const status = Number(statusLine.slice(9, 12));
    // Every field line is checked here; only the four that frame the message are read now
    // (the rest become `headers` if someone asks). Repeated fields join with ", ".
    let connection: string | undefined;
    let keepAlive: string | undefined;
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    for (let line = 1, start = statusEnd + 2; start < text.length; line++) {
      const end = lineEnd(text, start);
      const colon = text.indexOf(':', start);
      if (colon <= start || colon >= end || !isToken(text, start, colon)) {
        throw new MalformedResponseError(
          `invalid header line ${line}: expected "name: value", got ${JSON.stringify(text.slice(start, Math.min(end, start + 60)))}`,
        );
      }
      // Compared in place, without slicing and lower-casing every name (the name is a token).
      const length = colon - start;
      if (length === 10) {
        if (isNamed(text, start, 'connection')) {
          connection = joined(connection, fieldValue(text, colon, end));
        } else if (isNamed(text, start, 'keep-alive')) {
          keepAlive = joined(keepAlive, fieldValue(text, colon, end));
        }
      } else if (length === 14 && isNamed(text, start, 'content-length')) {
        contentLength = joined(contentLength, fieldValue(text, colon, end));
      } else if (length === 17 && isNamed(text, start, 'transfer-encoding')) {
        transferEncoding = joined(transferEncoding, fieldValue(text, colon, end));
      }
      start = end + 2;
    }
    if (status < 200) {
      if (status === 101) {
        throw new MalformedResponseError(
          'unexpected 101 Switching Protocols (no upgrade was asked)',
        );
      }
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      return;
    }
    this.#status = status;
    this.#headText = text;
    this.#fieldsFrom = statusEnd + 2;
    this.#keepAliveField = keepAlive;
    const tokens = headerTokens(connection);
    this.#keepAlive =
      statusLine.charCodeAt(7) === 0x31 ? !tokens.includes('close') : tokens.includes('keep-alive');
    if (this.#method === 'HEAD' || status === 204 || status === 304) {
      this.#state = State.Done;
      return;
    }
    if (transferEncoding !== undefined) {
      // RFC 9112 §6.3: chunked last → chunked; any other coding → the body runs to the close.
      // With a Content-Length as well, the connection must not be reused.
      if (contentLength !== undefined) this.#keepAlive = false;
      if (headerTokens(transferEncoding).at(-1) === 'chunked') {
        this.#state = State.ChunkSize;
      } else {
        this.#keepAlive = false;
        this.#state = State.UntilClose;
      }
      return;
    }
    if (contentLength !== undefined) {
      // One value, or the same value repeated ("42, 42"), is a length; anything else is not.
      let only = contentLength;
      if (contentLength.includes(',')) {
        const values = new Set(contentLength.split(',').map((v) => v.trim()));
        only = values.size === 1 ? ([...values][0] as string) : '';
      }
      if (!DECIMAL.test(only)) {
        throw new MalformedResponseError(
          `invalid Content-Length: expected one non-negative integer, got ${JSON.stringify(contentLength.slice(0, 40))}`,
        );
      }
      this.#remaining = Number(only);
      if (this.#remaining > this.#maxBody) {
        throw new MalformedResponseError(`response body larger than ${this.#maxBody} bytes`);
      }
      this.#state = this.#remaining === 0 ? State.Done : State.Length;
      return;
    }
    this.#keepAlive = false;
    this.#state = State.UntilClose;
  }
}
