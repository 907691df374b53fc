import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { formatIssue, validateOperationOutput } from '@c2c-kit/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { createOAuthClientSecret } from './helpers/c2c-stack.js';
import { TEST_CREDENTIALS } from './helpers/credentials.js';
import { miClient } from './helpers/mi-client.js';
import { startOAuthServer } from './helpers/oauth-server.js';
import { sdkClientConfig } from './helpers/sign.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'connectors', 'recording-connector.mjs');
const ACCOUNT = TEST_CREDENTIALS.accountId;

let emu: RunningEmulator;
let oauth: Awaited<ReturnType<typeof startOAuthServer>>;
let dir: string;
let recordFile: string;
let mi: ReturnType<typeof miClient>;
const outputIssues: string[] = [];
let functionArn: string;
let secret: { arn: string; versionId: string };

function invocations(): Array<{
  event: { header: { auth: Record<string, unknown> }; payload: Record<string, unknown> };
}> {
  const text = readFileSync(recordFile, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emu-flow-'));
  recordFile = join(dir, 'record.jsonl');
  writeFileSync(recordFile, '');
  emu = await startEmulator({
    memory: true,
    credentials: [TEST_CREDENTIALS],
    // Short enough for the unanswered-command test, long enough for the answered ones.
    invoke: { backoffMs: 5, timeoutMs: 5000, responseWaitMs: 1500 },
  });
  oauth = await startOAuthServer();
  const raw = miClient(emu.url);
  // Every successful response must validate against the model's output shape (protocol's
  // generated validators). Known deviation: OAuthAuthorizationUrl is http:// for a local authUrl.
  mi = (async (name, input) => {
    const res = await raw(name, input);
    if (res.status < 300) {
      const checked = validateOperationOutput(name, res.json);
      if (!checked.ok) {
        for (const issue of checked.issues) {
          if (issue.path === 'OAuthAuthorizationUrl') continue;
          outputIssues.push(`${name}: ${formatIssue(issue)}`);
        }
      }
    }
    return res;
  }) as typeof raw;
  functionArn = emu.app.lambdaHost.registerFunction({
    name: 'acme-connector',
    handler: FIXTURE,
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

/** A destination's oAuth AuthConfig that authorizes against this file's test OAuth server. */
function oAuthWithTestServer(
  tokenEndpointAuthenticationScheme: 'HTTP_BASIC' | 'REQUEST_BODY_CREDENTIALS',
  options: { scope?: string; oAuthCompleteRedirectUrl?: string } = {},
) {
  return {
    oAuth: {
      authUrl: `${oauth.url}/authorize`,
      tokenUrl: `${oauth.url}/token`,
      ...options,
      tokenEndpointAuthenticationScheme,
    },
  };
}

/**
 * CreateAccountAssociation on a destination, then the OAuth redirect back to the emulator as the
 * user's browser would follow it, with `code` (the test server grants `good-code` only).
 */
async function associateReturningCode(destinationId: string, code: string) {
  const created = await mi('CreateAccountAssociation', { ConnectorDestinationId: destinationId });
  const state = new URL(created.json.OAuthAuthorizationUrl as string).searchParams.get('state');
  const callback = await request(`${emu.url}/_local/oauth/callback?code=${code}&state=${state}`);
  return { associationId: created.json.AccountAssociationId as string, callback };
}

afterAll(async () => {
  expect(outputIssues).toEqual([]);
  // Every notification the flow produced passed protocol's validator.
  expect(emu.app.managedIntegrations.hub.stats.invalid).toBe(0);
  await emu?.close();
  await oauth?.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('managed integrations: connector → association → discovery → thing → events/commands', () => {
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
      AuthConfig: oAuthWithTestServer('HTTP_BASIC', { scope: 'devices:read devices:write' }),
      SecretsManager: secret,
    });
    expect(res.status, res.text).toBe(201);
    state.destinationId = res.json.Id as string;
    const bad = await mi('CreateConnectorDestination', {
      CloudConnectorId: state.connectorId as string,
      AuthConfig: oAuthWithTestServer('HTTP_BASIC'),
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

  it('DEVICE_EVENT updates the thing state and notifies the customer in named-capability form', async () => {
    const res = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EVENT',
      UserId: 'user-1',
      ConnectorDeviceId: 'fan-1',
      // The docs' array-of-objects attribute form; normalised to the map form.
      MatterEndpoint: {
        id: '1',
        clusters: [{ id: '0x0202', attributes: [{ '0x0000': 3 }] as never }],
      },
    });
    expect(res.status, res.text).toBe(202);
    const stateRes = await mi('GetManagedThingState', { ManagedThingId: state.thingId as string });
    expect(stateRes.json.Endpoints).toEqual([
      {
        endpointId: '1',
        capabilities: [
          expect.objectContaining({
            id: 'matter.FanControl@1.4',
            properties: [{ name: 'FanMode', value: 3 }],
          }),
        ],
      },
    ]);
    const note = emu.app.managedIntegrations.hub
      .recent({ account: ACCOUNT, eventType: 'DEVICE_EVENT' })
      .at(-1);
    expect(note).toMatchObject({
      messageType: 'DEVICE_EVENT',
      source: 'aws.iotmanagedintegrations',
      customerAccountId: ACCOUNT,
      payload: {
        endpoints: [
          {
            endpointId: '1',
            capabilities: [
              { id: 'matter.FanControl@1.4', properties: [{ name: 'FanMode', value: 3 }] },
            ],
          },
        ],
      },
    });
  });

  it('SendManagedThingCommand → 202 TraceId, AWS.SendCommand in Matter ids, DEVICE_COMMAND_RESPONSE completes it', async () => {
    const res = await mi('SendManagedThingCommand', {
      ManagedThingId: state.thingId as string,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'On' }] },
          ],
        },
      ],
    });
    expect(res.status, res.text).toBe(202);
    const traceId = res.json.TraceId as string;
    expect(traceId).toMatch(/^[a-zA-Z0-9:=_-]+$/);
    await emu.app.managedIntegrations.drain();
    const send = invocations().at(-1)?.event;
    expect(send?.payload).toMatchObject({
      operationName: 'AWS.SendCommand',
      traceId,
      connectorDeviceId: 'fan-1',
      endpoints: [{ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }],
    });
    const done = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      TraceId: traceId,
      StatusCode: 200,
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
    });
    expect(done.status, done.text).toBe(202);
    const note = emu.app.managedIntegrations.hub.recent({ eventType: 'DEVICE_COMMAND' }).at(-1);
    expect(note?.payload).toMatchObject({ traceId, result: 'succeeded' });
    const st = await mi('GetManagedThingState', { ManagedThingId: state.thingId as string });
    expect(JSON.stringify(st.json)).toContain('"name":"OnOff","value":true');
  });

  it('a failed DEVICE_COMMAND_RESPONSE reaches the customer as a failure with its reason', async () => {
    const res = await mi('SendManagedThingCommand', {
      ManagedThingId: state.thingId as string,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'Off' }] },
          ],
        },
      ],
    });
    const traceId = res.json.TraceId as string;
    await emu.app.managedIntegrations.drain();
    const failed = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      TraceId: traceId,
      StatusCode: 503,
      Message: 'device fan-1 is offline',
      MatterEndpoint: {
        id: '1',
        clusters: [{ id: '0x0006', commands: { '0x00': { responseCode: 503 } } }],
      },
    });
    expect(failed.status, failed.text).toBe(202);
    const hub = emu.app.managedIntegrations.hub;
    const command = hub.recent({ eventType: 'DEVICE_COMMAND' }).at(-1);
    expect(command?.payload).toMatchObject({ traceId, result: 'failed' });
    const report = hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' }).at(-1);
    expect(report?.payload).toMatchObject({
      statusCode: 503,
      operation: 'AWS.SendCommand',
      traceId,
      connectorDeviceId: 'fan-1',
      managedThingId: state.thingId,
      message:
        'AWS.SendCommand operation failed during invocation of the connector: Connector response exception: responseCode=503, responseMessage=device fan-1 is offline',
    });
  });

  it('a command whose response never arrives fails after the service wait (504 report)', async () => {
    const res = await mi('SendManagedThingCommand', {
      ManagedThingId: state.thingId as string,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'Toggle' }] },
          ],
        },
      ],
    });
    const traceId = res.json.TraceId as string;
    await emu.app.managedIntegrations.drain();
    // The recording connector ACKs and never answers.
    const hub = emu.app.managedIntegrations.hub;
    await expect
      .poll(() => hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' }).at(-1)?.payload, {
        timeout: 10_000,
      })
      .toMatchObject({
        statusCode: 504,
        traceId,
        message: expect.stringContaining('no DEVICE_COMMAND_RESPONSE within 1500 ms'),
      });
    expect(hub.recent({ eventType: 'DEVICE_COMMAND' }).at(-1)?.payload).toMatchObject({
      traceId,
      result: 'failed',
    });
  });

  it('events for unknown connectors, users or devices are 404s naming what is unknown, and kept in the rejected log', async () => {
    const unknownConnector = await mi('SendConnectorEvent', {
      ConnectorId: 'no-such-connector',
      Operation: 'DEVICE_EVENT',
    });
    expect(unknownConnector.status).toBe(404);
    expect(unknownConnector.json).toMatchObject({ ResourceType: 'CloudConnector' });

    const unknownUser = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EVENT',
      UserId: 'stranger',
      ConnectorDeviceId: 'fan-1',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 1 } }] },
    });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(unknownUser.json.Message).toMatch(/^UserId:/);
    const unknownDevice = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EVENT',
      UserId: 'user-1',
      ConnectorDeviceId: 'ghost',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 1 } }] },
    });
    expect(unknownDevice.status).toBe(404);
    expect(unknownDevice.json.Message).toMatch(/^ConnectorDeviceId:/);
    const rejected = await request(`${emu.url}/_local/rejected`);
    const items = (
      (await rejected.body.json()) as {
        Items: Array<{ reason: string; body: { ConnectorDeviceId?: string } }>;
      }
    ).Items;
    expect(items.map((i) => i.body.ConnectorDeviceId)).toEqual(
      expect.arrayContaining(['ghost', 'fan-1']),
    );
  });

  it('Deregister/RegisterAccountAssociation unlink and relink the thing (events follow)', async () => {
    const event = {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EVENT' as const,
      UserId: 'user-1',
      ConnectorDeviceId: 'fan-1',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 2 } }] },
    };
    const listed = await mi('ListManagedThingAccountAssociations', {
      ManagedThingId: state.thingId as string,
    });
    expect(listed.json.Items).toEqual([
      {
        ManagedThingId: state.thingId,
        AccountAssociationId: state.associationId,
        ManagedThingAssociationStatus: 'ASSOCIATED',
      },
    ]);
    const dereg = await mi('DeregisterAccountAssociation', {
      ManagedThingId: state.thingId as string,
      AccountAssociationId: state.associationId as string,
    });
    expect(dereg.status, dereg.text).toBe(200);
    // Detached: accepted from the connector, relayed to no customer.
    const relayed = () => emu.app.managedIntegrations.hub.recent({ eventType: 'DEVICE_EVENT' });
    const before = relayed().length;
    expect((await mi('SendConnectorEvent', event)).status).toBe(202);
    expect(relayed()).toHaveLength(before);
    const reg = await mi('RegisterAccountAssociation', {
      ManagedThingId: state.thingId as string,
      AccountAssociationId: state.associationId as string,
      DeviceDiscoveryId: state.discoveryId as string,
    });
    expect(reg.status, reg.text).toBe(201);
    expect((await mi('SendConnectorEvent', event)).status).toBe(202);
    expect(relayed()).toHaveLength(before + 1);
  });

  it('invalid SendConnectorEvent input → 400 ValidationException naming the field', async () => {
    const res = await mi('SendConnectorEvent', {
      ConnectorId: state.connectorId as string,
      Operation: 'DEVICE_EXPLODED' as never,
    });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(res.json.Message).toContain('Operation');
  });

  it('refreshes an expired access token with the refresh token before invoking the connector', async () => {
    const row = emu.app.managedIntegrations.stores.associations.get(state.associationId as string);
    if (row === undefined) throw new Error('association missing');
    emu.app.managedIntegrations.stores.associations.put(
      row,
      row.id,
      {
        ...row.doc,
        tokens: { ...(row.doc.tokens as { accessToken: string }), expiresAt: Date.now() - 1000 },
      },
      { k1: row.doc.ConnectorDestinationId, k3: `${row.doc.connectorId}|${row.doc.userId}` },
    );
    const started = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: state.associationId as string,
    });
    expect(started.status).toBe(201);
    await emu.app.managedIntegrations.drain();
    expect(oauth.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', via: 'basic' });
    expect(invocations().at(-1)?.event.header.auth).toEqual({ type: 'OAuth2.0', token: 'at-2' });
  });

  it('a failing connector is retried 5 times, then a CONNECTOR_ERROR_REPORT is published', async () => {
    const failing = emu.app.lambdaHost.registerFunction({
      name: 'failing-connector',
      handler: FIXTURE,
      environment: { RECORD_FILE: recordFile, FAIL_OPS: 'AWS.DiscoverDevices' },
    });
    const c = await mi('CreateCloudConnector', {
      Name: 'failing',
      EndpointConfig: { lambda: { arn: failing.arn } },
    });
    const connectorId = c.json.Id as string;
    // Re-point the existing destination's association at the failing connector via a new chain.
    const d = await mi('CreateConnectorDestination', {
      CloudConnectorId: connectorId,
      AuthConfig: oAuthWithTestServer('REQUEST_BODY_CREDENTIALS'),
      SecretsManager: secret,
    });
    const { associationId, callback: cb } = await associateReturningCode(
      d.json.Id as string,
      'good-code',
    );
    expect(cb.statusCode).toBe(200);
    await cb.body.dump();
    expect(oauth.calls.at(-1)).toMatchObject({ via: 'body', clientId: 'acme-client' });
    const before = invocations().length;
    const started = await mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    await emu.app.managedIntegrations.drain();
    const attempts = invocations()
      .slice(before)
      .filter((i) => i.event.payload.operationName === 'AWS.DiscoverDevices');
    expect(attempts).toHaveLength(6);
    const report = emu.app.managedIntegrations.hub
      .recent({ eventType: 'CONNECTOR_ERROR_REPORT' })
      .at(-1);
    expect(report?.payload).toMatchObject({
      operation: 'AWS.DiscoverDevices',
      logLevel: 'ERROR',
      statusCode: 500,
    });
    const got = await mi('GetDeviceDiscovery', { Identifier: started.json.Id as string });
    expect(got.json.Status).toBe('FAILED');
  });

  it('a refused code marks the association failed and redirects to oAuthCompleteRedirectUrl with the error', async () => {
    const d = await mi('CreateConnectorDestination', {
      CloudConnectorId: state.connectorId as string,
      AuthConfig: oAuthWithTestServer('HTTP_BASIC', {
        oAuthCompleteRedirectUrl: 'https://app.example.com/linked',
      }),
      SecretsManager: secret,
    });
    const { associationId, callback: cb } = await associateReturningCode(
      d.json.Id as string,
      'wrong-code',
    );
    expect(cb.statusCode).toBe(302);
    const location = new URL(cb.headers.location as string);
    expect(location.origin + location.pathname).toBe('https://app.example.com/linked');
    expect(location.searchParams.get('error')).toBe('token_exchange_failed');
    await cb.body.dump();
    const got = await mi('GetAccountAssociation', { AccountAssociationId: associationId });
    expect(got.json.AssociationState).toBe('ASSOCIATION_FAILED');
    expect(got.json.ErrorMessage).toMatch(/^[A-Za-z0-9\-_ ]+$/);
  });

  it('/_local/state lists resources and never exposes tokens', async () => {
    const res = await request(`${emu.url}/_local/state`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(text) as Record<string, unknown[]>;
    expect(body.cloudConnectors?.length).toBeGreaterThanOrEqual(2);
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
