import type { Agent, Dispatcher } from 'undici';
import type { AcmeCommand, AcmeDevice } from './acmeTypes.js';
import { AcmeApiError } from './errors.js';

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
 * A small client for the Acme REST API over a pooled keep-alive undici agent (Node's built-in fetch
 * costs noticeably more CPU per request, and a connector calls the vendor on every command).
 * Access tokens go only into the Authorization header and never into errors.
 */
export class AcmeClient {
  private readonly base: string;
  private agent: Agent | undefined;
  private undici: Promise<typeof import('undici')> | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: AcmeClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
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
    await this.agent?.close();
  }

  /**
   * undici is loaded on the first request, not at import: a cold start that only ACKs (discovery,
   * commands) or answers from cache never pays for evaluating it.
   */
  private async http(): Promise<{ request: typeof import('undici')['request']; agent: Agent }> {
    this.undici ??= import('undici');
    const undici = await this.undici;
    this.agent ??= new undici.Agent({ keepAliveTimeout: 30_000, connections: 16 });
    return { request: undici.request, agent: this.agent };
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
    const { request, agent } = await this.http();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.base}${path}`, {
        method,
        headers,
        body: body ?? null,
        dispatcher: agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
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
    const text = await res.body.text();
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
}
