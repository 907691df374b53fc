import type { Agent, IncomingHttpHeaders } from 'node:http';

/**
 * Keep-alive connections on node:http / node:https: the connection pooling is node's own
 * `Agent({ keepAlive: true, maxSockets })`; this file only turns one request into a promise with
 * a per-attempt timeout. (undici's Pool bundles to ~280 KB, its HTTP parser as inlined WASM;
 * node:http costs a Lambda bundle nothing.) The built-in module is loaded on the first request,
 * not at import: an invocation that only ACKs never needs it.
 */

export interface PoolOptions {
  /** Keep-alive sockets to the origin (`maxSockets`; requests beyond wait for one). */
  readonly connections: number;
  /** Per attempt: the socket must not sit idle this long waiting for headers or body, ms. */
  readonly timeoutMs: number;
}

export interface PoolRequest {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface PoolResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** No byte for `timeoutMs`: a connection-level failure the retry strategy treats as transient. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
}

export class KeepAlivePool {
  private http: { agent: Agent; request: typeof import('node:http').request } | undefined;
  // Fixed per origin, so not re-derived from the URL per request (node's urlToHttpOptions).
  private readonly protocol: string;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly host: string;

  constructor(
    origin: URL,
    private readonly options: PoolOptions,
  ) {
    this.protocol = origin.protocol;
    // node wants an IPv6 literal without its brackets.
    this.hostname = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = origin.port === '' ? undefined : Number(origin.port);
    this.host = origin.host;
  }

  request(req: PoolRequest): Promise<PoolResponse> {
    if (this.http === undefined) {
      const mod = process.getBuiltinModule(
        this.protocol === 'https:' ? 'node:https' : 'node:http',
      ) as typeof import('node:http');
      this.http = {
        // lifo: reuse the most recently used socket, so the others can age out when load drops.
        agent: new mod.Agent({
          keepAlive: true,
          maxSockets: this.options.connections,
          scheduling: 'lifo',
          // Idle sockets close after 30 s rather than wait for the server to drop them mid-reuse.
          timeout: 30_000,
        }),
        request: mod.request,
      };
    }
    const { agent, request } = this.http;
    const { signal, body } = req;
    // Headers as a flat [name, value, …] array: node writes them as given instead of running
    // setHeader's validation and bookkeeping per header (measured ~10 µs/request on this path).
    // Our names and values are built here and by the signer, never taken from the caller raw.
    const headers: string[] = [];
    for (const name in req.headers) headers.push(name, req.headers[name] as string);
    // A header array keeps node from adding Host itself (setHost: false below): the signer's is
    // used when there is one, else the origin's, as node would send.
    if (!('host' in req.headers)) headers.push('host', this.host);
    if (body !== undefined) headers.push('content-length', String(Buffer.byteLength(body)));
    return new Promise<PoolResponse>((resolve, reject) => {
      // An abort rejects with the signal's reason, not node:http's generic AbortError.
      const fail = (error: Error) => reject(signal?.aborted ? signal.reason : error);
      const outgoing = request(
        {
          agent,
          protocol: this.protocol,
          hostname: this.hostname,
          port: this.port,
          method: req.method,
          path: req.path,
          headers,
          setHost: false,
          timeout: this.options.timeoutMs,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', fail);
          res.once('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: res.headers,
              text:
                chunks.length === 0
                  ? ''
                  : (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString(
                      'utf8',
                    ),
            }),
          );
          // A body cut short: 'error' (ECONNRESET) or, after a destroy, only 'close'.
          res.once('close', () => {
            if (!res.complete)
              fail(Object.assign(new Error('response closed early'), { code: 'ECONNRESET' }));
          });
        },
      );
      outgoing.once('timeout', () =>
        outgoing.destroy(
          new RequestTimeoutError(`no response within ${this.options.timeoutMs} ms`),
        ),
      );
      outgoing.once('error', fail);
      outgoing.end(body);
    });
  }

  /** Closes every socket; later requests open new ones. */
  close(): Promise<void> {
    this.http?.agent.destroy();
    this.http = undefined;
    return Promise.resolve();
  }
}
