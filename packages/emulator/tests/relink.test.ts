import { fanReport, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCredential } from '../src/index.js';
import { startC2cStack } from './helpers/c2c-stack.js';
import { miClient } from './helpers/mi-client.js';

// The managed-thing lifecycle of a cloud device as the model documents it: a thing created from a
// discovered device is UNASSOCIATED until RegisterAccountAssociation; DeleteAccountAssociation
// needs every thing deregistered first; and what happens when the same vendor user links again.

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

/**
 * Sends a fan DEVICE_EVENT; returns the status and the thing ARN the customer's DEVICE_EVENT
 * notification went to (none when the event was relayed to nobody).
 */
async function fanEvent(speed: number): Promise<{ status: number; resource?: string }> {
  const notes = () => stack.emu.app.managedIntegrations.hub.recent({ eventType: 'DEVICE_EVENT' });
  const before = notes().at(-1);
  const res = await stack.mi('SendConnectorEvent', {
    ConnectorId: stack.connectorId,
    Operation: 'DEVICE_EVENT',
    UserId: 'user-1',
    ConnectorDeviceId: 'fan-1',
    MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0002': speed } }] },
  });
  const note = notes().at(-1);
  if (res.status !== 202 || note === before) return { status: res.status };
  return { status: res.status, resource: note?.resources[0] };
}

/** The reason the emulator kept for the latest event nobody could receive. */
async function lastRejection(): Promise<string | undefined> {
  const log = await request(`${stack.emu.url}/_local/rejected?limit=1`);
  const body = (await log.body.json()) as { Items: Array<{ reason: string }> };
  return body.Items[0]?.reason;
}

async function associationsOf(thingId: string, as?: EmulatorCredential) {
  const mi = as === undefined ? stack.mi : miClient(stack.emu.url, as);
  const listed = await mi('ListManagedThingAccountAssociations', { ManagedThingId: thingId });
  expect(listed.status, listed.text).toBe(200);
  return listed.json.Items;
}

const ids: Record<string, string> = {};

