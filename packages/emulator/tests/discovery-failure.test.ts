import { fanReport } from '@c2c-kit/testing';
import { describe, expect, it } from 'vitest';
import { type C2cStack, useLinkedC2cStack } from './helpers/c2c-stack.js';

// A connector that cannot list the user's devices answers DEVICE_DISCOVERY with a StatusCode
// ≥ 300. The discovery then FAILED with the reason in a CONNECTOR_ERROR_REPORT — never SUCCEEDED
// with no devices — and a 401 (the vendor refused the user's token) makes the emulator check the
// link's tokens: a refused refresh leaves the association REFRESH_TOKEN_EXPIRED with the reason.

let stack: C2cStack;
let associationId: string;
useLinkedC2cStack((linked) => ({ stack, associationId } = linked));

/** StartDeviceDiscovery, answered by the connector with a failed DEVICE_DISCOVERY. */
async function failedDiscovery(statusCode: number, message: string): Promise<string> {
  const started = await stack.mi('StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: associationId,
  });
  expect(started.status, started.text).toBe(201);
  await stack.emu.app.managedIntegrations.drain();
  const id = started.json.Id as string;
  const event = await stack.mi('SendConnectorEvent', {
    ConnectorId: stack.connectorId,
    Operation: 'DEVICE_DISCOVERY',
    UserId: 'user-1',
    DeviceDiscoveryId: id,
    StatusCode: statusCode,
    Message: message,
    Devices: [],
  });
  expect(event.status, event.text).toBe(202);
  await stack.emu.app.managedIntegrations.drain();
  return id;
}

function latest(eventType: string) {
  return stack.emu.app.managedIntegrations.hub.recent({ eventType }).at(-1)?.payload as
    | Record<string, unknown>
    | undefined;
}

async function association() {
  const got = await stack.mi('GetAccountAssociation', { AccountAssociationId: associationId });
  return got.json;
}

describe('a connector answer that reports a failure', () => {
  it('500: the discovery FAILED, the report carries the reason, the link is untouched', async () => {
    const id = await failedDiscovery(500, 'Acme is down');
    const got = await stack.mi('GetDeviceDiscovery', { Identifier: id });
    expect(got.json.Status).toBe('FAILED');
    expect(typeof got.json.FinishedAt).toBe('number');
    expect(latest('DEVICE_DISCOVERY_STATUS')).toEqual({
      deviceCount: 0,
      deviceDiscoveryId: id,
      status: 'FAILED',
    });
    expect(latest('CONNECTOR_ERROR_REPORT')).toMatchObject({
      statusCode: 500,
      operation: 'AWS.DiscoverDevices',
      resourceId: [associationId],
      message: expect.stringContaining('responseCode=500, responseMessage=Acme is down'),
    });
    const listed = await stack.mi('ListDiscoveredDevices', { Identifier: id });
    expect(listed.json.Items).toEqual([]);
    expect(await association()).toMatchObject({ AssociationState: 'ASSOCIATION_SUCCEEDED' });
  });

  it('401 with a refresh the vendor accepts: the tokens are refreshed, the link stays', async () => {
    const refreshes = () => stack.oauth.calls.filter((c) => c.grantType === 'refresh_token').length;
    const before = refreshes();
    const id = await failedDiscovery(401, 'Acme refused the access token');
    expect((await stack.mi('GetDeviceDiscovery', { Identifier: id })).json.Status).toBe('FAILED');
    expect(latest('CONNECTOR_ERROR_REPORT')).toMatchObject({ statusCode: 401 });
    expect(refreshes()).toBe(before + 1);
    expect(await association()).toMatchObject({ AssociationState: 'ASSOCIATION_SUCCEEDED' });
  });

  it('401 and the refresh is refused too: REFRESH_TOKEN_EXPIRED with the reason', async () => {
    stack.oauth.refuseRefresh.value = true;
    try {
      await failedDiscovery(401, 'Acme refused the access token');
      const broken = await association();
      expect(broken.AssociationState).toBe('REFRESH_TOKEN_EXPIRED');
      expect(broken.ErrorMessage).toMatch(
        /^The vendor refused the access token in AWS DiscoverDevices HTTP 401 and refused the refresh token too - link the account again$/,
      );
      // ListAccountAssociations carries the same state and reason.
      const listed = await stack.mi('ListAccountAssociations', {});
      expect(listed.json.Items).toEqual([
        expect.objectContaining({
          AccountAssociationId: associationId,
          AssociationState: 'REFRESH_TOKEN_EXPIRED',
          ErrorMessage: broken.ErrorMessage,
        }),
      ]);
      expect(latest('ACCOUNT_ASSOCIATION')).toMatchObject({
        resourceId: associationId,
        state: 'REFRESH_TOKEN_EXPIRED',
        logLevel: 'ERROR',
      });
    } finally {
      stack.oauth.refuseRefresh.value = false;
    }
  });

  it('a DEVICE_COMMAND_RESPONSE with 401 checks the tokens the same way', async () => {
    const { mi, link, discover, register } = stack;
    const fresh = await link();
    const discovery = await discover(fresh, [{ id: 'fan-1', name: 'Fan', report: fanReport() }]);
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${discovery}:fan-1`,
    });
    await register(thing.json.Id as string, fresh, discovery);
    const sent = await mi('SendManagedThingCommand', {
      ManagedThingId: thing.json.Id as string,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'OnOff', version: '6', actions: [{ name: 'On' }] },
          ],
        },
      ],
    });
    expect(sent.status, sent.text).toBe(202);
    await stack.emu.app.managedIntegrations.drain();
    stack.oauth.refuseRefresh.value = true;
    try {
      const answer = await mi('SendConnectorEvent', {
        ConnectorId: stack.connectorId,
        Operation: 'DEVICE_COMMAND_RESPONSE',
        UserId: 'user-1',
        TraceId: sent.json.TraceId as string,
        StatusCode: 401,
        Message: 'Acme refused the access token',
      });
      expect(answer.status, answer.text).toBe(202);
      await stack.emu.app.managedIntegrations.drain();
      const got = await mi('GetAccountAssociation', { AccountAssociationId: fresh });
      expect(got.json.AssociationState).toBe('REFRESH_TOKEN_EXPIRED');
      expect(got.json.ErrorMessage).toMatch(/in AWS SendCommand HTTP 401/);
    } finally {
      stack.oauth.refuseRefresh.value = false;
    }
  });
});
