// End to end against the running emulator (not a mock of it) and the simulated vendor cloud:
// the test connector is bundled with esbuild and runs in the emulator's Lambda host; the
// service invokes it, its work queue is the emulator's SQS with an event source mapping, and
// the vendor's signed webhooks arrive on its Function URL.

import { InvokeCommand } from '@aws-sdk/client-lambda';
import { fanModeEndpoints, until } from '@c2c-kit/testing';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../src/webhooks/verify.js';
import { useConnectorOnEmulator } from './helpers/connectorOnEmulator.js';
import { drainWork } from './helpers/drain.js';

const e2e = useConnectorOnEmulator();

describe('connector runtime against the emulator', () => {
  it('links an account: ActivateUser resolves the vendor user through the connector', async () => {
    e2e.state.associationId = await e2e.link('alice', 'alice-password');
    const got = await e2e.mi('GetAccountAssociation', {
      AccountAssociationId: e2e.state.associationId,
    });
    expect(got.json.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
  });

  it('discovery round trip: ACK, SQS work, DEVICE_DISCOVERY with the deviceDiscoveryId', async () => {
    const id = await e2e.discover(e2e.state.associationId as string);
    const devices = await e2e.mi('ListDiscoveredDevices', { Identifier: id });
    expect(devices.json.Items).toEqual([
      expect.objectContaining({
        ConnectorDeviceId: 'fan-1',
        ConnectorDeviceName: 'Living room fan',
      }),
    ]);
    const status = e2e.notes('DEVICE_DISCOVERY_STATUS').at(-1);
    expect(status?.payload).toMatchObject({
      deviceDiscoveryId: id,
      status: 'SUCCEEDED',
      deviceCount: 1,
    });
    // A new thing is UNASSOCIATED until the customer registers it to the link.
    e2e.state.thingId = await e2e.register(e2e.state.associationId as string, id, 'fan-1');
  });

  it('command round trip: FanMode High → vendor setMode → DEVICE_COMMAND_RESPONSE (succeeded) with the traceId', async () => {
    const sent = await e2e.mi('SendManagedThingCommand', {
      ManagedThingId: e2e.state.thingId as string,
      Endpoints: fanModeEndpoints(3),
    });
    expect(sent.status, sent.text).toBe(202);
    const traceId = sent.json.TraceId as string;
    const result = await until('DEVICE_COMMAND notification', () =>
      e2e.notes('DEVICE_COMMAND').find((n) => n.payload.traceId === traceId),
    );
    expect(result.payload.result).toBe('succeeded');
    const fan = e2e.vendor.simulation
      .allDevices()
      .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as
      | { state: { mode: string } }
      | undefined;
    expect(fan?.state.mode).toBe('high');
    e2e.state.traceId = traceId;
  });

  it("the seed's fan example: vendor webhook → DEVICE_EVENT → customer notification with FanMode High", async () => {
    // The command above made the vendor cloud emit a signed device.state webhook (source "command").
    await e2e.vendor.webhooks.idle();
    const event = await until('DEVICE_EVENT notification with FanMode 3', () =>
      e2e
        .notes('DEVICE_EVENT')
        .find((n) => JSON.stringify(n.payload).includes('"name":"FanMode","value":3')),
    );
    expect(JSON.stringify(event.payload)).toContain('matter.FanControl@1.4');
    const log = e2e.vendor.webhooks.log() as Array<{
      state: string;
      type: string;
      deviceId: string;
      attempts: Array<{ status?: number }>;
    }>;
    const delivery = log.find((d) => d.type === 'device.state' && d.deviceId === 'fan-1');
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.at(-1)?.status).toBe(202); // accepted by the connector's Function URL
    const stateNow = await e2e.mi('GetManagedThingState', {
      ManagedThingId: e2e.state.thingId as string,
    });
    expect(JSON.stringify(stateNow.json)).toContain('"name":"FanMode","value":3');
  });

  it('forged, expired and unsigned webhooks are rejected at the Function URL; a replay is not re-sent', async () => {
    const body = JSON.stringify({
      eventId: 'evt_x',
      type: 'device.state',
      deviceId: 'fan-1',
      kind: 'fan',
      userId: 'u',
      data: { mode: 'low' },
    });
    const post = async (headers: Record<string, string>) => {
      const res = await request(e2e.functionUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const now = Math.floor(Date.now() / 1000);
    const forged = signStandardWebhook({
      secret: 'whsec_Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0',
      id: 'evt_forged',
      timestamp: now,
      body,
    });
    expect((await post(forged)).status).toBe(401);
    const expired = signStandardWebhook({
      secret: e2e.vendor.webhooks.secret,
      id: 'evt_old',
      timestamp: now - 3600,
      body,
    });
    const expiredRes = await post(expired);
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.text).toContain('too old');
    expect((await post({})).status).toBe(400);
    // A genuine delivery replayed: the second copy is acknowledged but not sent again.
    const before = e2e.notes('DEVICE_EVENT').length;
    const users = (
      await e2e.mi('GetAccountAssociation', {
        AccountAssociationId: e2e.state.associationId as string,
      })
    ).json;
    expect(users.AssociationState).toBe('ASSOCIATION_SUCCEEDED');
    const { body: real, headers: signed } = e2e.fanWebhook('evt_replay', { mode: 'medium' });
    const first = await request(e2e.functionUrl, { method: 'POST', headers: signed, body: real });
    expect(first.statusCode, await first.body.text()).toBe(202);
    const second = await request(e2e.functionUrl, { method: 'POST', headers: signed, body: real });
    expect(second.statusCode).toBe(200);
    expect(await second.body.json()).toEqual({ status: 'duplicate', events: 1 });
    await until(
      'the replayed event once',
      () => e2e.notes('DEVICE_EVENT').length > before || undefined,
    );
    expect(e2e.notes('DEVICE_EVENT').length).toBe(before + 1);
  });

  it('duplicate SendCommand invocations (service retries) do not repeat vendor work or events', async () => {
    const commandsBefore = e2e.notes('DEVICE_COMMAND').length;
    const webhooksBefore = (e2e.vendor.webhooks.log() as unknown[]).length;
    const envelope = {
      header: { auth: { type: 'OAuth2.0', token: 'not-used-because-deduplicated' } },
      payload: {
        operationName: 'AWS.SendCommand',
        operationVersion: '1.0',
        connectorId: e2e.state.connectorId,
        traceId: e2e.state.traceId,
        connectorDeviceId: 'fan-1',
        endpoints: [{ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }],
      },
    };
    for (let i = 0; i < 2; i++) {
      const out = await e2e.lambda.send(
        new InvokeCommand({ FunctionName: e2e.FUNCTION, Payload: JSON.stringify(envelope) }),
      );
      expect(JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString())).toMatchObject({
        header: { responseCode: 200 },
      });
    }
    await drainWork(e2e.emu, e2e.state.workQueueUrl as string, e2e.vendor); // a wrong duplicate has run by now
    expect(e2e.notes('DEVICE_COMMAND').length).toBe(commandsBefore);
    expect((e2e.vendor.webhooks.log() as unknown[]).length).toBe(webhooksBefore);
  });

  it('malformed invocations get the error reply, not a crash', async () => {
    const out = await e2e.lambda.send(
      new InvokeCommand({
        FunctionName: e2e.FUNCTION,
        Payload: JSON.stringify({ payload: { operationName: 'AWS.Explode' } }),
      }),
    );
    expect(out.FunctionError).toBeUndefined();
    const reply = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString());
    expect(reply.header.responseCode).toBe(400);
    expect(reply.payload.responseMessage).toContain('payload.operationName');
  });
});
