import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import {
  createOAuthClientSecret,
  RECORDING_CONNECTOR,
  recordedInvocations,
} from './helpers/c2c-stack.js';
import { checkingOutputs, type MiCall, miClient } from './helpers/mi-client.js';
import { oAuthConfig, startOAuthServer } from './helpers/oauth-server.js';

// The customer's path through the service, in order: a cloud connector and its destination, an
// account linked over OAuth, a discovery, a managed thing registered to the link, and the link's
// deletion. Events and commands on such a thing: connector-events.test.ts; token refresh and
// link failures: account-linking.test.ts.

let emu: RunningEmulator;
let oauth: Awaited<ReturnType<typeof startOAuthServer>>;
let dir: string;
let recordFile: string;
let mi: MiCall;
const outputIssues: string[] = [];
let functionArn: string;
let secret: { arn: string; versionId: string };

const invocations = () => recordedInvocations(recordFile);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emu-flow-'));
  recordFile = join(dir, 'record.jsonl');
  writeFileSync(recordFile, '');
  emu = await startEmulator({
    memory: true,
    credentials: [TEST_CREDENTIALS],
    invoke: { backoffMs: 5, timeoutMs: 5000 },
  });
  oauth = await startOAuthServer();
  mi = checkingOutputs(miClient(emu.url), outputIssues);
  functionArn = emu.app.lambdaHost.registerFunction({
    name: 'acme-connector',
    handler: RECORDING_CONNECTOR,
    environment: { RECORD_FILE: recordFile },
  }).arn;
  // The connector is registered against an alias, as a deployed connector often is; Lambda
  // invokes a qualifier only when it exists, so the test publishes a version and names it.
  const lambda = new LambdaClient(sdkClientConfig(emu.url));
  const { Version } = await lambda.send(
    new PublishVersionCommand({ FunctionName: 'acme-connector' }),
  );
  await lambda.send(
    new CreateAliasCommand({
      FunctionName: 'acme-connector',
      Name: 'live',
      FunctionVersion: Version,
    }),
  );
  lambda.destroy();
  secret = await createOAuthClientSecret(emu.url);
});

