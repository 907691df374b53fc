import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCredential } from '../src/index.js';
import { fanReport, startC2cStack } from './helpers/c2c-stack.js';
import { TEST_CREDENTIALS } from './helpers/credentials.js';
import { miClient } from './helpers/mi-client.js';

// A second customer account that links the same vendor user.
const OTHER: EmulatorCredential = {
  accessKeyId: 'AKIAC2CKITTEST000002',
  secretAccessKey: 'c2c-kit-test-secret-access-key-000000002',
  accountId: '222233334444',
};

let stack: Awaited<ReturnType<typeof startC2cStack>>;

beforeAll(async () => {
  stack = await startC2cStack({ credentials: [TEST_CREDENTIALS, OTHER] });
});

afterAll(async () => {
  await stack?.close();
});

/** Sends a fan DEVICE_EVENT; returns the status and the thing ARN the DEVICE_EVENT went to. */
async function fanEvent(speed: number): Promise<{ status: number; resource?: string }> {
  const res = await stack.mi('SendConnectorEvent', {
    ConnectorId: stack.connectorId,
    Operation: 'DEVICE_EVENT',
    UserId: 'user-1',
    ConnectorDeviceId: 'fan-1',
    MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0002': speed } }] },
  });
  if (res.status !== 202) return { status: res.status };
  const note = stack.emu.app.managedIntegrations.hub.recent({ eventType: 'DEVICE_EVENT' }).at(-1);
  return { status: res.status, resource: note?.resources[0] };
}

describe('re-linking the same end user', () => {
  const ids: Record<string, string> = {};

  it('a re-discovered device reports its managed thing and CreateManagedThing returns it, not a duplicate', async () => {
    const { mi, link, discover } = stack;
    ids.a1 = await link();
    ids.d1 = await discover(ids.a1, [{ id: 'fan-1', name: 'Fan', report: fanReport() }]);
    const t1 = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${ids.d1}:fan-1`,
    });
    expect(t1.status, t1.text).toBe(201);
    ids.t1 = t1.json.Id as string;
    ids.t1Arn = t1.json.Arn as string;
    expect(await fanEvent(1)).toEqual({ status: 202, resource: ids.t1Arn });

    // The same vendor user links again (a second association + OAuth on the same connector).
    ids.a2 = await link();
    // Until the new link has a thing for the device, events still reach the existing one.
    expect(await fanEvent(2)).toEqual({ status: 202, resource: ids.t1Arn });

    ids.d2 = await discover(ids.a2, [
      { id: 'fan-1', name: 'Fan', report: fanReport() },
      { id: 'fan-2', name: 'Bedroom fan', report: fanReport() },
    ]);
    const listed = await mi('ListDiscoveredDevices', { Identifier: ids.d2 });
    const items = listed.json.Items as Array<Record<string, unknown>>;
    expect(items.find((d) => d.ConnectorDeviceId === 'fan-1')).toMatchObject({
      ManagedThingId: ids.t1,
      Modification: 'NO_CHANGE',
    });
    const fan2 = items.find((d) => d.ConnectorDeviceId === 'fan-2');
    expect(fan2).toMatchObject({ Modification: 'DISCOVERED' });
    expect(fan2?.ManagedThingId).toBeUndefined();

    const again = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${ids.d2}:fan-1`,
    });
    expect(again.status, again.text).toBe(201);
    expect(again.json.Id).toBe(ids.t1);
    const things = await mi('ListManagedThings', { ConnectorDeviceIdFilter: 'fan-1' });
    expect((things.json.Items as unknown[]).length).toBe(1);
    // The thing now belongs to the current link.
    const links = await mi('ListManagedThingAccountAssociations', { ManagedThingId: ids.t1 });
    expect(links.json.Items).toEqual([
      {
        ManagedThingId: ids.t1,
        AccountAssociationId: ids.a2,
        ManagedThingAssociationStatus: 'ASSOCIATED',
      },
    ]);
    expect(await fanEvent(3)).toEqual({ status: 202, resource: ids.t1Arn });
    const state = await mi('GetManagedThingState', { ManagedThingId: ids.t1 });
    expect(JSON.stringify(state.json)).toContain('"name":"PercentSetting","value":3');
  });

  it('a changed capability report is UPDATED and the thing takes the new report', async () => {
    const d3 = await stack.discover(ids.a2 as string, [
      { id: 'fan-1', name: 'Fan', report: fanReport(true) },
    ]);
    const listed = await stack.mi('ListDiscoveredDevices', { Identifier: d3 });
    expect(listed.json.Items).toEqual([
      expect.objectContaining({
        ConnectorDeviceId: 'fan-1',
        ManagedThingId: ids.t1,
        Modification: 'UPDATED',
      }),
    ]);
    const caps = await stack.mi('GetManagedThingCapabilities', { Identifier: ids.t1 as string });
    expect(JSON.stringify(caps.json)).toContain('SpeedMax');
  });

  it('events follow the most recent live association; deleting one stops routing to its things', async () => {
    const { link, discover } = stack;
    const other = miClient(stack.emu.url, OTHER);
    // Another customer account links the same vendor user and adds the device: the newest link.
    ids.b = await link(OTHER);
    const db = await discover(ids.b, [{ id: 'fan-1', name: 'Fan', report: fanReport() }], OTHER);
    const listed = await other('ListDiscoveredDevices', { Identifier: db });
    // No managed thing of *this* customer yet.
    expect(listed.json.Items).toEqual([
      expect.objectContaining({ ConnectorDeviceId: 'fan-1', Modification: 'DISCOVERED' }),
    ]);
    const tb = await other('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${db}:fan-1`,
    });
    expect(tb.status, tb.text).toBe(201);
    expect(tb.json.Id).not.toBe(ids.t1);
    expect(await fanEvent(4)).toEqual({ status: 202, resource: tb.json.Arn });

    // Deleting the newest link hands routing back to the previous one's thing.
    const deleted = await other('DeleteAccountAssociation', { AccountAssociationId: ids.b });
    expect(deleted.status, deleted.text).toBe(200);
    expect(await fanEvent(5)).toEqual({ status: 202, resource: ids.t1Arn });

    // Deleting the link the thing is on stops routing to it: the user is still linked (a1), but
    // no thing of a live link has the device, so the event is rejected and kept.
    const gone = await stack.mi('DeleteAccountAssociation', {
      AccountAssociationId: ids.a2 as string,
    });
    expect(gone.status, gone.text).toBe(200);
    const rejected = await fanEvent(6);
    expect(rejected.status).toBe(404);
    const log = await request(`${stack.emu.url}/_local/rejected?limit=1`);
    const body = (await log.body.json()) as { Items: Array<{ reason: string }> };
    expect(body.Items[0]?.reason).toMatch(/^ConnectorDeviceId:/);
  });
});
