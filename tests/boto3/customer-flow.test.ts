import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, oauthLogin, startDevStack } from '@c2c-kit/cli';
import { fanModeEndpoints, until } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Boto3Target, boto3, boto3Missing, boto3Ok } from './boto3.js';

// A customer app written with boto3 — an AWS client c2c-kit did not write, with its own SigV4
// signer, serialisers and error parsers — drives the dev stack the way it would drive AWS. Our own
// signed client cannot catch our own signing or serialisation bugs; this one can.

let dataDir: string;
let stack: DevStack;
let customer: Boto3Target;

describe('a boto3 customer app against c2c dev', () => {
  beforeAll(async () => {
    const missing = boto3Missing();
    if (missing !== undefined) throw new Error(missing);
    dataDir = await mkdtemp(join(tmpdir(), 'c2c-boto3-'));
    stack = await startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
    customer = {
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: stack.customer.credentials,
    };
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reads modelled errors as boto3 expects them (code, status, message)', async () => {
    const [missing, invalid, unsigned] = [
      ...(await boto3(
        customer,
        [
          { operation: 'GetAccountAssociation', input: { AccountAssociationId: 'doesnotexist1' } },
          { operation: 'ListManagedThings', input: { MaxResults: 0 } },
        ],
        { validate: false },
      )),
      ...(await boto3(
        {
          ...customer,
          credentials: { accessKeyId: 'AKIANOTAKEYOFOURS00', secretAccessKey: 'x'.repeat(40) },
        },
        [{ operation: 'ListManagedThings' }],
      )),
    ];
    expect(missing).toMatchObject({ ok: false, status: 404, code: 'ResourceNotFoundException' });
    expect(invalid).toMatchObject({ ok: false, status: 400, code: 'ValidationException' });
    expect(invalid?.ok === false && invalid.message).toMatch(/MaxResults/);
    expect(unsigned).toMatchObject({ ok: false, status: 403 });
    expect(unsigned?.ok === false && unsigned.code).toMatch(/UnrecognizedClient|InvalidSignature/);
  });

  it('links an account, discovers, commands a fan and reads its state', async () => {
    const user = stack.demoUsers[0];
    if (user === undefined) throw new Error('the dev stack has no demo user');
    const association = await boto3Ok(customer, 'CreateAccountAssociation', {
      ConnectorDestinationId: stack.connectorDestinationId,
      Name: 'boto3-link',
    });
    expect(association.OAuthAuthorizationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await oauthLogin(String(association.OAuthAuthorizationUrl), user.username, user.password);
    const linked = await until('association succeeded', async () => {
      const got = await boto3Ok(customer, 'GetAccountAssociation', {
        AccountAssociationId: association.AccountAssociationId,
      });
      return got.AssociationState === 'ASSOCIATION_SUCCEEDED' ? got : undefined;
    });
    expect(linked.ConnectorDestinationId).toBe(stack.connectorDestinationId);

    const discovery = await boto3Ok(customer, 'StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: association.AccountAssociationId,
    });
    await until('discovery succeeded', async () => {
      const got = await boto3Ok(customer, 'GetDeviceDiscovery', { Identifier: discovery.Id });
      expect(['RUNNING', 'SUCCEEDED']).toContain(got.Status);
      return got.Status === 'SUCCEEDED' ? got : undefined;
    });
    const found = await boto3Ok(customer, 'ListDiscoveredDevices', { Identifier: discovery.Id });
    const devices = found.Items as Array<Record<string, unknown>>;
    const fan = devices.find((d) => d.ConnectorDeviceId === 'fan-1');
    expect(fan, JSON.stringify(devices)).toBeDefined();
    // boto3 parsed the timestamp the emulator sent into a datetime (the driver prints it as ISO text).
    expect(String(fan?.DiscoveredAt)).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    let fanThingId = fan?.ManagedThingId as string | undefined;
    if (fanThingId === undefined) {
      const created = await boto3Ok(customer, 'CreateManagedThing', {
        Role: 'DEVICE',
        AuthenticationMaterialType: 'DISCOVERED_DEVICE',
        AuthenticationMaterial: `${String(discovery.Id)}:fan-1`,
      });
      fanThingId = String(created.Id);
    }
    // A new thing is UNASSOCIATED: registered to the link, it takes commands and hears events.
    await boto3Ok(customer, 'RegisterAccountAssociation', {
      ManagedThingId: fanThingId,
      AccountAssociationId: association.AccountAssociationId,
      DeviceDiscoveryId: discovery.Id,
    });
    const thing = await boto3Ok(customer, 'GetManagedThing', { Identifier: fanThingId });
    expect(thing).toMatchObject({ Id: fanThingId, ConnectorDeviceId: 'fan-1' });

    const sent = await boto3Ok(customer, 'SendManagedThingCommand', {
      ManagedThingId: fanThingId,
      Endpoints: fanModeEndpoints(3),
    });
    expect(typeof sent.TraceId).toBe('string');
    // The state as boto3 parsed it: the FanControl capability's FanMode property is High (3).
    const fanMode = await until('fan state High', async () => {
      const got = await boto3Ok(customer, 'GetManagedThingState', { ManagedThingId: fanThingId });
      const endpoints = got.Endpoints as Array<{ capabilities: Array<Record<string, unknown>> }>;
      const capability = endpoints
        .flatMap((e) => e.capabilities)
        .find((c) => c.id === 'matter.FanControl@1.4');
      const properties = (capability?.properties ?? []) as Array<{ name: string; value: unknown }>;
      const value = properties.find((p) => p.name === 'FanMode')?.value;
      return value === 3 ? value : undefined;
    });
    expect(fanMode).toBe(3);
  }, 90_000);
});
