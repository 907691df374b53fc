import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { UpstreamError } from '../errors.js';
import { Sha256 } from './sha256.js';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedClientOptions {
  /** Base URL of the emulator (`http://127.0.0.1:4566`). */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly errorType: string | undefined;
}

/**
 * A minimal SigV4-signed JSON client for the managed-integrations REST API (signing name
 * `iotmanagedintegrations`), as the customer's backend would call it. The dashboard's `/api/...`
 * routes go through this so access keys stay on the server and never reach the browser.
 */
export class ManagedIntegrationsClient {
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;

  constructor(options: SignedClientOptions) {
    this.endpoint = new URL(options.endpoint);
    this.signer = new SignatureV4({
      service: 'iotmanagedintegrations',
      region: options.region,
      credentials: options.credentials,
      sha256: Sha256,
    });
  }

  /** Sends one request and returns status, parsed body and the `X-Amzn-ErrorType` name. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: this.endpoint.host };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const request = new HttpRequest({
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      port: this.endpoint.port === '' ? undefined : Number(this.endpoint.port),
      method,
      path,
      query: query ?? {},
      headers,
      body: payload,
    });
    const signed = await this.signer.sign(request);
    const url = new URL(path, this.endpoint);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const { host: _host, ...sendHeaders } = signed.headers;
    const response = await fetch(url, {
      method,
      headers: sendHeaders,
      body: payload,
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Keep the text: an error page is still worth showing to the developer.
      }
    } else {
      parsed = {};
    }
    const errorType = response.headers.get('x-amzn-errortype')?.split(':')[0] ?? undefined;
    return { status: response.status, body: parsed, errorType };
  }

  /** Like `send`, but throws an `UpstreamError` on a non-2xx status. */
  async call<T = Record<string, unknown>>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<T> {
    const response = await this.send(method, path, body, query);
    if (response.status < 200 || response.status > 299) {
      throw new UpstreamError(
        what,
        response.status,
        response.errorType,
        errorMessage(response.body),
      );
    }
    return response.body as T;
  }
}

/** The `Message` of a restJson1 error body (or the text itself). */
export function errorMessage(body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record.Message ?? record.message;
    if (typeof message === 'string') return message;
    return JSON.stringify(body).slice(0, 300);
  }
  return String(body).slice(0, 300);
}
