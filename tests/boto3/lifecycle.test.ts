import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, oauthLogin, startDevStack } from '@c2c-kit/cli';
import { until } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Boto3Target, boto3, boto3Missing, boto3Ok } from './boto3.js';

// The managed-thing lifecycle a customer app walks, in boto3 against c2c dev: a thing created
// from a discovered device is UNASSOCIATED and hears nothing from its device; RegisterAccount
// Association makes its events reach the customer; the link cannot be deleted while the thing is
// registered; DeregisterAccountAssociation detaches it; then the link can be deleted.

let dataDir: string;
let stack: DevStack;
let customer: Boto3Target;

interface Notification {
  messageType: string;
  resources: string[];
}

/** DEVICE_EVENT notifications the customer received about one managed thing. */
async function deviceEventsAbout(thingArn: string): Promise<Notification[]> {
  const res = await fetch(
    `${stack.emulatorUrl}/_local/notifications?account=${stack.customer.accountId}&eventType=DEVICE_EVENT&limit=1000`,
  );
  const body = (await res.json()) as { Items: Notification[] };
  return body.Items.filter((n) => n.resources.includes(thingArn));
}

/** Events the emulator accepted but relayed to nobody (or refused), newest first. */
async function rejected(): Promise<Array<{ seq: number; reason: string; body: unknown }>> {
  const res = await fetch(`${stack.emulatorUrl}/_local/rejected?limit=100`);
  return ((await res.json()) as { Items: Array<{ seq: number; reason: string; body: unknown }> })
    .Items;
}

/**
 * Motion on the vendor's camera (webhook → connector → SendConnectorEvent), then either the
 * customer's DEVICE_EVENT about `thingArn` or the emulator's note that it reached nobody.
 */
async function motion(thingArn: string): Promise<'relayed' | 'not relayed'> {
  const seen = (await deviceEventsAbout(thingArn)).length;
  const lastRejected = (await rejected())[0]?.seq ?? 0;
  await stack.triggerVendorEvent('cam-1', 'motion');
  return until('the motion event is handled', async () => {
    if ((await deviceEventsAbout(thingArn)).length > seen) return 'relayed';
    const note = (await rejected()).find(
      (r) =>
        r.seq > lastRejected &&
        (r.body as { ConnectorDeviceId?: string }).ConnectorDeviceId === 'cam-1',
    );
    if (note === undefined) return undefined;
    expect(note.reason).toMatch(/not registered to an account association.*not relayed/);
    return 'not relayed';
  });
}

