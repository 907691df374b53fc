import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the connector made to its vendor cloud, as the proxy saw it. */
export interface VendorCall {
  readonly at: number;
  readonly method: string;
  /** Path and query, as requested. */
  readonly url: string;
  /** The request body as text (at most 4 KB kept). */
  readonly body: string;
  readonly status: number;
}

/**
 * A reverse proxy on 127.0.0.1 between the connector and its vendor cloud: the connector's vendor
 * URL variable points here, every request is forwarded to `upstream` (http or https) and recorded.
 * It is how the suite counts vendor calls (one vendor call per command, however often the
 * invocation is delivered) without knowing the vendor's API.
 */
export class VendorProxy {
  readonly #server: Server;
  readonly #calls: VendorCall[] = [];
  #upstream: string | undefined;
  #url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      this.#forward(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
        }
        res.end(JSON.stringify({ error: { message: `c2c test proxy: ${String(error)}` } }));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  /** Where requests go (set once the vendor cloud's address is known). */
  set upstream(url: string) {
    this.#upstream = url.replace(/\/+$/, '');
  }

  /** Calls recorded since `since` (epoch ms). */
  calls(since = 0): VendorCall[] {
    return this.#calls.filter((c) => c.at >= since);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const at = Date.now();
    if (this.#upstream === undefined) throw new Error('no upstream vendor cloud yet');
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = req.method ?? 'GET';
    const upstream = await fetch(`${this.#upstream}${req.url ?? '/'}`, {
      method,
      headers,
      ...(body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
      redirect: 'manual',
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    this.#calls.push({
      at,
      method,
      url: req.url ?? '/',
      body: body.subarray(0, 4096).toString('utf8'),
      status: upstream.status,
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value;
    });
    out['content-length'] = String(answer.length);
    res.writeHead(upstream.status, out);
    res.end(answer);
  }
}

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
]);
