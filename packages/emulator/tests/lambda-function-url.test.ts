import { fileURLToPath } from 'node:url';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

let emu: RunningEmulator;
let base: string;

beforeAll(async () => {
  // Verification stays on: Function URLs (AuthType NONE) must not need a signature.
  emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  emu.app.lambdaHost.registerFunction({ name: 'web', handler: fixture('http.mjs') });
  base = `${emu.url}/lambda-url/web`;
});

afterAll(async () => {
  await emu.close();
});

interface UrlEvent {
  version: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: { http: { method: string; path: string; sourceIp: string }; accountId: string };
  body?: string;
  isBase64Encoded: boolean;
}

describe('Function URL front (payload format 2.0)', () => {
  it('turns a GET into a 2.0 event and maps status, headers and cookies back', async () => {
    // Act
    const res = await fetch(`${base}/devices/42?x=1&x=2&y=z`, {
      headers: { 'X-Custom': 'Yes', cookie: 'a=1; b=2' },
    });
    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['session=abc; Path=/', 'theme=dark']);
    const event = (await res.json()) as UrlEvent;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/devices/42',
      rawQueryString: 'x=1&x=2&y=z',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: 'z' },
      isBase64Encoded: false,
    });
    expect(event.headers['x-custom']).toBe('Yes');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.http).toMatchObject({
      method: 'GET',
      path: '/devices/42',
      sourceIp: '127.0.0.1',
    });
    expect(event.body).toBeUndefined();
  });

  it('passes a JSON POST body as text, even when it is not valid JSON', async () => {
    const ok = await fetch(`${base}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"device.updated"}',
    });
    expect(((await ok.json()) as UrlEvent).body).toBe('{"type":"device.updated"}');
    const broken = await fetch(`${base}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"truncated":',
    });
    expect(broken.status).toBe(201);
    expect(((await broken.json()) as UrlEvent).body).toBe('{"truncated":');
  });

  it('base64-encodes binary bodies and decodes base64 responses', async () => {
    const res = await fetch(`${base}/upload`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 159, 146, 150]),
    });
    const event = (await res.json()) as UrlEvent;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(Buffer.from([0, 159, 146, 150]));
    const bin = await fetch(`${base}/binary`);
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await bin.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('a plain object result becomes a 200 JSON response', async () => {
    const res = await fetch(`${base}/plain`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('root path and function errors behave like AWS (502)', async () => {
    const root = await fetch(`${emu.url}/lambda-url/web/`);
    expect(((await root.json()) as UrlEvent).rawPath).toBe('/');
    const failed = await fetch(`${base}/throw`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: 'Internal Server Error' });
    const missing = await fetch(`${emu.url}/lambda-url/nobody/`);
    expect(missing.status).toBe(404);
  });
});
