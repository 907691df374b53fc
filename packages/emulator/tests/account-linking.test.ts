import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { type C2cStack, RECORDING_CONNECTOR, useLinkedC2cStack } from './helpers/c2c-stack.js';
import { oAuthConfig } from './helpers/oauth-server.js';

// An account link's tokens and failures: refresh before an expired token is used, a connector
// that keeps failing, and a code the vendor refuses.

let stack: C2cStack;
let associationId: string;
useLinkedC2cStack((linked) => ({ stack, associationId } = linked));

/**
 * CreateAccountAssociation on a destination, then the OAuth redirect back to the emulator as the
 * user's browser would follow it, with `code` (the test server grants `good-code` only).
 */
async function associateReturningCode(destinationId: string, code: string) {
  const created = await stack.mi('CreateAccountAssociation', {
    ConnectorDestinationId: destinationId,
  });
  const state = new URL(created.json.OAuthAuthorizationUrl as string).searchParams.get('state');
  const callback = await request(
    `${stack.emu.url}/_local/oauth/callback?code=${code}&state=${state}`,
  );
  return { associationId: created.json.AccountAssociationId as string, callback };
}

describe('account links: token refresh and failures', () => {
  it('refreshes an expired access token with the refresh token before invoking the connector', async () => {
    const row = stack.emu.app.managedIntegrations.stores.associations.get(associationId);
    if (row === undefined) throw new Error('association missing');
    stack.emu.app.managedIntegrations.stores.associations.put(
      row,
      row.id,
      {
        ...row.doc,
        tokens: { ...(row.doc.tokens as { accessToken: string }), expiresAt: Date.now() - 1000 },
      },
      { k1: row.doc.ConnectorDestinationId, k3: `${row.doc.connectorId}|${row.doc.userId}` },
    );
    const started = await stack.mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    expect(started.status).toBe(201);
    await stack.emu.app.managedIntegrations.drain();
    expect(stack.oauth.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', via: 'basic' });
    expect(stack.invocations().at(-1)?.event.header.auth).toEqual({
      type: 'OAuth2.0',
      token: 'at-2',
    });
  });

  it('a failing connector is retried 5 times, then a CONNECTOR_ERROR_REPORT is published', async () => {
    const failing = stack.emu.app.lambdaHost.registerFunction({
      name: 'failing-connector',
      handler: RECORDING_CONNECTOR,
      environment: { RECORD_FILE: stack.recordFile, FAIL_OPS: 'AWS.DiscoverDevices' },
    });
    const c = await stack.mi('CreateCloudConnector', {
      Name: 'failing',
      EndpointConfig: { lambda: { arn: failing.arn } },
    });
    const connectorId = c.json.Id as string;
    // Re-point the existing destination's association at the failing connector via a new chain.
    const d = await stack.mi('CreateConnectorDestination', {
      CloudConnectorId: connectorId,
      AuthConfig: oAuthConfig(stack.oauth.url, 'REQUEST_BODY_CREDENTIALS'),
      SecretsManager: stack.secret,
    });
    const { associationId, callback: cb } = await associateReturningCode(
      d.json.Id as string,
      'good-code',
    );
    expect(cb.statusCode).toBe(200);
    await cb.body.dump();
    expect(stack.oauth.calls.at(-1)).toMatchObject({ via: 'body', clientId: 'acme-client' });
    const before = stack.invocations().length;
    const started = await stack.mi('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    await stack.emu.app.managedIntegrations.drain();
    const attempts = stack
      .invocations()
      .slice(before)
      .filter((i) => i.event.payload.operationName === 'AWS.DiscoverDevices');
    expect(attempts).toHaveLength(6);
    const report = stack.emu.app.managedIntegrations.hub
      .recent({ eventType: 'CONNECTOR_ERROR_REPORT' })
      .at(-1);
    expect(report?.payload).toMatchObject({
      operation: 'AWS.DiscoverDevices',
      logLevel: 'ERROR',
      statusCode: 500,
    });
    const got = await stack.mi('GetDeviceDiscovery', { Identifier: started.json.Id as string });
    expect(got.json.Status).toBe('FAILED');
  });

  it('a refused code marks the association failed and redirects to oAuthCompleteRedirectUrl with the error', async () => {
    const d = await stack.mi('CreateConnectorDestination', {
      CloudConnectorId: stack.connectorId,
      AuthConfig: oAuthConfig(stack.oauth.url, 'HTTP_BASIC', {
        oAuthCompleteRedirectUrl: 'https://app.example.com/linked',
      }),
      SecretsManager: stack.secret,
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
    const got = await stack.mi('GetAccountAssociation', { AccountAssociationId: associationId });
    expect(got.json.AssociationState).toBe('ASSOCIATION_FAILED');
    expect(got.json.ErrorMessage).toMatch(/^[A-Za-z0-9\-_ ]+$/);
  });
});
