import { fileURLToPath } from 'node:url';
import { dribbleBody, dribbleHeaders, streamOpenAfter } from '@c2c-kit/testing/slow-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmulator, type RunningEmulator, startEmulator } from '../src/index.js';

// The bound is on receiving a request: a client dribbling its headers or body is disconnected,
// while what the server then takes to answer (an SSE stream, a long invocation) is not cut.

const BOUND_MS = 400;
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    memory: true,
    verify: false,
    requestTimeoutMs: BOUND_MS,
    headersTimeoutMs: BOUND_MS,
  });
  emu.app.lambdaHost.registerFunction({
    name: 'slow',
    handler: fileURLToPath(new URL('./fixtures/functions/slow.mjs', import.meta.url)),
    timeoutSeconds: 30,
  });
});
afterAll(async () => {
  await emu.close();
});

describe('request timeouts', () => {
  it('disconnects a client that sends its body one byte at a time (408 or a close)', async () => {
    const answer = await dribbleBody(emu.port, '/_local/functions', { everyMs: 150 });
    // Closed: the promise resolved. What was written, if anything, is a 408.
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('disconnects a client that never finishes its headers', async () => {
    const answer = await dribbleHeaders(emu.port, 150);
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps an SSE notification stream open past the bound', async () => {
    const stream = await streamOpenAfter(
      emu.port,
      '/_local/notifications/stream?account=111122223333',
      BOUND_MS * 4,
    );
    expect(stream.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(stream.open).toBe(true);
  });

  it('answers an invocation that runs longer than the bound', async () => {
    const res = await request(`${emu.url}/2015-03-31/functions/slow/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: BOUND_MS * 4 }),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ slept: BOUND_MS * 4 });
  });

  it('refuses timeouts that are not positive integers', () => {
    expect(() => buildEmulator({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => buildEmulator({ headersTimeoutMs: 1.5 })).toThrow(/headersTimeoutMs/);
  });
});
