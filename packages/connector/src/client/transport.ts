import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { type Clock, systemClock } from '../util/clock.js';
import { ResponseParser } from './http1.js';
import type { ParsedResponse } from './http1Response.js';

/**
 * Keep-alive HTTP/1.1 connections to one origin, written for the one job the client has: many
 * small signed JSON requests, 16 or so in flight. Each request is a single `socket.write` of its
 * head and body, each response is read straight into one shared buffer (`onread`) and parsed by
 * `ResponseParser`, sockets are reused LIFO, and one coarse sweep timer (not a timer per
 * request) enforces timeouts.
 *
 * Why not node:http or undici: their general request and response objects cost several times
 * this pool's CPU per request, and undici adds its inlined WASM parser to a Lambda bundle
 * (figures: docs/benchmarks/connector.md). The built-in modules are loaded on the first request,
 * not at import: an invocation that only ACKs never needs them.
 */

export interface PoolOptions {
  /** Keep-alive sockets to the origin at most; requests beyond wait (FIFO) for one. */
  readonly connections: number;
  /** Per attempt: no byte for this long (connecting, waiting for or reading the answer), ms. */
  readonly timeoutMs: number;
  /**
   * An idle socket is closed after this long, ms. Default 4000: under the 5 s keep-alive timeout
   * common servers use, so we close first instead of writing into a socket being closed. A
   * server's `Keep-Alive: timeout=N` shortens it to N − 1 s (N/2 for N < 2).
   */
  readonly idleTimeoutMs?: number;
  /** Extra TLS options for https origins (a private CA, client certificates …). */
  readonly tls?: TlsOptions;
  /** Time and timers (tests move time forward with a fake clock). Default: the system clock. */
  readonly clock?: Clock;
}

export interface PoolRequest {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface PoolResponse {
  readonly statusCode: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly text: string;
}

/** A response with its body decoded; its header fields are parsed when first read. */
class Reply implements PoolResponse {
  readonly statusCode: number;
  readonly text: string;
  readonly #response: ParsedResponse;

  constructor(response: ParsedResponse) {
    this.statusCode = response.statusCode;
    this.text = response.body.length === 0 ? '' : response.body.toString('utf8');
    this.#response = response;
  }

  get headers(): Readonly<Record<string, string | string[]>> {
    return this.#response.headers;
  }
}

/** No byte for `timeoutMs`: a connection-level failure the retry strategy treats as transient. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** The pool was closed while the request waited for or used a connection. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  /** Not one of the retried network codes: a closed client does not try again. */
  readonly code = 'ECONNABORTED';
}

/** Where and how a socket connects (net's `onread` delivers reads into the pool's buffer). */
interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly onread: {
    readonly buffer: Buffer;
    readonly callback: (bytes: number, buffer: Buffer) => boolean;
  };
}

interface Job {
  readonly method: string;
  /** Request line, header block and body, written as one string. */
  readonly text: string;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (response: PoolResponse) => void;
  readonly reject: (error: unknown) => void;
  onAbort?: () => void;
}

