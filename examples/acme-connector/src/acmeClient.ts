import type { Agent, IncomingMessage } from 'node:http';
import type { AcmeCommand, AcmeDevice } from './acmeTypes.js';
import { AcmeApiError, AcmeConfigError } from './errors.js';

export interface AcmeClientOptions {
  /** Base URL of the Acme cloud, e.g. `https://api.acme.example` (no trailing slash needed). */
  baseUrl: string;
  /** Optional OAuth client credentials, sent with revocation (RFC 7009 client authentication). */
  clientId?: string;
  clientSecret?: string;
  /** Per-request timeout; keep well below the Lambda timeout (default 1.5 s). */
  timeoutMs?: number;
}

/**
 * A small client for the Acme REST API on node:http(s) with a keep-alive `Agent`: a connector
 * calls the vendor on every command, so connections are pooled (Node's built-in fetch costs
 * noticeably more CPU per request, and undici would add ~520 KB to the Lambda bundle).
 * Access tokens go only into the Authorization header and never into errors.
 */
export class AcmeClient {
  private readonly base: URL;
  private readonly basePath: string;
  private http: { agent: Agent; request: typeof import('node:http').request } | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: AcmeClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new AcmeConfigError(
        'baseUrl',
        `expected an absolute http(s) URL, got ${JSON.stringify(options.baseUrl)}`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new AcmeConfigError('baseUrl', `expected http: or https:, got ${base.protocol}`);
    }
    this.base = base;
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 1_500;
  }

  /** The user behind the token: a stable, globally unique id. */
  async me(token: string): Promise<{ userId: string; name?: string }> {
    return (await this.call('GET', '/api/v1/me', token)) as { userId: string; name?: string };
  }

  async listDevices(token: string): Promise<AcmeDevice[]> {
    return ((await this.call('GET', '/api/v1/devices', token)) as { devices: AcmeDevice[] })
      .devices;
  }

  async getDevice(token: string, deviceId: string): Promise<AcmeDevice> {
    return (await this.call(
      'GET',
      `/api/v1/devices/${encodeURIComponent(deviceId)}`,
      token,
    )) as AcmeDevice;
  }

  async command(token: string, deviceId: string, command: AcmeCommand): Promise<AcmeDevice> {
    const path = `/api/v1/devices/${encodeURIComponent(deviceId)}/commands`;
    return (await this.call('POST', path, token, JSON.stringify(command))) as AcmeDevice;
  }

  /** RFC 7009: revoking the access token ends its refresh token too at Acme. Idempotent. */
  async revoke(token: string): Promise<void> {
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.options.clientId && this.options.clientSecret) {
      const id = encodeURIComponent(this.options.clientId);
      const secret = encodeURIComponent(this.options.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    }
    await this.send('POST', '/oauth/revoke', headers, form.toString());
  }

  async close(): Promise<void> {
    this.http?.agent.destroy();
    this.http = undefined;
  }

  /**
   * node:http(s) is loaded on the first request, not at import: a cold start that only ACKs
   * (discovery, commands) or answers from cache never pays for it.
   */
  private pool(): { agent: Agent; request: typeof import('node:http').request } {
    if (this.http === undefined) {
      const mod = process.getBuiltinModule(
        this.base.protocol === 'https:' ? 'node:https' : 'node:http',
      ) as typeof import('node:http');
      this.http = {
        agent: new mod.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 }),
        request: mod.request,
      };
    }
    return this.http;
  }

  private call(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: string,
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.send(method, path, headers, body);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<unknown> {
    let res: { statusCode: number; text: string };
    try {
      res = await this.exchange(method, path, headers, body);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new AcmeApiError(
        503,
        'unreachable',
        `Acme cloud unreachable (${method} ${path}): ${reason}`,
        {
          cause: err,
        },
      );
    }
    const { text } = res;
    if (res.statusCode >= 200 && res.statusCode < 300)
      return text === '' ? undefined : JSON.parse(text);
    let code = `http_${res.statusCode}`;
    let message = `Acme ${method} ${path} failed with HTTP ${res.statusCode}`;
    try {
      const parsed = JSON.parse(text) as {
        error?: { code?: string; message?: string } | string;
        error_description?: string;
      };
      if (typeof parsed.error === 'object' && parsed.error) {
        code = parsed.error.code ?? code;
        message = parsed.error.message ?? message;
      } else if (typeof parsed.error === 'string') {
        code = parsed.error;
        message = parsed.error_description ?? message;
      }
    } catch {
      // Not JSON (a proxy's HTML page): keep the generic message.
    }
    throw new AcmeApiError(res.statusCode, code, message);
  }

  /** One request over the pooled agent; a silent peer fails with ETIMEDOUT after `timeoutMs`. */
  private exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<{ statusCode: number; text: string }> {
    const { agent, request } = this.pool();
    return new Promise((resolve, reject) => {
      const req = request(this.base, {
        agent,
        method,
        path: this.basePath + path,
        headers:
          body === undefined
            ? headers
            : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: this.timeoutMs,
      });
      req.once('timeout', () =>
        req.destroy(
          Object.assign(new Error(`no response within ${this.timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
      req.once('error', reject);
      req.once('response', (res: IncomingMessage) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('error', reject);
        res.once('end', () => resolve({ statusCode: res.statusCode ?? 0, text }));
        res.once('close', () => {
          if (!res.complete) {
            reject(Object.assign(new Error('response closed early'), { code: 'ECONNRESET' }));
          }
        });
      });
      req.end(body);
    });
  }
}
