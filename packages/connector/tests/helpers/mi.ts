import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { ManagedIntegrationsClient } from '../../src/client.js';

/** The emulator tests' key pair: pass it to `startEmulator({ credentials: [LOCAL_CREDENTIALS] })`. */
export const LOCAL_CREDENTIALS = TEST_CREDENTIALS;

/**
 * The customer side of managed integrations for tests: any operation of the model through the
 * package's own signed client, sent as given (the emulator validates) and answered as received.
 */
export function miCaller(baseUrl: string) {
  const client = new ManagedIntegrationsClient({
    endpoint: baseUrl,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    validate: false,
  });
  return async function call<K extends OperationName>(
    name: K,
    input: OperationShapes[K]['input'],
  ): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
    const res = await client.send(name, input);
    const json = typeof res.body === 'object' && res.body !== null ? res.body : {};
    return { status: res.statusCode, json: json as Record<string, unknown>, text: res.text };
  };
}

/** The browser's part of the OAuth code flow against the vendor-cloud login form. */
export async function vendorLogin(authorizationUrl: string, username: string, password: string) {
  const page = await request(authorizationUrl);
  const html = await page.body.text();
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`vendor login page has no form (HTTP ${page.statusCode})`);
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name !== undefined)
      fields.set(
        name,
        value
          .replace(/&amp;/g, '&')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'"),
      );
  }
  fields.set('username', username);
  fields.set('password', password);
  fields.set('allowed', 'true');
  const action = new URL(form[1]?.replace(/&amp;/g, '&') ?? '', authorizationUrl);
  const posted = await request(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
  await posted.body.dump();
  const location = posted.headers.location;
  if (typeof location !== 'string')
    throw new Error(`vendor login answered HTTP ${posted.statusCode}, not a redirect`);
  const callback = await request(new URL(location, action));
  const text = await callback.body.text();
  if (callback.statusCode >= 400)
    throw new Error(`OAuth callback answered HTTP ${callback.statusCode}: ${text.slice(0, 200)}`);
}
