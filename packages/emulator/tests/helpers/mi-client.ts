import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { toHttpRequest } from '@c2c-kit/protocol';
import { request } from 'undici';
import type { EmulatorCredential } from '../../src/index.js';
import { TEST_CREDENTIALS } from './credentials.js';
import { signRequest } from './sign.js';

export interface MiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
  text: string;
}

/**
 * A managed-integrations client for tests: protocol's restJson1 serialisation, signed with
 * @smithy/signature-v4 exactly as the AWS SDK would, sent over real HTTP.
 */
export function miClient(baseUrl: string, credentials: EmulatorCredential = TEST_CREDENTIALS) {
  const url = new URL(baseUrl);
  return async function call<K extends OperationName>(
    name: K,
    input: OperationShapes[K]['input'],
  ): Promise<MiResponse> {
    const parts = toHttpRequest(name, input);
    const [path, qs = ''] = parts.path.split('?') as [string, string?];
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) {
      const list = query[k] ?? [];
      list.push(v);
      query[k] = list;
    }
    const signed = await signRequest({
      method: parts.method,
      path,
      query,
      headers: { ...parts.headers },
      body: parts.body,
      host: url.host,
      credentials,
    });
    const res = await request(`${baseUrl}${signed.url}`, {
      method: parts.method as 'GET',
      headers: signed.headers,
      body: parts.body,
    });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      // leave {} — tests assert on status and text
    }
    return { status: res.statusCode, headers: res.headers as MiResponse['headers'], json, text };
  };
}