describe('the managed-thing lifecycle, as a boto3 customer app walks it', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const missing = boto3Missing();
    if (missing !== undefined) throw new Error(missing);
    dataDir = await mkdtemp(join(tmpdir(), 'c2c-boto3-life-'));
    stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
    customer = {
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: stack.customer.credentials,
    };
    const user = stack.demoUsers[0];
    if (user === undefined) throw new Error('the dev stack has no demo user');
    const association = await boto3Ok(customer, 'CreateAccountAssociation', {
      ConnectorDestinationId: stack.connectorDestinationId,
      Name: 'boto3-lifecycle',
    });
    ids.association = String(association.AccountAssociationId);
    await oauthLogin(String(association.OAuthAuthorizationUrl), user.username, user.password);
    await until('association succeeded', async () => {
      const got = await boto3Ok(customer, 'GetAccountAssociation', {
        AccountAssociationId: ids.association,
      });
      return got.AssociationState === 'ASSOCIATION_SUCCEEDED' ? got : undefined;
    });
    const discovery = await boto3Ok(customer, 'StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: ids.association,
    });
    ids.discovery = String(discovery.Id);
    await until('discovery succeeded', async () => {
      const got = await boto3Ok(customer, 'GetDeviceDiscovery', { Identifier: ids.discovery });
      return got.Status === 'SUCCEEDED' ? got : undefined;
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('CreateManagedThing → UNASSOCIATED; the camera’s events are not relayed', async () => {
    const created = await boto3Ok(customer, 'CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${ids.discovery}:cam-1`,
      Name: 'Front door camera',
    });
    ids.thing = String(created.Id);
    ids.thingArn = String(created.Arn);
    const thing = await boto3Ok(customer, 'GetManagedThing', { Identifier: ids.thing });
    expect(thing).toMatchObject({ ConnectorDeviceId: 'cam-1', ProvisioningStatus: 'UNASSOCIATED' });
    const links = await boto3Ok(customer, 'ListManagedThingAccountAssociations', {
      ManagedThingId: ids.thing,
    });
    expect(links.Items).toEqual([]);
    expect(await motion(ids.thingArn as string)).toBe('not relayed');
    expect(await deviceEventsAbout(ids.thingArn as string)).toEqual([]);
  }, 60_000);

  it('RegisterAccountAssociation → ASSOCIATED; the events are relayed', async () => {
    const registered = await boto3Ok(customer, 'RegisterAccountAssociation', {
      ManagedThingId: ids.thing,
      AccountAssociationId: ids.association,
      DeviceDiscoveryId: ids.discovery,
    });
    expect(registered).toEqual({
      ManagedThingId: ids.thing,
      AccountAssociationId: ids.association,
      DeviceDiscoveryId: ids.discovery,
    });
    const links = await boto3Ok(customer, 'ListManagedThingAccountAssociations', {
      ManagedThingId: ids.thing,
    });
    expect(links.Items).toEqual([
      {
        ManagedThingId: ids.thing,
        AccountAssociationId: ids.association,
        ManagedThingAssociationStatus: 'ASSOCIATED',
      },
    ]);
    const thing = await boto3Ok(customer, 'GetManagedThing', { Identifier: ids.thing });
    expect(thing.ProvisioningStatus).toBe('ACTIVATED');
    // boto3 parsed the activation time the emulator sent into a datetime.
    expect(String(thing.ActivatedAt)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await motion(ids.thingArn as string)).toBe('relayed');
  }, 60_000);

  it('DeleteAccountAssociation is refused while the thing is registered', async () => {
    const [refused] = await boto3(customer, [
      { operation: 'DeleteAccountAssociation', input: { AccountAssociationId: ids.association } },
    ]);
    expect(refused).toMatchObject({ ok: false, status: 400, code: 'ValidationException' });
    expect(refused?.ok === false && refused.message).toMatch(
      /1 managed thing is still registered.*DeregisterAccountAssociation/,
    );
    const still = await boto3Ok(customer, 'GetAccountAssociation', {
      AccountAssociationId: ids.association,
    });
    expect(still.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
  }, 60_000);

  it('DeregisterAccountAssociation detaches the thing: events stop reaching the customer', async () => {
    await boto3Ok(customer, 'DeregisterAccountAssociation', {
      ManagedThingId: ids.thing,
      AccountAssociationId: ids.association,
    });
    const links = await boto3Ok(customer, 'ListManagedThingAccountAssociations', {
      AccountAssociationId: ids.association,
    });
    expect(links.Items).toEqual([]);
    const thing = await boto3Ok(customer, 'GetManagedThing', { Identifier: ids.thing });
    expect(thing.ProvisioningStatus).toBe('UNASSOCIATED');
    const relayedBefore = (await deviceEventsAbout(ids.thingArn as string)).length;
    expect(await motion(ids.thingArn as string)).toBe('not relayed');
    expect(await deviceEventsAbout(ids.thingArn as string)).toHaveLength(relayedBefore);
    // A second deregistration names what does not exist.
    const [again] = await boto3(customer, [
      {
        operation: 'DeregisterAccountAssociation',
        input: { ManagedThingId: ids.thing, AccountAssociationId: ids.association },
      },
    ]);
    expect(again).toMatchObject({ ok: false, status: 404, code: 'ResourceNotFoundException' });
  }, 60_000);

  it('then DeleteAccountAssociation succeeds', async () => {
    await boto3Ok(customer, 'DeleteAccountAssociation', { AccountAssociationId: ids.association });
    const [gone] = await boto3(customer, [
      { operation: 'GetAccountAssociation', input: { AccountAssociationId: ids.association } },
    ]);
    expect(gone).toMatchObject({ ok: false, status: 404, code: 'ResourceNotFoundException' });
  }, 60_000);
});
