// The registration custom-resource handler against the running emulator: CloudFormation events
// in, signed managed-integrations calls out, and the answer PUT to a local server that plays
// CloudFormation's response URL.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomResourceEvent, CustomResourceResponse } from '../src/index.js';
import { createRegistrationHandler } from '../src/index.js';
import { registrationDepsFromEnv } from '../src/registration/handler.js';

interface Received {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  body: CustomResourceResponse;
}

let emulator: RunningEmulator;
let responseServer: Server;
let responseUrl: string;
const received: Received[] = [];
let api: ManagedIntegrationsClient;
let handle: (event: CustomResourceEvent) => Promise<CustomResourceResponse>;
let clientSecretArn: string;
let apiKeyArn: string;
let lambdaArn: string;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/acme/0b1c2d3e';
let requests = 0;

/** A CloudFormation custom-resource request as the service sends it. */
function event(
  type: CustomResourceEvent['RequestType'],
  resourceType: string,
  props: Record<string, unknown>,
  extra: Partial<CustomResourceEvent> = {},
): CustomResourceEvent {
  requests++;
  return {
    RequestType: type,
    ResponseURL: `${responseUrl}/response/${requests}?X-Amz-Signature=abc`,
    StackId: STACK_ID,
    RequestId: `request-${requests}`,
    LogicalResourceId:
      resourceType === 'Custom::C2cCloudConnector' ? 'CloudConnector' : 'Destination',
    ResourceType: resourceType,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:reg',
      ...props,
    },
    ...extra,
  };
}

/** Runs one event through the handler; returns what reached the response URL. */
async function run(e: CustomResourceEvent): Promise<CustomResourceResponse> {
  const before = received.length;
  await handle(e);
  expect(received).toHaveLength(before + 1);
  return (received.at(-1) as Received).body;
}

const CONNECTOR = 'Custom::C2cCloudConnector';
const DESTINATION = 'Custom::C2cConnectorDestination';