interface Connection {
  readonly socket: Socket;
  readonly parser: ResponseParser;
  job: Job | undefined;
  /** Last time bytes arrived or a request was written (the clock's `now()`). */
  lastActive: number;
  /** How long this socket may sit idle before we close it. */
  idleTtl: number;
  error: Error | undefined;
  closed: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const UNSAFE_HEADER_TEXT = /[\r\n\0]/;

function connectionLost(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

export class KeepAlivePool {
  readonly #options: PoolOptions;
  readonly #secure: boolean;
  readonly #hostname: string;
  readonly #port: number;
  readonly #host: string;
  readonly #idleTimeoutMs: number;
  readonly #all = new Set<Connection>();
  /** Idle connections, most recently used last (LIFO reuse lets the others age out). */
  readonly #idle: Connection[] = [];
  readonly #waiting: Job[] = [];
  readonly #clock: Clock;
  /** The sweep's pending timer (a timeout that re-arms itself while sockets are open). */
  #sweeper: unknown;
  #sweepEveryMs = 0;
  #connect: ((to: ConnectTarget) => Socket) | undefined;
  /**
   * One read buffer for every socket of the pool (net's `onread`): responses are read into it
   * without the stream machinery or a Buffer per read. Safe to share because each read is parsed
   * synchronously and the parser copies whatever an unfinished response must keep.
   */
  #readBuffer: Buffer | undefined;

  constructor(origin: URL, options: PoolOptions) {
    this.#options = options;
    this.#secure = origin.protocol === 'https:';
    if (!this.#secure && origin.protocol !== 'http:') {
      throw new TypeError(`endpoint protocol: expected http: or https:, got ${origin.protocol}`);
    }
    // An IPv6 literal without its brackets, as net.connect wants it.
    this.#hostname = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = origin.port === '' ? (this.#secure ? 443 : 80) : Number(origin.port);
    this.#host = origin.host;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 4000;
    this.#clock = options.clock ?? systemClock;
  }

  request(request: PoolRequest): Promise<PoolResponse> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let text: string;
    try {
      text = this.#head(request);
    } catch (error) {
      return Promise.reject(error);
    }
    if (request.body !== undefined) text += request.body;
    return new Promise<PoolResponse>((resolve, reject) => {
      const job: Job = { method: request.method, text, signal, resolve, reject };
      if (signal !== undefined) {
        job.onAbort = () => this.#abort(job, signal.reason);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      const idle = this.#reusable();
      if (idle !== undefined) this.#send(idle, job);
      else if (this.#all.size < this.#options.connections) this.#send(this.#open(), job);
      else this.#waiting.push(job);
    });
  }

  /** Closes every socket and fails what is waiting; later requests open new sockets. */
  close(): Promise<void> {
    for (const job of this.#waiting.splice(0)) {
      this.#settle(job);
      job.reject(new PoolClosedError('connection pool closed'));
    }
    for (const conn of [...this.#all]) {
      this.#destroy(conn, new PoolClosedError('connection pool closed'));
    }
    return Promise.resolve();
  }

  /** The request line and header block. */
  #head(request: PoolRequest): string {
    const { headers, body } = request;
    let text = `${request.method} ${request.path} HTTP/1.1\r\n`;
    let hasHost = false;
    for (const name in headers) {
      const value = headers[name] as string;
      // Names and values come from our signer, but a CR/LF would let one split the request.
      if (UNSAFE_HEADER_TEXT.test(value) || UNSAFE_HEADER_TEXT.test(name)) {
        throw new TypeError(`header ${JSON.stringify(name)}: CR, LF and NUL are not allowed`);
      }
      if (!hasHost && name.toLowerCase() === 'host') hasHost = true;
      text += `${name}: ${value}\r\n`;
    }
    if (!hasHost) text += `host: ${this.#host}\r\n`;
    if (body !== undefined) text += `content-length: ${Buffer.byteLength(body)}\r\n`;
    else if (BODY_METHODS.has(request.method)) text += 'content-length: 0\r\n';
    return `${text}\r\n`;
  }

  #open(): Connection {
    if (this.#connect === undefined) {
      if (this.#secure) {
        const tls = process.getBuiltinModule('node:tls') as typeof import('node:tls');
        const net = process.getBuiltinModule('node:net') as typeof import('node:net');
        const servername = net.isIP(this.#hostname) === 0 ? this.#hostname : undefined;
        this.#connect = (to) =>
          tls.connect({
            ...to,
            ...(servername !== undefined ? { servername } : {}),
            ALPNProtocols: ['http/1.1'],
            ...this.#options.tls,
          });
      } else {
        const net = process.getBuiltinModule('node:net') as typeof import('node:net');
        this.#connect = (to) => net.connect(to);
      }
    }
    this.#readBuffer ??= Buffer.allocUnsafe(64 * 1024);
    // `conn` is complete before the first read can arrive (reads come from the event loop).
    let conn: Connection | undefined;
    const socket = this.#connect({
      host: this.#hostname,
      port: this.#port,
      onread: {
        buffer: this.#readBuffer,
        callback: (bytes, buffer) => {
          if (conn !== undefined) this.#onData(conn, buffer.subarray(0, bytes));
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    conn = {
      socket,
      parser: new ResponseParser(),
      job: undefined,
      lastActive: this.#clock.now(),
      idleTtl: this.#idleTimeoutMs,
      error: undefined,
      closed: false,
    };
    const opened = conn;
    this.#all.add(opened);
    socket.on('end', () => this.#onEnd(opened));
    socket.on('error', (error: Error) => {
      opened.error ??= error;
    });
    socket.on('close', () => this.#destroy(opened, opened.error));
    if (this.#sweeper === undefined) {
      this.#sweepEveryMs = Math.max(5, Math.min(this.#options.timeoutMs, this.#idleTimeoutMs) / 4);
      this.#armSweep();
    }
    return opened;
  }

  #send(conn: Connection, job: Job): void {
    conn.job = job;
    conn.lastActive = this.#clock.now();
    conn.parser.start(job.method);
    // One write (one syscall) for head and body.
    conn.socket.write(job.text);
  }

  #onData(conn: Connection, chunk: Buffer): void {
    conn.lastActive = this.#clock.now();
    const job = conn.job;
    if (job === undefined) {
      // Bytes nobody asked for: the socket's framing can no longer be trusted.
      this.#destroy(conn);
      return;
    }
    let response: ParsedResponse | undefined;
    try {
      response = conn.parser.push(chunk);
    } catch (error) {
      this.#destroy(conn, error as Error);
      return;
    }
    if (response !== undefined) this.#complete(conn, job, response);
  }

  #onEnd(conn: Connection): void {
    const job = conn.job;
    const response = job === undefined ? undefined : conn.parser.end();
    conn.closed = true;
    if (job !== undefined && response !== undefined) this.#complete(conn, job, response);
    else this.#destroy(conn);
  }

  #complete(conn: Connection, job: Job, response: ParsedResponse): void {
    conn.job = undefined;
    this.#settle(job);
    if (!response.keepAlive || conn.closed) {
      this.#destroy(conn);
    } else {
      const keepAlive = response.keepAliveField;
      if (keepAlive !== undefined) conn.idleTtl = this.#idleTtlFor(keepAlive);
      this.#release(conn);
    }
    job.resolve(new Reply(response));
  }

  #lastKeepAlive = '';
  #lastIdleTtl = 0;

  /** Idle time allowed by a `Keep-Alive` header (the same header every time: parsed once). */
  #idleTtlFor(header: string): number {
    if (header !== this.#lastKeepAlive) {
      const m = /(?:^|[,;\s])timeout=(\d+)/i.exec(header);
      const serverMs = m === null ? Number.POSITIVE_INFINITY : Number(m[1]) * 1000;
      this.#lastIdleTtl = Math.min(this.#idleTimeoutMs, Math.max(serverMs - 1000, serverMs / 2));
      this.#lastKeepAlive = header;
    }
    return this.#lastIdleTtl;
  }

  /**
   * The most recently used idle connection that has not outlived its idle time (checked here,
   * exactly, rather than trusting the sweep: a server may be about to close it).
   */
  #reusable(): Connection | undefined {
    let conn = this.#idle.pop();
    const now = conn === undefined ? 0 : this.#clock.now();
    while (conn !== undefined && now - conn.lastActive >= conn.idleTtl) {
      this.#destroy(conn);
      conn = this.#idle.pop();
    }
    return conn;
  }

  /** Hands a free connection to the next waiting request, or parks it. */
  #release(conn: Connection): void {
    const next = this.#waiting.shift();
    if (next !== undefined) {
      this.#send(conn, next);
      return;
    }
    conn.lastActive = this.#clock.now();
    this.#idle.push(conn);
  }

