import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { signRequest } from './helpers/sign.js';

// On AWS every service has its own endpoint, so a request signed for another service is answered
// by the endpoint's own service with AWS's "scoped to correct service" refusal. One endpoint serves
// every service here; a scope naming none of them must get that refusal too, over a real socket.

let emu: RunningEmulator;

async function send(service: string, method: string, path: string, body?: string) {
  const host = new URL(emu.url).host;
  const credentials = emu.app.emulatorConfig.credentials[0];
  if (credentials === undefined) throw new Error('the emulator has no credentials');
  const signed = await signRequest({ method, path, service, host, credentials, body });
  const response = await request(`${emu.url}${signed.url}`, {
    method: method as 'GET',
    headers: signed.headers,
    body: signed.body,
  });
  return {
    status: response.statusCode,
    type: response.headers['x-amzn-errortype'],
    body: (await response.body.json()) as Record<string, unknown>,
  };
}

describe('SigV4 credential scope names another service', () => {
  beforeAll(async () => {
    emu = await startEmulator({ memory: true });
  });
  afterAll(() => emu?.close());

  for (const service of [
    'iot',
    'iot-managed-integrations',
    'execute-api',
    'iotmanagedintegration',
  ]) {
    it(`"${service}" on a managed-integrations route → 403 InvalidSignatureException`, async () => {
      const got = await send(service, 'GET', '/managed-things');
      expect(got.status).toBe(403);
      expect(String(got.type)).toMatch(/^InvalidSignatureException/);
      expect(JSON.stringify(got.body)).toContain(
        "Credential should be scoped to correct service: 'iotmanagedintegrations'.",
      );
    });
  }

  it('a scope for another service the emulator serves reaches that service', async () => {
    // SQS's JSON protocol on POST / — signed for sqs, routed to SQS, not refused.
    const host = new URL(emu.url).host;
    const credentials = emu.app.emulatorConfig.credentials[0];
    if (credentials === undefined) throw new Error('the emulator has no credentials');
    const signed = await signRequest({
      method: 'POST',
      path: '/',
      service: 'sqs',
      host,
      credentials,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ListQueues',
      },
      body: '{}',
    });
    const response = await request(`${emu.url}/`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({});
  });

  it('the right scope is served', async () => {
    const got = await send('iotmanagedintegrations', 'GET', '/managed-things');
    expect(got.status).toBe(200);
    expect(got.body).toHaveProperty('Items');
  });
});
