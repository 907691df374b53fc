// Commands as the customer meets them, end to end: the reference connector (examples/acme-connector,
// bundled with esbuild) runs in the emulator's Lambda host on its SQS work queue, and talks to the
// simulated Acme cloud, which counts the commands it receives. Every command the connector supports
// completes; a vendor refusal, a re-delivered invocation and a vendor that never answers each end
// with exactly one visible outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RunningEmulator } from '@c2c-kit/emulator';
import { capabilityOf, getCluster } from '@c2c-kit/matter';
import { createTestQueue, FAST_INVOKE, startTestEmulator, until } from '@c2c-kit/testing';
import { buildVendorCloud, type VendorCloud } from '@c2c-kit/vendor-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './helpers/bundle.js';
import { drainWork } from './helpers/drain.js';
import { LOCAL_CREDENTIALS, miCaller, vendorLogin } from './helpers/mi.js';
import { registerConnector } from './helpers/registerConnector.js';

const FUNCTION = 'acme-reference-connector';
const DEADLINE_MS = 4_000;
const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };

let emu: RunningEmulator;
let vendor: VendorCloud;
let mi: ReturnType<typeof miCaller>;
let dir: string;
const state: Record<string, string> = {};
/** Device id of every command request the vendor cloud received (POST …/commands). */
const vendorCommands: string[] = [];
/** Devices whose command requests the vendor cloud holds for 3 s (the connector times out first). */
const slow = new Set<string>();

type Note = { payload: Record<string, unknown> };
const notes = (type: string): Note[] =>
  emu.app.managedIntegrations.hub.recent({ eventType: type }) as unknown as Note[];
const forTrace = (type: string, traceId: string) =>
  notes(type).filter((n) => n.payload.traceId === traceId);

/** SendManagedThingCommand of one action on one capability (by cluster name). */
async function command(thing: string, cluster: string, action: string, parameters = {}) {
  const def = getCluster(cluster);
  if (def === undefined) throw new Error(`no cluster ${cluster}`);
  const { id, name, version } = capabilityOf(def);
  const sent = await mi('SendManagedThingCommand', {
    ManagedThingId: state[thing] as string,
    Endpoints: [
      {
        endpointId: '1',
        capabilities: [{ id, name, version, actions: [{ name: action, parameters }] }],
      },
    ],
  });
  expect(sent.status, sent.text).toBe(202);
  return sent.json.TraceId as string;
}