describe('register, deregister, delete: the documented lifecycle', () => {
  it('a new thing is UNASSOCIATED and its events reach nobody until it is registered', async () => {
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
    const got = await mi('GetManagedThing', { Identifier: ids.t1 });
    expect(got.json.ProvisioningStatus).toBe('UNASSOCIATED');
    expect(got.json.ActivatedAt).toBeUndefined();
    expect(await associationsOf(ids.t1)).toEqual([]);

    // Accepted (the connector did nothing wrong), relayed to nobody, kept in the rejected log.
    expect(await fanEvent(1)).toEqual({ status: 202 });
    expect(await lastRejection()).toMatch(/^ConnectorDeviceId: .*not registered.*RegisterAccount/);
    const state = await mi('GetManagedThingState', { ManagedThingId: ids.t1 });
    expect(state.json.Endpoints).toEqual([]);
    // Nor can it be commanded: it has no link to send the command through.
    const command = await mi('SendManagedThingCommand', {
      ManagedThingId: ids.t1,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'OnOff', version: '6', actions: [{ name: 'On' }] },
          ],
        },
      ],
    });
    expect(command.status, command.text).toBe(400);
  });

  it('RegisterAccountAssociation checks the discovery, then events are relayed', async () => {
    const { mi, link, discover, register } = stack;
    // A discovery of another association of the same user is not this association's.
    ids.other = await link();
    ids.dOther = await discover(ids.other, [{ id: 'fan-1', name: 'Fan', report: fanReport() }]);
    const wrong = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: ids.a1 as string,
      DeviceDiscoveryId: ids.dOther,
    });
    expect(wrong.status, wrong.text).toBe(400);
    expect(wrong.json.Message).toMatch(/^DeviceDiscoveryId: /);
    // A discovery that did not report the thing's device.
    const dEmpty = await discover(ids.a1 as string, []);
    const notFound = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: ids.a1 as string,
      DeviceDiscoveryId: dEmpty,
    });
    expect(notFound.status, notFound.text).toBe(400);
    const unknown = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: 'nosuchassociation',
      DeviceDiscoveryId: ids.d1 as string,
    });
    expect(unknown.status, unknown.text).toBe(404);

    await register(ids.t1 as string, ids.a1 as string, ids.d1 as string);
    // Registering again to the same association changes nothing.
    await register(ids.t1 as string, ids.a1 as string, ids.d1 as string);
    expect(await associationsOf(ids.t1 as string)).toEqual([
      {
        ManagedThingId: ids.t1,
        AccountAssociationId: ids.a1,
        ManagedThingAssociationStatus: 'ASSOCIATED',
      },
    ]);
    const got = await mi('GetManagedThing', { Identifier: ids.t1 as string });
    expect(got.json.ProvisioningStatus).toBe('ACTIVATED');
    expect(await fanEvent(2)).toEqual({ status: 202, resource: ids.t1Arn });
  });

  it('DeleteAccountAssociation is refused while a thing is registered to it', async () => {
    const refused = await stack.mi('DeleteAccountAssociation', {
      AccountAssociationId: ids.a1 as string,
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(refused.json.Message).toMatch(/still registered.*DeregisterAccountAssociation/);
    // Nothing changed: the association is still there and events still arrive.
    const got = await stack.mi('GetAccountAssociation', { AccountAssociationId: ids.a1 as string });
    expect(got.json.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
    expect(await fanEvent(3)).toEqual({ status: 202, resource: ids.t1Arn });
    // An association without registered things goes.
    const other = await stack.mi('DeleteAccountAssociation', {
      AccountAssociationId: ids.other as string,
    });
    expect(other.status, other.text).toBe(200);
  });
});

describe('re-linking the same end user', () => {
  it('a re-discovered device reports its managed thing, which stays where it is registered', async () => {
    const { mi, link, discover } = stack;
    // The same vendor user links again (a second association + OAuth on the same connector).
    ids.a2 = await link();
    expect(await fanEvent(4)).toEqual({ status: 202, resource: ids.t1Arn });
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
    // Still registered to the first link: moving it is the customer's call.
    expect(await associationsOf(ids.t1 as string)).toEqual([
      expect.objectContaining({ AccountAssociationId: ids.a1 }),
    ]);
  });

  it('moving the thing to the new link: register elsewhere is a conflict until deregistered', async () => {
    const { mi, register } = stack;
    const conflict = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: ids.a2 as string,
      DeviceDiscoveryId: ids.d2 as string,
    });
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.headers['x-amzn-errortype']).toBe('ConflictException');

    const wrongLink = await mi('DeregisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: ids.a2 as string,
    });
    expect(wrongLink.status, wrongLink.text).toBe(404);
    const dereg = await mi('DeregisterAccountAssociation', {
      ManagedThingId: ids.t1 as string,
      AccountAssociationId: ids.a1 as string,
    });
    expect(dereg.status, dereg.text).toBe(200);
    expect(await associationsOf(ids.t1 as string)).toEqual([]);
    expect(
      (await mi('GetManagedThing', { Identifier: ids.t1 as string })).json.ProvisioningStatus,
    ).toBe('UNASSOCIATED');
    // Detached: the device's events stop reaching the customer.
    expect(await fanEvent(5)).toEqual({ status: 202 });
    expect(await lastRejection()).toMatch(/not registered/);

    await register(ids.t1 as string, ids.a2 as string, ids.d2 as string);
    expect(await fanEvent(6)).toEqual({ status: 202, resource: ids.t1Arn });
    const state = await mi('GetManagedThingState', { ManagedThingId: ids.t1 as string });
    expect(JSON.stringify(state.json)).toContain('"name":"PercentSetting","value":6');
    // The old link has nothing registered any more: it can go.
    const gone = await mi('DeleteAccountAssociation', { AccountAssociationId: ids.a1 as string });
    expect(gone.status, gone.text).toBe(200);
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

  it('events follow the most recent live association that has a registered thing', async () => {
    const { link, discover, register } = stack;
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
    // Until it is registered, the first customer's thing keeps the events.
    expect(await fanEvent(7)).toEqual({ status: 202, resource: ids.t1Arn });
    await register(tb.json.Id as string, ids.b, db, OTHER);
    expect(await fanEvent(8)).toEqual({ status: 202, resource: tb.json.Arn });

    // Unlinking the newest link (deregister, then delete) hands routing back.
    const dereg = await other('DeregisterAccountAssociation', {
      ManagedThingId: tb.json.Id as string,
      AccountAssociationId: ids.b,
    });
    expect(dereg.status, dereg.text).toBe(200);
    const deleted = await other('DeleteAccountAssociation', { AccountAssociationId: ids.b });
    expect(deleted.status, deleted.text).toBe(200);
    expect(await fanEvent(9)).toEqual({ status: 202, resource: ids.t1Arn });
  });
});