beforeAll(async () => {
  emulator = await startEmulator({ memory: true });
  responseServer = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: JSON.parse(text) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => responseServer.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(responseServer.address() as AddressInfo).port}`;
  const { accessKeyId, secretAccessKey, accountId } = emulator.credentials;
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_ENDPOINT_URL: emulator.url,
  };
  handle = createRegistrationHandler({ ...registrationDepsFromEnv(env), log: () => {} });
  api = new ManagedIntegrationsClient({ env });
  lambdaArn = `arn:aws:lambda:us-east-1:${accountId}:function:acme-connector`;
  const sm = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId, secretAccessKey },
  });
  const oauthSecret = await sm.send(
    new CreateSecretCommand({
      Name: 'acme/oauth-client',
      SecretString: JSON.stringify({ clientId: 'c2c-kit-connector', clientSecret: 'shh' }),
    }),
  );
  clientSecretArn = oauthSecret.ARN as string;
  apiKeyArn = (await sm.send(new CreateSecretCommand({ Name: 'acme/api-key', SecretString: 'k' })))
    .ARN as string;
  sm.destroy();
});

afterAll(async () => {
  api?.close();
  await new Promise((resolve) => responseServer?.close(resolve));
  await emulator?.close();
});

const oauthProps = () => ({
  authUrl: 'https://auth.acme.example/oauth/authorize',
  tokenUrl: 'https://auth.acme.example/oauth/token',
  tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
  // CloudFormation passes every scalar as a string.
  proactiveRefreshTokenRenewal: { enabled: 'true', DaysBeforeRenewal: '30' },
  clientSecretArn,
});

describe('Custom::C2cCloudConnector', () => {
  let created: CustomResourceResponse;
  let createEvent: CustomResourceEvent;

  it('Create registers the connector and answers SUCCESS with its id, as cfn-response does', async () => {
    createEvent = event('Create', CONNECTOR, { Name: 'acme-fans', LambdaArn: lambdaArn });
    created = await run(createEvent);
    expect(created).toMatchObject({
      Status: 'SUCCESS',
      StackId: STACK_ID,
      RequestId: createEvent.RequestId,
      LogicalResourceId: 'CloudConnector',
      Data: { Id: created.PhysicalResourceId },
    });
    const put = received.at(-1) as Received;
    expect(put.method).toBe('PUT');
    expect(put.headers['content-type']).toBe('');
    const got = await api.call('GetCloudConnector', { Identifier: created.PhysicalResourceId });
    expect(got).toMatchObject({
      Name: 'acme-fans',
      EndpointType: 'LAMBDA',
      EndpointConfig: { lambda: { arn: lambdaArn } },
    });
  });

  it('a repeated Create (same request, same ClientToken) makes nothing new', async () => {
    const before = received.length;
    await handle(createEvent);
    const again = received[before]?.body;
    expect(again).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
    const list = await api.call('ListCloudConnectors', { LambdaArn: lambdaArn });
    expect(list.Items?.map((c) => c.Id)).toEqual([created.PhysicalResourceId]);
  });

  it('Update renames in place; another Lambda is a new connector', async () => {
    const renamed = await run(
      event(
        'Update',
        CONNECTOR,
        { Name: 'acme-fans-2', Description: 'Acme fans', LambdaArn: lambdaArn },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: { Name: 'acme-fans', LambdaArn: lambdaArn },
        },
      ),
    );
    expect(renamed).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
    expect(
      await api.call('GetCloudConnector', { Identifier: created.PhysicalResourceId }),
    ).toMatchObject({
      Name: 'acme-fans-2',
      Description: 'Acme fans',
    });

    const otherArn = `${lambdaArn}-v2`;
    const moved = await run(
      event(
        'Update',
        CONNECTOR,
        { Name: 'acme-fans-v2', LambdaArn: otherArn },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: { Name: 'acme-fans-2', LambdaArn: lambdaArn },
        },
      ),
    );
    expect(moved.Status).toBe('SUCCESS');
    expect(moved.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    // CloudFormation then deletes the old physical resource.
    const cleanup = await run(
      event('Delete', CONNECTOR, {}, { PhysicalResourceId: created.PhysicalResourceId }),
    );
    expect(cleanup.Status).toBe('SUCCESS');
    await expect(
      api.call('GetCloudConnector', { Identifier: created.PhysicalResourceId }),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await run(event('Delete', CONNECTOR, {}, { PhysicalResourceId: moved.PhysicalResourceId }));
  });

  it('Delete of a connector already gone still succeeds (stack deletion stays clean)', async () => {
    const gone = await run(
      event(
        'Delete',
        CONNECTOR,
        { Name: 'x', LambdaArn: lambdaArn },
        { PhysicalResourceId: created.PhysicalResourceId },
      ),
    );
    expect(gone).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
  });
});

describe('Custom::C2cConnectorDestination', () => {
  let connectorId: string;

  beforeAll(async () => {
    connectorId = (
      await run(event('Create', CONNECTOR, { Name: 'acme-dest', LambdaArn: lambdaArn }))
    ).PhysicalResourceId;
  });

  it('Create (OAuth) stores the secret by ARN and its current version id', async () => {
    const created = await run(
      event('Create', DESTINATION, {
        CloudConnectorId: connectorId,
        Name: 'acme',
        OAuth: oauthProps(),
      }),
    );
    expect(created.Status).toBe('SUCCESS');
    const got = await api.call('GetConnectorDestination', {
      Identifier: created.PhysicalResourceId,
    });
    expect(got).toMatchObject({
      CloudConnectorId: connectorId,
      Name: 'acme',
      AuthType: 'OAUTH',
      AuthConfig: {
        oAuth: {
          authUrl: 'https://auth.acme.example/oauth/authorize',
          tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
          proactiveRefreshTokenRenewal: { enabled: true, DaysBeforeRenewal: 30 },
        },
      },
      SecretsManager: {
        arn: clientSecretArn,
        versionId: expect.stringMatching(/^[a-zA-Z0-9-_]{32,64}$/),
      },
    });
  });

  it('Update changes the redirect URL in place; another token URL is a new destination', async () => {
    const created = await run(
      event('Create', DESTINATION, { CloudConnectorId: connectorId, OAuth: oauthProps() }),
    );
    const id = created.PhysicalResourceId;
    const redirect = { ...oauthProps(), oAuthCompleteRedirectUrl: 'https://acme.example/linked' };
    const inPlace = await run(
      event(
        'Update',
        DESTINATION,
        { CloudConnectorId: connectorId, Name: 'renamed', OAuth: redirect },
        {
          PhysicalResourceId: id,
          OldResourceProperties: { CloudConnectorId: connectorId, OAuth: oauthProps() },
        },
      ),
    );
    expect(inPlace).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(await api.call('GetConnectorDestination', { Identifier: id })).toMatchObject({
      Name: 'renamed',
      OAuthCompleteRedirectUrl: 'https://acme.example/linked',
    });

    const moved = await run(
      event(
        'Update',
        DESTINATION,
        {
          CloudConnectorId: connectorId,
          OAuth: { ...redirect, tokenUrl: 'https://auth.acme.example/v2/token' },
        },
        {
          PhysicalResourceId: id,
          OldResourceProperties: { CloudConnectorId: connectorId, OAuth: redirect },
        },
      ),
    );
    expect(moved.Status).toBe('SUCCESS');
    expect(moved.PhysicalResourceId).not.toBe(id);
    expect(await run(event('Delete', DESTINATION, {}, { PhysicalResourceId: id }))).toMatchObject({
      Status: 'SUCCESS',
    });
    await expect(api.call('GetConnectorDestination', { Identifier: id })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('Create (General Authorization) lists each material with its secret version', async () => {
    const created = await run(
      event('Create', DESTINATION, {
        CloudConnectorId: connectorId,
        GeneralAuthorization: [{ AuthMaterialName: 'apiKey', SecretArn: apiKeyArn }],
      }),
    );
    expect(created.Status).toBe('SUCCESS');
    const got = await api.call('GetConnectorDestination', {
      Identifier: created.PhysicalResourceId,
    });
    expect(got.AuthConfig?.GeneralAuthorization).toEqual([
      {
        AuthMaterialName: 'apiKey',
        SecretsManager: { arn: apiKeyArn, versionId: expect.any(String) },
      },
    ]);
  });

  it('a refused Create answers FAILED with the reason; its rollback Delete succeeds', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/none-AbCdEf';
    const failed = await run(
      event('Create', DESTINATION, {
        CloudConnectorId: connectorId,
        OAuth: { ...oauthProps(), clientSecretArn: missing },
      }),
    );
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/ResourceNotFoundException/);
    expect(failed.PhysicalResourceId).toMatch(/^c2c-not-created-request-\d+$/);
    const rollback = await run(
      event('Delete', DESTINATION, {}, { PhysicalResourceId: failed.PhysicalResourceId }),
    );
    expect(rollback).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: failed.PhysicalResourceId,
    });
  });

  it('properties it cannot act on fail with the property named', async () => {
    const both = await run(
      event('Create', DESTINATION, {
        CloudConnectorId: connectorId,
        OAuth: oauthProps(),
        GeneralAuthorization: [],
      }),
    );
    expect(both).toMatchObject({
      Status: 'FAILED',
      Reason: 'RegistrationError: expected exactly one of OAuth and GeneralAuthorization',
    });
    const noUrl = await run(
      event('Create', DESTINATION, {
        CloudConnectorId: connectorId,
        OAuth: { ...oauthProps(), authUrl: '' },
      }),
    );
    expect(noUrl.Reason).toBe(
      'RegistrationError: OAuth.authUrl: expected a non-empty string, got string',
    );
  });

  it('stack deletion: destination, then connector, both gone', async () => {
    const dest = await run(
      event('Create', DESTINATION, { CloudConnectorId: connectorId, OAuth: oauthProps() }),
    );
    expect(
      (await run(event('Delete', DESTINATION, {}, { PhysicalResourceId: dest.PhysicalResourceId })))
        .Status,
    ).toBe('SUCCESS');
    expect(
      (await run(event('Delete', CONNECTOR, {}, { PhysicalResourceId: connectorId }))).Status,
    ).toBe('SUCCESS');
    await expect(api.call('GetCloudConnector', { Identifier: connectorId })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