afterAll(async () => {
  expect(outputIssues).toEqual([]);
  // Every notification the flow produced passed protocol's validator.
  expect(emu.app.managedIntegrations.hub.stats.invalid).toBe(0);
  await emu?.close();
  await oauth?.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('managed integrations: connector → destination → link → discovery → thing', () => {
  const state: Record<string, string> = {};

  it('creates, gets and lists cloud connectors (LambdaArn filter ignores qualifiers)', async () => {
    const created = await mi('CreateCloudConnector', {
      Name: 'acme',
      EndpointConfig: { lambda: { arn: `${functionArn}:live` } },
      ClientToken: 'token-1',
    });
    expect(created.status).toBe(201);
    state.connectorId = created.json.Id as string;
    const replay = await mi('CreateCloudConnector', {
      Name: 'acme',
      EndpointConfig: { lambda: { arn: `${functionArn}:live` } },
      ClientToken: 'token-1',
    });
    expect(replay.json.Id).toBe(state.connectorId);
    const conflict = await mi('CreateCloudConnector', {
      Name: 'other',
      EndpointConfig: { lambda: { arn: functionArn } },
      ClientToken: 'token-1',
    });
    expect(conflict.status).toBe(409);
    expect(conflict.headers['x-amzn-errortype']).toBe('ConflictException');

    const got = await mi('GetCloudConnector', { Identifier: state.connectorId });
    expect(got.json).toMatchObject({ Name: 'acme', EndpointType: 'LAMBDA', Id: state.connectorId });
    for (const filter of [functionArn, `${functionArn}:7`, 'acme-connector']) {
      const listed = await mi('ListCloudConnectors', { LambdaArn: filter });
      expect(listed.json.Items, filter).toEqual([
        expect.objectContaining({ Id: state.connectorId }),
      ]);
    }
    const none = await mi('ListCloudConnectors', { LambdaArn: 'other-fn' });
    expect(none.json.Items).toEqual([]);
    const missing = await mi('GetCloudConnector', { Identifier: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(missing.json).toMatchObject({ ResourceId: 'nope', ResourceType: 'CloudConnector' });
  });

  it('creates a connector destination whose client secret is read from Secrets Manager', async () => {
    const res = await mi('CreateConnectorDestination', {
      Name: 'acme-dest',
      CloudConnectorId: state.connectorId as string,
      AuthType: 'OAUTH',
      AuthConfig: oAuthConfig(oauth.url, 'HTTP_BASIC', { scope: 'devices:read devices:write' }),
      SecretsManager: secret,
    });
    expect(res.status, res.text).toBe(201);
    state.destinationId = res.json.Id as string;
    const bad = await mi('CreateConnectorDestination', {
      CloudConnectorId: state.connectorId as string,
      AuthConfig: oAuthConfig(oauth.url, 'HTTP_BASIC'),
      SecretsManager: {
        arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:missing-abcdef',
        versionId: 'a'.repeat(32),
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.Message).toMatch(/SecretsManager\.arn/);
  });

  it('links an account over OAuth: authorization URL, code exchange, ActivateUser, userId', async () => {
    const res = await mi('CreateAccountAssociation', {
      ConnectorDestinationId: state.destinationId as string,
      Name: 'home',
    });
    expect(res.status).toBe(201);
    expect(res.json.AssociationState).toBe('ASSOCIATION_IN_PROGRESS');
    state.associationId = res.json.AccountAssociationId as string;
    const url = new URL(res.json.OAuthAuthorizationUrl as string);
    expect(url.origin + url.pathname).toBe(`${oauth.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'acme-client',
      redirect_uri: `${emu.url}/_local/oauth/callback`,
      scope: 'devices:read devices:write',
    });
    const callback = await request(
      `${emu.url}/_local/oauth/callback?code=good-code&state=${url.searchParams.get('state')}`,
    );
    const body = (await callback.body.json()) as Record<string, unknown>;
    expect(callback.statusCode, JSON.stringify(body)).toBe(200);
    expect(body.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
    expect(oauth.calls.at(-1)).toMatchObject({
      grantType: 'authorization_code',
      via: 'basic',
      clientId: 'acme-client',
      redirectUri: `${emu.url}/_local/oauth/callback`,
    });
    const activate = invocations().at(-1)?.event;
    expect(activate?.header.auth).toEqual({ type: 'OAuth2.0', token: 'at-1' });
    expect(activate?.payload).toMatchObject({
      operationName: 'AWS.ActivateUser',
      operationVersion: '1.0.0',
      connectorId: state.connectorId,
    });
    const got = await mi('GetAccountAssociation', { AccountAssociationId: state.associationId });
    expect(got.json).toMatchObject({
      AssociationState: 'ASSOCIATION_SUCCEEDED',
      ConnectorDestinationId: state.destinationId,
    });
    expect(got.text).not.toContain('at-1');
    // The state parameter is single-use.
    const replay = await request(
      `${emu.url}/_local/oauth/callback?code=good-code&state=${url.searchParams.get('state')}`,
    );
    expect(replay.statusCode).toBe(400);
    await replay.body.dump();
  });

  it('discovers devices: StartDeviceDiscovery invokes DiscoverDevices, DEVICE_DISCOVERY completes it', async () => {
    const started = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: state.associationId as string,
    });
    expect(started.status).toBe(201);
    expect(typeof started.json.StartedAt).toBe('number');
    const discoveryId = started.json.Id as string;
    state.discoveryId = discoveryId;
    await emu.app.managedIntegrations.drain();
    const discover = invocations().at(-1)?.event;
    expect(discover?.payload).toMatchObject({
      operationName: 'AWS.DiscoverDevices',
      deviceDiscoveryId: discoveryId,
    });
    expect((await mi('GetDeviceDiscovery', { Identifier: discoveryId })).json.Status).toBe(
      'RUNNING',
    );

    const event = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_DISCOVERY',
      OperationVersion: '1.0',
      StatusCode: 200,
      UserId: 'user-1',
      DeviceDiscoveryId: discoveryId,
      Devices: [
        {
          ConnectorDeviceId: 'fan-1',
          ConnectorDeviceName: 'Living room fan',
          CapabilityReport: {
            version: '1.0.0',
            endpoints: [
              {
                id: '1',
                deviceTypes: ['Fan'],
                clusters: [
                  {
                    id: '0x0006',
                    revision: 6,
                    attributes: [{ id: '0x0000' }],
                    commands: ['0x00', '0x01'],
                  },
                  { id: '0x0202', revision: 4, attributes: [{ id: '0x0000' }, { id: '0x0002' }] },
                ],
              },
            ],
          },
        },
      ],
    });
    expect(event.status, event.text).toBe(202);
    expect(event.json).toEqual({ ConnectorId: state.connectorId });
    const got = await mi('GetDeviceDiscovery', { Identifier: discoveryId });
    expect(got.json).toMatchObject({
      Status: 'SUCCEEDED',
      DiscoveryType: 'CLOUD',
      AccountAssociationId: state.associationId,
    });
    const devices = await mi('ListDiscoveredDevices', { Identifier: discoveryId });
    expect(devices.json.Items).toEqual([
      expect.objectContaining({
        ConnectorDeviceId: 'fan-1',
        DeviceTypes: ['Fan'],
        Modification: 'DISCOVERED',
      }),
    ]);
    const status = emu.app.managedIntegrations.hub
      .recent({ eventType: 'DEVICE_DISCOVERY_STATUS' })
      .at(-1);
    expect(status?.payload).toEqual({
      deviceCount: 1,
      deviceDiscoveryId: discoveryId,
      status: 'SUCCEEDED',
    });
  });

  it('creates a managed thing from the discovered device', async () => {
    const created = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${state.discoveryId}:fan-1`,
      Name: 'Fan',
    });
    expect(created.status, created.text).toBe(201);
    state.thingId = created.json.Id as string;
    const got = await mi('GetManagedThing', { Identifier: state.thingId });
    // Not registered to the account association yet: the customer decides (below).
    expect(got.json).toMatchObject({
      ConnectorDeviceId: 'fan-1',
      ProvisioningStatus: 'UNASSOCIATED',
      Role: 'DEVICE',
    });
    const caps = await mi('GetManagedThingCapabilities', { Identifier: state.thingId });
    const report = caps.json.CapabilityReport as {
      endpoints: Array<{ capabilities: Array<{ id: string; properties: string[] }> }>;
    };
    expect(report.endpoints[0]?.capabilities.map((c) => c.id)).toEqual([
      'matter.OnOff@1.4',
      'matter.FanControl@1.4',
    ]);
    expect(report.endpoints[0]?.capabilities[1]?.properties).toContain('FanMode');
    const listed = await mi('ListManagedThings', { ConnectorDeviceIdFilter: 'fan-1' });
    expect((listed.json.Items as unknown[]).length).toBe(1);
  });

  it('RegisterAccountAssociation registers the thing to the association (ACTIVATED)', async () => {
    const thing = state.thingId as string;
    const unregistered = await mi('ListManagedThingAccountAssociations', { ManagedThingId: thing });
    expect(unregistered.json.Items).toEqual([]);
    const reg = await mi('RegisterAccountAssociation', {
      ManagedThingId: thing,
      AccountAssociationId: state.associationId as string,
      DeviceDiscoveryId: state.discoveryId as string,
    });
    expect(reg.status, reg.text).toBe(201);
    expect(reg.json).toEqual({
      ManagedThingId: thing,
      AccountAssociationId: state.associationId,
      DeviceDiscoveryId: state.discoveryId,
    });
    const got = await mi('GetManagedThing', { Identifier: thing });
    expect(got.json).toMatchObject({ ProvisioningStatus: 'ACTIVATED' });
    expect(typeof got.json.ActivatedAt).toBe('number');
    const lifecycle = emu.app.managedIntegrations.hub
      .recent({ eventType: 'DEVICE_LIFE_CYCLE' })
      .at(-1);
    expect(lifecycle?.payload).toEqual({ managedThingId: thing, status: 'ACTIVATED' });
  });

  it('/_local/state lists resources and never exposes tokens', async () => {
    const res = await request(`${emu.url}/_local/state`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(text) as Record<string, unknown[]>;
    expect(body.cloudConnectors?.length).toBe(1);
    expect(body.managedThings?.length).toBe(1);
    expect(text).not.toMatch(/"at-\d+"|"rt-\d+"|accessToken|refreshToken/);
  });

  it('DeleteAccountAssociation is refused while a thing is registered, then invokes AWS.DeactivateUser', async () => {
    const refused = await mi('DeleteAccountAssociation', {
      AccountAssociationId: state.associationId as string,
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(refused.json.Message).toMatch(
      /1 managed thing is still registered.*DeregisterAccountAssociation/,
    );
    const dereg = await mi('DeregisterAccountAssociation', {
      ManagedThingId: state.thingId as string,
      AccountAssociationId: state.associationId as string,
    });
    expect(dereg.status, dereg.text).toBe(200);
    const res = await mi('DeleteAccountAssociation', {
      AccountAssociationId: state.associationId as string,
    });
    expect(res.status, res.text).toBe(200);
    const last = invocations().at(-1)?.event;
    expect(last?.payload.operationName).toBe('AWS.DeactivateUser');
    expect(
      (await mi('GetAccountAssociation', { AccountAssociationId: state.associationId as string }))
        .status,
    ).toBe(404);
  });
});
