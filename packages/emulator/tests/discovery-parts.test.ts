import { fanReport } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';

// A discovery sent in several DEVICE_DISCOVERY requests with the same DeviceDiscoveryId (the
// connector runtime splits a large one under a request-size limit): one discovery holding every
// part's devices, listed page by page.

let stack: Awaited<ReturnType<typeof startC2cStack>>;
beforeAll(async () => {
  stack = await startC2cStack();
});
afterAll(async () => {
  await stack?.close();
});

const devices = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => ({
    ConnectorDeviceId: `fan-${from + k}`,
    ConnectorDeviceName: `Fan ${from + k}`,
    CapabilityReport: fanReport(),
  }));

describe('a discovery in parts', () => {
  it('adds every part to one discovery: SUCCEEDED from the first, a status per part, all listed', async () => {
    const { mi, connectorId, emu } = stack;
    const associationId = await stack.link();
    const started = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    expect(started.status, started.text).toBe(201);
    const id = started.json.Id as string;
    await emu.app.managedIntegrations.drain();
    const part = (from: number, to: number) =>
      mi('SendConnectorEvent', {
        ConnectorId: connectorId,
        Operation: 'DEVICE_DISCOVERY',
        UserId: 'user-1',
        DeviceDiscoveryId: id,
        Devices: devices(from, to),
      });
    const statuses = () =>
      emu.app.managedIntegrations.hub
        .recent({ eventType: 'DEVICE_DISCOVERY_STATUS', limit: 100 })
        .map((n) => (n as unknown as { payload: Record<string, unknown> }).payload)
        .filter((p) => p.deviceDiscoveryId === id);

    expect((await part(0, 10)).status).toBe(202);
    expect((await mi('GetDeviceDiscovery', { Identifier: id })).json.Status).toBe('SUCCEEDED');
    expect((await part(10, 20)).status).toBe(202);
    expect((await part(20, 25)).status).toBe(202);
    // The connector's retry of a part it is unsure about changes nothing.
    expect((await part(10, 20)).status).toBe(202);

    expect(statuses().map((p) => [p.status, p.deviceCount])).toEqual([
      ['SUCCEEDED', 10],
      ['SUCCEEDED', 20],
      ['SUCCEEDED', 25],
      ['SUCCEEDED', 25],
    ]);
    const listed: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await mi('ListDiscoveredDevices', {
        Identifier: id,
        MaxResults: 7,
        ...(token === undefined ? {} : { NextToken: token }),
      });
      expect(res.status, res.text).toBe(200);
      listed.push(
        ...(res.json.Items as Array<{ ConnectorDeviceId: string }>).map((d) => d.ConnectorDeviceId),
      );
      token = res.json.NextToken as string | undefined;
      if (token === undefined) break;
    }
    expect(listed).toEqual(devices(0, 25).map((d) => d.ConnectorDeviceId));
    // Any part's device becomes a managed thing like any other discovered device.
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${id}:fan-24`,
    });
    expect(thing.status, thing.text).toBe(201);
  });
});
