import { request } from 'node:http';
import { ConnectorEventsClient, ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import type { RunningEmulator } from '@c2c-kit/emulator';
import {
  putTestConnector,
  sdkClientConfig,
  sendTestConnectorEvent,
  startTestEmulator,
} from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/conformance/faultProxy.js';

// The suite's fault endpoint for `c2c test --deployed`, over real sockets: a real emulator behind
// it, the connector's own client in front. Faults come from the endpoint, never from the emulator.

let emu: RunningEmulator;
let suite: ManagedIntegrationsClient;
let proxy: FaultProxy;
let proxyUrl: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  putTestConnector(emu.app);
  suite = new ManagedIntegrationsClient({ ...sdkClientConfig(emu.url), validate: false });
  proxy = new FaultProxy(suite);
  proxyUrl = await proxy.start();
});

afterAll(async () => {
  await proxy?.close();
  await suite?.close();
  await emu?.close();
});

/** The connector's client, signing for the proxy's address with the connector's own keys. */
function connectorClient(attemptTimeoutMs = 2000) {
  return new ConnectorEventsClient({
    ...sdkClientConfig(proxyUrl),
    attemptTimeoutMs,
    maxAttempts: 1,
  });
}

const stored = () => emu.app.managedIntegrations.stores.countEvents();

describe('FaultProxy', () => {
  it('forwards to the emulator without faults: events stored, other operations answered', async () => {
    const client = connectorClient();
    try {
      proxy.set({});
      const before = stored();
      await expect(sendTestConnectorEvent(client, 't-through')).resolves.toEqual({
        ConnectorId: 'c1',
      });
      expect(stored()).toBe(before + 1);
      const listed = await client.listCloudConnectors({});
      expect(listed.Items?.map((c) => c.Id)).toContain('c1');
      // The emulator's own refusal comes back as the emulator gave it.
      await expect(
        client.sendConnectorEvent({
          ConnectorId: 'nope',
          Operation: 'DEVICE_COMMAND_REQUEST',
          TraceId: 't',
        } as never),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      await client.close();
    }
  });

  it.each([
    [{ throttle: 1 }, 'ThrottlingException', 429],
    [{ error: 1 }, 'ServiceUnavailableException', 503],
  ])(
    '%j: SendConnectorEvent refused with %s, nothing reaches the emulator',
    async (faults, name, status) => {
      const client = connectorClient();
      try {
        proxy.set(faults);
        const before = stored();
        await expect(sendTestConnectorEvent(client, `t-${name}`)).rejects.toMatchObject({
          name,
          statusCode: status,
        });
        expect(stored()).toBe(before);
        // Only SendConnectorEvent gets faults.
        await expect(client.listCloudConnectors({})).resolves.toBeDefined();
      } finally {
        proxy.set({});
        await client.close();
      }
    },
  );

  it('hang: no answer until the client gives up, counted as held', async () => {
    const client = connectorClient(300);
    try {
      proxy.set({ hang: 1 });
      const seen = proxy.seen();
      const before = stored();
      const error = (await sendTestConnectorEvent(client, 't-hang').catch(
        (e: unknown) => e,
      )) as Error;
      expect(error.message).toMatch(/no response within 300 ms/);
      expect(proxy.seen()).toEqual({ requests: seen.requests + 1, held: seen.held + 1 });
      expect(stored()).toBe(before);
      proxy.set({});
      await expect(sendTestConnectorEvent(client, 't-after-hang')).resolves.toEqual({
        ConnectorId: 'c1',
      });
    } finally {
      proxy.set({});
      await client.close();
    }
  });

  it('takes requests only for its own address and from no foreign origin', async () => {
    const port = new URL(proxyUrl).port;
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/connector-event/c1',
            headers: { 'content-type': 'application/json', ...headers },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{"Operation":"DEVICE_COMMAND_REQUEST","TraceId":"t-hostile"}');
      });
    const before = stored();
    expect(await post({ host: `attacker.example:${port}` })).toBe(403);
    expect(await post({ origin: 'http://attacker.example' })).toBe(403);
    expect(stored()).toBe(before);
  });
});