const result = (traceId: string) =>
  until(
    `DEVICE_COMMAND ${traceId}`,
    () => forTrace('DEVICE_COMMAND', traceId)[0]?.payload.result as string | undefined,
    20_000,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2c-acme-commands-'));
  const bundle = await bundleFixture('acme-connector');
  emu = await startTestEmulator({ invoke: FAST_INVOKE });
  mi = miCaller(emu.url);
  vendor = buildVendorCloud({ tickIntervalMs: 0, seed: 7 });
  vendor.app.addHook('onRequest', async (req) => {
    const device = /^\/api\/v1\/devices\/([^/?]+)\/commands/.exec(req.url)?.[1];
    if (req.method !== 'POST' || device === undefined) return;
    vendorCommands.push(device);
    if (slow.has(device)) await new Promise((r) => setTimeout(r, 3_000));
  });
  await vendor.app.listen({ port: 0, host: '127.0.0.1' });
  const vendorUrl = `http://127.0.0.1:${(vendor.app.server.address() as AddressInfo).port}`;

  const cfg = { ...aws, endpoint: emu.url };
  const sqs = new SQSClient(cfg);
  // A failed receive comes back after 3 s: the slow vendor's three attempts (1.5 s client timeout
  // each) then cannot all end before the 4 s deadline, however loaded the machine, so that test
  // always sees the deadline's 504 rather than the last receive's 500.
  const work = await createTestQueue(sqs, 'acme-ref-work', {
    attributes: { VisibilityTimeout: '3' },
  });
  state.workQueueUrl = work.url;
  sqs.destroy();
  const functionArn = emu.app.lambdaHost.registerFunction({
    name: FUNCTION,
    handler: bundle,
    exportName: 'handler',
    timeoutSeconds: 30,
    environment: {
      ACME_API_URL: vendorUrl,
      ACME_WEBHOOK_SECRET: vendor.webhooks.secret,
      ACME_CLIENT_ID: 'c2c-kit-connector',
      ACME_CLIENT_SECRET: 'c2c-kit-connector-secret',
      C2C_WORK_QUEUE_URL: work.url,
      C2C_TEST_STATE_DIR: dir,
      // Injected short: the deadline test waits for it.
      C2C_COMMAND_DEADLINE_MS: String(DEADLINE_MS),
    },
  }).arn;
  const registered = await registerConnector(emu.url, {
    name: 'acme-reference',
    functionArn,
    workQueue: { functionName: FUNCTION, queueArn: work.arn },
    vendorUrl,
  });
  state.connectorId = registered.connectorId;
  const assoc = await mi('CreateAccountAssociation', {
    ConnectorDestinationId: registered.destinationId,
    Name: 'alice-home',
  });
  await vendorLogin(assoc.json.OAuthAuthorizationUrl as string, 'alice', 'alice-password');
  const started = await mi('StartDeviceDiscovery', {
    DiscoveryType: 'CLOUD',
    AccountAssociationId: assoc.json.AccountAssociationId as string,
  });
  const discoveryId = started.json.Id as string;
  await until(
    'discovery',
    async () => {
      const got = await mi('GetDeviceDiscovery', { Identifier: discoveryId });
      return got.json.Status === 'SUCCEEDED' || undefined;
    },
    20_000,
  );
  for (const device of ['light-1', 'lock-1', 'fan-1', 'thermo-1']) {
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${discoveryId}:${device}`,
      Name: device,
    });
    expect(thing.status, thing.text).toBe(201);
    state[device] = thing.json.Id as string;
    // A new thing is UNASSOCIATED until the customer registers it to the link.
    const registered = await mi('RegisterAccountAssociation', {
      ManagedThingId: state[device] as string,
      AccountAssociationId: assoc.json.AccountAssociationId as string,
      DeviceDiscoveryId: discoveryId,
    });
    expect(registered.status, registered.text).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await vendor?.app.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('commands through the reference connector, the emulator and the vendor cloud', () => {
  it('every command the reference connector supports completes (customer sees succeeded)', async () => {
    const commands: Array<[string, string, string, Record<string, unknown>?]> = [
      ['light-1', 'OnOff', 'On'],
      ['light-1', 'OnOff', 'Toggle'],
      ['light-1', 'OnOff', 'Off'],
      [
        'light-1',
        'LevelControl',
        'MoveToLevel',
        { Level: 127, TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
      ],
      [
        'light-1',
        'LevelControl',
        'MoveToLevelWithOnOff',
        { Level: 200, TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
      ],
      [
        'light-1',
        'ColorControl',
        'MoveToColorTemperature',
        { ColorTemperatureMireds: 300, TransitionTime: 0, OptionsMask: 0, OptionsOverride: 0 },
      ],
      ['fan-1', 'FanControl', 'Step', { Direction: 0 }],
      ['fan-1', 'OnOff', 'Off'],
      ['lock-1', 'DoorLock', 'UnlockDoor'],
      ['lock-1', 'DoorLock', 'LockDoor'],
      ['thermo-1', 'Thermostat', 'SetpointRaiseLower', { Mode: 0, Amount: 10 }],
    ];
    for (const [thing, cluster, action, parameters] of commands) {
      const traceId = await command(thing, cluster, action, parameters);
      expect(await result(traceId), `${cluster}.${action}`).toBe('succeeded');
    }
    const light = vendor.simulation.getDevice(undefined, 'light-1');
    expect(light.state).toEqual({ on: true, brightness: 79, colorTempKelvin: 3333 });
    expect(notes('CONNECTOR_ERROR_REPORT')).toEqual([]);
  }, 120_000);

  it('re-delivered SendCommand invocations reach the vendor once', async () => {
    const before = vendorCommands.filter((d) => d === 'light-1').length;
    const traceId = await command('light-1', 'LevelControl', 'MoveToLevel', {
      Level: 254,
      TransitionTime: 0,
      OptionsMask: 0,
      OptionsOverride: 0,
    });
    // The service retries an invocation up to 5 times (say its ACK got lost): once the first
    // delivery is done, deliver the same invocation again, four times.
    await emu.app.managedIntegrations.drain();
    const lambda = new LambdaClient({ ...aws, endpoint: emu.url });
    const envelope = {
      header: { auth: { type: 'OAuth2.0', token: 'not-used-because-deduplicated' } },
      payload: {
        operationName: 'AWS.SendCommand',
        operationVersion: '1.0',
        connectorId: state.connectorId,
        traceId,
        connectorDeviceId: 'light-1',
        endpoints: [
          {
            id: '1',
            clusters: [
              {
                id: '0x0008',
                commands: { '0x00': { '0x00': 254, '0x01': 0, '0x02': 0, '0x03': 0 } },
              },
            ],
          },
        ],
      },
    };
    for (let i = 0; i < 4; i++) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: FUNCTION, Payload: JSON.stringify(envelope) }),
      );
      expect(JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString())).toMatchObject({
        header: { responseCode: 200 },
      });
    }
    lambda.destroy();
    expect(await result(traceId)).toBe('succeeded');
    await drainWork(emu, state.workQueueUrl as string, vendor); // a repeat has run by now
    expect(vendorCommands.filter((d) => d === 'light-1').length - before).toBe(1);
    expect(forTrace('DEVICE_COMMAND', traceId)).toHaveLength(1);
  }, 60_000);

  it('a command the vendor refuses ends once as failed, with the vendor reason', async () => {
    vendor.simulation.trigger('lock-1', 'jam');
    try {
      const traceId = await command('lock-1', 'DoorLock', 'UnlockDoor');
      expect(await result(traceId)).toBe('failed');
      const report = await until(
        'error report',
        () => forTrace('CONNECTOR_ERROR_REPORT', traceId)[0],
      );
      expect(report.payload).toMatchObject({ statusCode: 409, operation: 'AWS.SendCommand' });
      expect(String(report.payload.message)).toMatch(
        /responseMessage=.*device_jammed lock lock-1 is jammed/,
      );
      await drainWork(emu, state.workQueueUrl as string, vendor); // a repeat has run by now
      expect(forTrace('DEVICE_COMMAND', traceId)).toHaveLength(1);
    } finally {
      vendor.simulation.trigger('lock-1', 'unjam');
    }
  }, 60_000);

  it('a vendor that never answers in time: the command deadline fails it once (504)', async () => {
    slow.add('fan-1');
    try {
      const traceId = await command('fan-1', 'OnOff', 'On');
      expect(await result(traceId)).toBe('failed');
      const report = await until(
        'error report',
        () => forTrace('CONNECTOR_ERROR_REPORT', traceId)[0],
      );
      expect(report.payload).toMatchObject({ statusCode: 504 });
      expect(String(report.payload.message)).toContain(
        `command deadline of ${DEADLINE_MS} ms passed`,
      );
      await drainWork(emu, state.workQueueUrl as string, vendor); // a repeat has run by now
      expect(forTrace('DEVICE_COMMAND', traceId)).toHaveLength(1);
    } finally {
      slow.delete('fan-1');
    }
  }, 60_000);
});
