import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { describe, expect, it } from 'vitest';
import { buildEmulator, EmulatorConfigError, startEmulator } from '../src/index.js';

describe('buildEmulator', () => {
  it('serves /_local/health without a signature', async () => {
    const app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    const res = await app.inject({ method: 'GET', url: '/_local/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', region: 'us-east-1', verify: true });
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.db.pragma('journal_mode', { simple: true })).toBe('memory');
    await app.close();
  });

  it('rejects an unsigned AWS request with MissingAuthenticationTokenException', async () => {
    const app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    app.post('/probe', { constraints: { awsService: 'iotmanagedintegrations' } }, async () => ({}));
    const res = await app.inject({ method: 'POST', url: '/probe', payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    await app.close();
  });

  it('rejects bad options with the field named', () => {
    expect(() => buildEmulator({ credentials: [] })).toThrow(EmulatorConfigError);
    expect(() => buildEmulator({ faults: { throttle: 2 } })).toThrow(/options\.faults\.throttle/);
    expect(() => buildEmulator({ faults: { hang: 1.5 } })).toThrow(/options\.faults\.hang/);
    expect(() => buildEmulator({ faults: { latencyMs: -1 } })).toThrow(
      /options\.faults\.latencyMs/,
    );
    expect(() => buildEmulator({ credentials: [{ ...TEST_CREDENTIALS, accountId: 'x' }] })).toThrow(
      /credentials\[0\]\.accountId/,
    );
  });

  it('answers an awsJson service with the request id its logs carry', async () => {
    const app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    const seen: string[] = [];
    app.addHook('onResponse', async (request) => {
      seen.push(String(request.id));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const sqs = new SQSClient(sdkClientConfig(`http://127.0.0.1:${port}`));
    try {
      const out = await sqs.send(new ListQueuesCommand({}));
      expect(out.$metadata.requestId).toBeDefined();
      expect(seen).toContain(out.$metadata.requestId);
    } finally {
      sqs.destroy();
      await app.close();
    }
  });

  it('startEmulator listens on 127.0.0.1 and reports its base URL', async () => {
    const emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.app.emulatorConfig.baseUrl()).toBe(emu.url);
    const res = await fetch(`${emu.url}/_local/health`);
    expect(res.status).toBe(200);
    await emu.close();
  });

  it('answers HEAD as any method without a route, not as the GET route (no SDK sends it)', async () => {
    const emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    try {
      for (const path of ['/_local/health', '/managed-things', '/2015-03-31/functions']) {
        const head = await fetch(`${emu.url}${path}`, { method: 'HEAD' });
        const unrouted = await fetch(`${emu.url}${path}`, { method: 'PATCH' });
        expect(head.status, path).toBe(unrouted.status);
        expect(head.status, path).toBe(403);
        expect(head.headers.get('x-amzn-errortype'), path).toBe(
          unrouted.headers.get('x-amzn-errortype'),
        );
      }
      expect((await fetch(`${emu.url}/_local/health`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
