import { ConnectorEventsClient } from '@c2c-kit/connector/client';
import {
  putTestConnector,
  sdkClientConfig,
  sendTestConnectorEvent,
  TEST_CREDENTIALS,
} from '@c2c-kit/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEmulator, type RunningEmulator, startEmulator } from '../src/index.js';
import { signedInject } from './helpers/sign.js';

let app: FastifyInstance | undefined;
let running: RunningEmulator | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  await running?.close();
  running = undefined;
});

type Faults = { throttle?: number; error?: number; latencyMs?: number; hang?: number };

async function emulatorWith(faults: Faults) {
  app = buildEmulator({ memory: true, credentials: [TEST_CREDENTIALS], faults });
  await app.ready();
  putTestConnector(app);
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

describe('the hang fault (--faults hang=1), over a real socket', () => {
  /** A listening emulator with connector `c1`, and a connector client of its own. */
  async function listening(faults: Faults, attemptTimeoutMs: number) {
    running = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS], faults });
    putTestConnector(running.app);
    const client = new ConnectorEventsClient({
      ...sdkClientConfig(running.url),
      attemptTimeoutMs,
      maxAttempts: 1,
    });
    return { emu: running, client };
  }

  it('answers nothing: the client times out, nothing is stored, and the held request ends', async () => {
    const { emu, client } = await listening({ hang: 1 }, 300);
    try {
      const error = await sendTestConnectorEvent(client, 't-hung').catch(
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(`${(error as Error).name}: ${(error as Error).message}`).toMatch(
        /no response within 300 ms/,
      );
      expect(emu.app.managedIntegrations.stores.countEvents()).toBe(0);
      // The connection the client gave up on is closed on both sides: nothing is left held.
      const open = () =>
        new Promise<number>((resolve, reject) =>
          emu.app.server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
        );
      for (let i = 0; i < 100 && (await open()) > 0; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await open()).toBe(0);
      // Lifted (as c2c dev's setFaults does: the handlers read the shared config object), the
      // same client is answered at once.
      emu.app.emulatorConfig.faults.hang = 0;
      await expect(sendTestConnectorEvent(client, 't-after')).resolves.toEqual({
        ConnectorId: 'c1',
      });
      expect(emu.app.managedIntegrations.stores.countEvents()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('hang=0 (the default) never holds a request', async () => {
    const { client } = await listening({}, 2000);
    try {
      await expect(sendTestConnectorEvent(client, 't-plain')).resolves.toEqual({
        ConnectorId: 'c1',
      });
    } finally {
      await client.close();
    }
  });
});
