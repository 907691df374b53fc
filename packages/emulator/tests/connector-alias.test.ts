import { CreateAliasCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { sdkClientConfig } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';

// A cloud connector registered against a qualified Lambda ARN runs that version or alias; one
// registered against an alias that does not exist fails when it is invoked, with Lambda's reason,
// as it would on AWS (CreateCloudConnector does not look the function up).

let stack: Awaited<ReturnType<typeof startC2cStack>>;
let lambda: LambdaClient;
let functionArn: string;

beforeAll(async () => {
  stack = await startC2cStack({ invoke: { backoffMs: 1, timeoutMs: 5000, retries: 1 } });
  lambda = new LambdaClient(sdkClientConfig(stack.emu.url));
  functionArn = stack.emu.app.lambdaHost.getFunction('acme-connector')?.arn as string;
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: functionArn }));
  await lambda.send(
    new CreateAliasCommand({ FunctionName: functionArn, Name: 'live', FunctionVersion: v.Version }),
  );
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
});

/** A connector on `lambdaArn`, linked for user-1, asked to discover: its error reports after. */
async function discoverThrough(lambdaArn: string) {
  const { mi, emu } = stack;
  const connector = await mi('CreateCloudConnector', {
    Name: `c-${lambdaArn.split(':').at(-1)}`,
    EndpointConfig: { lambda: { arn: lambdaArn } },
  });
  expect(connector.status, connector.text).toBe(201);
  const destination = await mi('CreateConnectorDestination', {
    CloudConnectorId: connector.json.Id as string,
    AuthType: 'OAUTH',
    AuthConfig: {
      oAuth: {
        authUrl: `${stack.oauth.url}/authorize`,
        tokenUrl: `${stack.oauth.url}/token`,
        tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
      },
    },
    // The OAuth client secret the stack's own destination uses.
    SecretsManager: (await mi('GetConnectorDestination', { Identifier: stack.destinationId })).json
      .SecretsManager as { arn: string; versionId: string },
  });
  expect(destination.status, destination.text).toBe(201);
  const association = await mi('CreateAccountAssociation', {
    ConnectorDestinationId: destination.json.Id as string,
  });
  expect(association.status, association.text).toBe(201);
  const state = new URL(association.json.OAuthAuthorizationUrl as string).searchParams.get('state');
  const callback = await request(`${emu.url}/_local/oauth/callback?code=good-code&state=${state}`);
  await callback.body.dump();
  const before = emu.app.managedIntegrations.hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' });
  const started = await mi('StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: association.json.AccountAssociationId as string,
  });
  expect(started.status, started.text).toBe(201);
  await emu.app.managedIntegrations.drain();
  const after = emu.app.managedIntegrations.hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' });
  return after.slice(before.length).map((n) => n.payload as Record<string, unknown>);
}

describe('a cloud connector on a qualified Lambda ARN', () => {
  it('runs through an alias that exists', async () => {
    expect(await discoverThrough(`${functionArn}:live`)).toEqual([]);
  });

  it('fails on invoke, with the reason, when the alias does not exist', async () => {
    const reports = await discoverThrough(`${functionArn}:missing`);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      operation: 'AWS.DiscoverDevices',
      statusCode: 500,
      message: expect.stringContaining(
        `ResourceNotFoundException: Function not found: ${functionArn}:missing`,
      ),
    });
  });
});