  /** Closes a connection; the request on it (if any) fails with `error` or a reset. */
  #destroy(conn: Connection, error?: Error): void {
    if (!this.#all.delete(conn)) return;
    conn.closed = true;
    const at = this.#idle.indexOf(conn);
    if (at !== -1) this.#idle.splice(at, 1);
    conn.socket.destroy();
    const job = conn.job;
    conn.job = undefined;
    if (job !== undefined) {
      this.#settle(job);
      job.reject(
        error ??
          connectionLost(
            conn.parser.untouched
              ? 'connection closed before the response started'
              : 'connection closed before the response completed',
          ),
      );
    }
    // A slot came free: a waiting request gets a new connection.
    if (this.#waiting.length > 0 && this.#all.size < this.#options.connections) {
      this.#send(this.#open(), this.#waiting.shift() as Job);
    }
    if (this.#all.size === 0 && this.#sweeper !== undefined) {
      this.#clock.clearTimeout(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #abort(job: Job, reason: unknown): void {
    const at = this.#waiting.indexOf(job);
    if (at !== -1) {
      this.#waiting.splice(at, 1);
      job.reject(reason);
      return;
    }
    for (const conn of this.#all) {
      if (conn.job === job) {
        conn.job = undefined;
        this.#destroy(conn);
        job.reject(reason);
        return;
      }
    }
  }

  #settle(job: Job): void {
    if (job.onAbort !== undefined) job.signal?.removeEventListener('abort', job.onAbort);
  }

  /** Schedules the next sweep; the timer does not keep the process alive. */
  #armSweep(): void {
    const timer = this.#clock.setTimeout(() => {
      this.#sweeper = undefined;
      this.#sweep();
      if (this.#all.size > 0 && this.#sweeper === undefined) this.#armSweep();
    }, this.#sweepEveryMs);
    (timer as { unref?: () => void } | null)?.unref?.();
    this.#sweeper = timer;
  }

  /** Timeouts, checked a few times per `timeoutMs` instead of a timer per request. */
  #sweep(): void {
    const now = this.#clock.now();
    for (const conn of [...this.#all]) {
      if (conn.job !== undefined) {
        if (now - conn.lastActive >= this.#options.timeoutMs) {
          this.#destroy(
            conn,
            new RequestTimeoutError(`no response within ${this.#options.timeoutMs} ms`),
          );
        }
      } else if (now - conn.lastActive >= conn.idleTtl) {
        this.#destroy(conn);
      }
    }
  }
}
