import type { Agent, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';

/**
 * Keep-alive connection pool on node:http / node:https. undici's Pool did the same job, but
 * bundled into a Lambda handler it added ~280 KB minified (its HTTP parser ships as two inlined
 * WASM builds) to every cold start, more than the whole rest of the connector; node:http costs
 * no bytes. The built-in modules are loaded on the first request, not at import.
 */

export interface PoolOptions {
  /** Keep-alive sockets to the origin (requests beyond wait for one). */
  readonly connections: number;
  /** Per attempt: headers and each body chunk must arrive within this many ms. */
  readonly timeoutMs: number;
  /** How long an idle socket stays open for reuse, ms. */
  readonly keepAliveTimeoutMs: number;
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
  private agent: Agent | undefined;
  private send: ((options: RequestOptions) => import('node:http').ClientRequest) | undefined;
  private readonly url: URL;

  constructor(
    origin: URL,
    private readonly options: PoolOptions,
  ) {
    this.url = origin;
  }

  private start(): void {
    const https = this.url.protocol === 'https:';
    const mod = https
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
    this.agent = new mod.Agent({
      keepAlive: true,
      maxSockets: this.options.connections,
      // Reuse the most recently used socket: the others can age out when load drops.
      scheduling: 'lifo',
      timeout: this.options.keepAliveTimeoutMs,
    });
    this.send = mod.request;
  }

  request(req: PoolRequest): Promise<PoolResponse> {
    if (this.agent === undefined) this.start();
    const { hostname, port } = this.url;
    return new Promise<PoolResponse>((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const outgoing = (this.send as NonNullable<typeof this.send>)({
        agent: this.agent as Agent,
        method: req.method,
        // An IPv6 literal comes bracketed in URL.hostname; the socket wants it bare.
        hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
        ...(port ? { port: Number(port) } : {}),
        path: req.path,
        headers,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const timeout = () =>
        outgoing.destroy(
          new RequestTimeoutError(`no response within ${this.options.timeoutMs} ms`),
        );
      outgoing.setTimeout(this.options.timeoutMs, timeout);
      // An abort rejects with the signal's reason, as undici did, not node:http's AbortError.
      outgoing.once('error', (error) => reject(req.signal?.aborted ? req.signal.reason : error));
      outgoing.once('response', (res: IncomingMessage) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        // A body cut short emits 'error' (ECONNRESET, retried) or, after a destroy, only 'close'.
        res.once('error', (error) => reject(req.signal?.aborted ? req.signal.reason : error));
        res.once('end', () =>
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, text }),
        );
        res.once('close', () => {
          if (!res.complete) {
            reject(Object.assign(new Error('response closed early'), { code: 'ECONNRESET' }));
          }
        });
      });
      outgoing.end(req.body);
    });
  }

  /** Closes every socket; later requests open new ones. */
  close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
    return Promise.resolve();
  }
}
