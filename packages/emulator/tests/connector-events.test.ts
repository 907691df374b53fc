import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { checkingOutputs, type MiCall } from './helpers/mi-client.js';

// A connector's events and the commands sent through it, on a linked, discovered and registered
// fan (`fan-1` of `user-1`): state and notifications, command outcomes, events nobody receives.

const ACCOUNT = TEST_CREDENTIALS.accountId;

let stack: Awaited<ReturnType<typeof startC2cStack>>;
let mi: MiCall;
const outputIssues: string[] = [];
const ids = { associationId: '', discoveryId: '', thingId: '' };

beforeAll(async () => {
  // Short enough for the unanswered-command test, long enough for the answered ones.
  stack = await startC2cStack({ invoke: { backoffMs: 5, timeoutMs: 5000, responseWaitMs: 1500 } });
  mi = checkingOutputs(stack.mi, outputIssues);
  Object.assign(ids, await stack.registeredThing());
});

afterAll(async () => {
  expect(outputIssues).toEqual([]);
  // Every notification the events produced passed protocol's validator.
  expect(stack?.emu.app.managedIntegrations.hub.stats.invalid).toBe(0);
  await stack?.close();
});

describe('connector events and commands on a registered thing', () => {
  it('DEVICE_EVENT updates the thing state and notifies the customer in named-capability form', async () => {
    const res = await mi('SendConnectorEvent', {
      ConnectorId: stack.connectorId,
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
    const stateRes = await mi('GetManagedThingState', { ManagedThingId: ids.thingId });
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
    const note = stack.emu.app.managedIntegrations.hub
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
      ManagedThingId: ids.thingId,
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
    await stack.emu.app.managedIntegrations.drain();
    const send = stack.invocations().at(-1)?.event;
    expect(send?.payload).toMatchObject({
      operationName: 'AWS.SendCommand',
      traceId,
      connectorDeviceId: 'fan-1',
      endpoints: [{ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }],
    });
    const done = await mi('SendConnectorEvent', {
      ConnectorId: stack.connectorId,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      TraceId: traceId,
      StatusCode: 200,
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
    });
    expect(done.status, done.text).toBe(202);
    const note = stack.emu.app.managedIntegrations.hub
      .recent({ eventType: 'DEVICE_COMMAND' })
      .at(-1);
    expect(note?.payload).toMatchObject({ traceId, result: 'succeeded' });
    const st = await mi('GetManagedThingState', { ManagedThingId: ids.thingId });
    expect(JSON.stringify(st.json)).toContain('"name":"OnOff","value":true');
  });

  it('a failed DEVICE_COMMAND_RESPONSE reaches the customer as a failure with its reason', async () => {
    const res = await mi('SendManagedThingCommand', {
      ManagedThingId: ids.thingId,
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
    await stack.emu.app.managedIntegrations.drain();
    const failed = await mi('SendConnectorEvent', {
      ConnectorId: stack.connectorId,
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
    const hub = stack.emu.app.managedIntegrations.hub;
    const command = hub.recent({ eventType: 'DEVICE_COMMAND' }).at(-1);
    expect(command?.payload).toMatchObject({ traceId, result: 'failed' });
    const report = hub.recent({ eventType: 'CONNECTOR_ERROR_REPORT' }).at(-1);
    expect(report?.payload).toMatchObject({
      statusCode: 503,
      operation: 'AWS.SendCommand',
      traceId,
      connectorDeviceId: 'fan-1',
      managedThingId: ids.thingId,
      message:
        'AWS.SendCommand operation failed during invocation of the connector: Connector response exception: responseCode=503, responseMessage=device fan-1 is offline',
    });
  });

  it('a command whose response never arrives fails after the service wait (504 report)', async () => {
    const res = await mi('SendManagedThingCommand', {
      ManagedThingId: ids.thingId,
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
    await stack.emu.app.managedIntegrations.drain();
    // The recording connector ACKs and never answers.
    const hub = stack.emu.app.managedIntegrations.hub;
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
      ConnectorId: stack.connectorId,
      Operation: 'DEVICE_EVENT',
      UserId: 'stranger',
      ConnectorDeviceId: 'fan-1',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 1 } }] },
    });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(unknownUser.json.Message).toMatch(/^UserId:/);
    const unknownDevice = await mi('SendConnectorEvent', {
      ConnectorId: stack.connectorId,
      Operation: 'DEVICE_EVENT',
      UserId: 'user-1',
      ConnectorDeviceId: 'ghost',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 1 } }] },
    });
    expect(unknownDevice.status).toBe(404);
    expect(unknownDevice.json.Message).toMatch(/^ConnectorDeviceId:/);
    const rejected = await request(`${stack.emu.url}/_local/rejected`);
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
      ConnectorId: stack.connectorId,
      Operation: 'DEVICE_EVENT' as const,
      UserId: 'user-1',
      ConnectorDeviceId: 'fan-1',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 2 } }] },
    };
    const listed = await mi('ListManagedThingAccountAssociations', {
      ManagedThingId: ids.thingId,
    });
    expect(listed.json.Items).toEqual([
      {
        ManagedThingId: ids.thingId,
        AccountAssociationId: ids.associationId,
        ManagedThingAssociationStatus: 'ASSOCIATED',
      },
    ]);
    const dereg = await mi('DeregisterAccountAssociation', {
      ManagedThingId: ids.thingId,
      AccountAssociationId: ids.associationId,
    });
    expect(dereg.status, dereg.text).toBe(200);
    // Detached: accepted from the connector, relayed to no customer.
    const relayed = () =>
      stack.emu.app.managedIntegrations.hub.recent({ eventType: 'DEVICE_EVENT' });
    const before = relayed().length;
    expect((await mi('SendConnectorEvent', event)).status).toBe(202);
    expect(relayed()).toHaveLength(before);
    const reg = await mi('RegisterAccountAssociation', {
      ManagedThingId: ids.thingId,
      AccountAssociationId: ids.associationId,
      DeviceDiscoveryId: ids.discoveryId,
    });
    expect(reg.status, reg.text).toBe(201);
    expect((await mi('SendConnectorEvent', event)).status).toBe(202);
    expect(relayed()).toHaveLength(before + 1);
  });

  it('events kept in the notification ring do not keep their requests alive', async () => {
    // The ring keeps each event's lazily built notifications; what they hold must not reach the
    // request (socket, logger, body), or every kept event pins one and ingest pays in GC.
    const requests: WeakRef<IncomingMessage>[] = [];
    const track = (req: IncomingMessage) => {
      if (req.url?.startsWith('/connector-event/')) requests.push(new WeakRef(req));
    };
    stack.emu.app.server.on('request', track);
    // Past the first 1000 events of a type (always validated, so built at once) the ring keeps
    // the notifications unbuilt.
    const events = 1100;
    try {
      for (let sent = 0; sent < events; sent += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            mi('SendConnectorEvent', {
              ConnectorId: stack.connectorId,
              Operation: 'DEVICE_EVENT',
              UserId: 'user-1',
              ConnectorDeviceId: 'fan-1',
              MatterEndpoint: {
                id: '1',
                clusters: [{ id: '0x0202', attributes: { '0x0000': (sent + i) % 4 } }],
              },
            }),
          ),
        );
        for (const res of answers) expect(res.status, res.text).toBe(202);
      }
    } finally {
      stack.emu.app.server.off('request', track);
    }
    expect(requests).toHaveLength(events);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // A keep-alive socket may still reach its last request; the others must all be gone.
    expect(requests.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(20);
  });

  it('invalid SendConnectorEvent input → 400 ValidationException naming the field', async () => {
    const res = await mi('SendConnectorEvent', {
      ConnectorId: stack.connectorId,
      Operation: 'DEVICE_EXPLODED' as never,
    });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(res.json.Message).toContain('Operation');
  });
});
