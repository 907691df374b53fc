import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEmulator } from '../src/index.js';
import { TEST_CREDENTIALS } from './helpers/credentials.js';
import { signedInject } from './helpers/sign.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function emulatorWith(faults: { throttle?: number; error?: number; latencyMs?: number }) {
  app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS], faults });
  await app.ready();
  app.managedIntegrations.stores.connectors.put(
    { account: TEST_CREDENTIALS.accountId, region: 'us-east-1' },
    'c1',
    {
      Id: 'c1',
      Name: 'c1',
      EndpointConfig: { lambda: { arn: 'fn' } },
      EndpointType: 'LAMBDA',
      Type: 'UNLISTED',
    },
  );
  return app;
}

const event = {
  method: 'POST',
  path: '/connector-event/c1',
  body: JSON.stringify({ Operation: 'DEVICE_COMMAND_REQUEST', TraceId: 't1' }),
};

describe('fault injection (--faults)', () => {
  it('throttle=1 → every SendConnectorEvent is a 429 ThrottlingException', async () => {
    const res = await signedInject(await emulatorWith({ throttle: 1 }), event);
    expect(res.statusCode).toBe(429);
    expect(res.headers['x-amzn-errortype']).toBe('ThrottlingException');
  });

  it('error=1 → 503 ServiceUnavailableException (retryable), nothing stored', async () => {
    const emu = await emulatorWith({ error: 1 });
    const res = await signedInject(emu, event);
    expect(res.statusCode).toBe(503);
    expect(res.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    expect(emu.managedIntegrations.stores.countEvents()).toBe(0);
  });

  it('no faults → 202 and stored', async () => {
    const emu = await emulatorWith({});
    const res = await signedInject(emu, event);
    expect(res.statusCode).toBe(202);
    expect(emu.managedIntegrations.stores.countEvents()).toBe(1);
  });

  it('connector invokes fail under error=1 after 1 + 5 attempts; unhandled errors are retried', async () => {
    const { ConnectorInvoker } = await import(
      '../src/services/iotmanagedintegrations/domain/invoke.js'
    );
    let calls = 0;
    const direct = new ConnectorInvoker({
      host: {
        invoke: async () => {
          calls += 1;
          return {
            statusCode: 200,
            payload: Buffer.from('{}'),
            executedVersion: '$LATEST',
            requestId: `req-${calls}`,
            logTail: '',
          };
        },
      },
      faults: { throttle: 0, error: 1, latencyMs: 0 },
      backoffMs: 1,
    });
    const outcome = await direct.invoke({
      functionArn: 'fn',
      connectorId: 'c1',
      operationName: 'AWS.DeactivateUser',
      auth: { type: 'OAuth2.0', token: 't' },
    });
    expect(outcome).toMatchObject({ ok: false, attempts: 6, statusCode: 500 });
    expect(calls).toBe(0);
    const healthy = new ConnectorInvoker({
      host: {
        invoke: async () => {
          calls += 1;
          return calls < 3
            ? {
                statusCode: 200,
                payload: Buffer.from('{"errorMessage":"x"}'),
                functionError: 'Unhandled' as const,
                executedVersion: '$LATEST',
                requestId: `req-${calls}`,
                logTail: '',
              }
            : {
                statusCode: 200,
                payload: Buffer.from('{"header":{"responseCode":200},"payload":{}}'),
                executedVersion: '$LATEST',
                requestId: `req-${calls}`,
                logTail: '',
              };
        },
      },
      faults: { throttle: 0, error: 0, latencyMs: 0 },
      backoffMs: 1,
    });
    const ok = await healthy.invoke({
      functionArn: 'fn',
      connectorId: 'c1',
      operationName: 'AWS.DeactivateUser',
      auth: { type: 'OAuth2.0', token: 't' },
    });
    expect(ok).toMatchObject({ ok: true, attempts: 3 });
  });
});
