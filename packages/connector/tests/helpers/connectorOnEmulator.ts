import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RunningEmulator } from '@c2c-kit/emulator';
import {
  createTestQueue,
  FAST_INVOKE,
  startTestEmulator,
  until,
  webhookHeaders,
} from '@c2c-kit/testing';
import { type StartedVendorCloud, startVendorCloud } from '@c2c-kit/vendor-cloud';
import { afterAll, beforeAll, expect } from 'vitest';
import { bundleFixture } from './bundle.js';
import { LOCAL_CREDENTIALS, miCaller, vendorLogin } from './mi.js';
import { registerConnector } from './registerConnector.js';

/** The test connector's function name in the emulator's Lambda host. */
export const FUNCTION = 'acme-fan-connector';
export const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };

type Note = { messageType: string; payload: Record<string, unknown> };

interface Started {
  emu: RunningEmulator;
  vendor: StartedVendorCloud;
  mi: ReturnType<typeof miCaller>;
  lambda: LambdaClient;
  dir: string;
  functionUrl: string;
  functionArn: string;
}

/**
 * For an end-to-end test file: the fan connector fixture bundled with esbuild and deployed into
 * a running emulator (Lambda host, its work queue on the emulator's SQS with an event source
 * mapping, its OAuth client secret in Secrets Manager), the simulated vendor cloud sending signed
 * webhooks to its Function URL, and a cloud connector with an OAuth destination registered.
 * Started before the file's tests, closed after them; read its members inside tests and hooks.
 */
export function useConnectorOnEmulator() {
  /** The running parts, set in beforeAll; read them inside tests and later hooks. */
  const s = {} as Started;
  /** Ids the file's tests share (connectorId, destinationId, workQueueUrl, and what they add). */
  const state: Record<string, string> = {};

  beforeAll(async () => {
    s.dir = mkdtempSync(join(tmpdir(), 'c2c-connector-e2e-'));
    const bundle = await bundleFixture('fan-connector');
    s.emu = await startTestEmulator({ invoke: FAST_INVOKE });
    s.mi = miCaller(s.emu.url);
    const cfg = { ...aws, endpoint: s.emu.url };
    s.lambda = new LambdaClient(cfg);
    const sqs = new SQSClient(cfg);
    const work = await createTestQueue(sqs, 'acme-work', {
      attributes: { VisibilityTimeout: '5' },
      deadLetter: { name: 'acme-work-dlq', maxReceiveCount: 3 },
    });
    state.workQueueUrl = work.url;
    sqs.destroy();
    s.functionUrl = `${s.emu.url}/lambda-url/${FUNCTION}/`;
    s.vendor = await startVendorCloud({
      webhookUrl: s.functionUrl,
      tickIntervalMs: 0,
      seed: 7,
      webhookRetry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
    });
    s.functionArn = s.emu.app.lambdaHost.registerFunction({
      name: FUNCTION,
      handler: bundle,
      exportName: 'handler',
      timeoutSeconds: 30,
      environment: {
        ACME_API_URL: s.vendor.url,
        ACME_WEBHOOK_SECRETS: s.vendor.webhooks.secret,
        C2C_WORK_QUEUE_URL: work.url,
        C2C_TEST_STATE_DIR: s.dir,
      },
    }).arn;
    const registered = await registerConnector(s.emu.url, {
      name: 'acme-fans',
      functionArn: s.functionArn,
      workQueue: { functionName: FUNCTION, queueArn: work.arn },
      vendorUrl: s.vendor.url,
    });
    state.connectorId = registered.connectorId;
    state.destinationId = registered.destinationId;
  }, 120_000);

  afterAll(async () => {
    s.lambda?.destroy();
    await s.vendor?.close();
    await s.emu?.close();
    rmSync(s.dir, { recursive: true, force: true });
  });

  return Object.assign(s, {
    state,
    aws,
    FUNCTION,
    /** The customer notifications of one event type the emulator has published. */
    notes: (type: string): Note[] =>
      s.emu.app.managedIntegrations.hub.recent({ eventType: type }) as unknown as Note[],
    /**
     * A vendor webhook about alice's `fan-1` (`device.state` with `data`), signed with the vendor
     * cloud's secret as it signs its own deliveries.
     */
    fanWebhook(eventId: string, data: Record<string, unknown>) {
      const alice = s.vendor.simulation
        .allDevices()
        .find((d: { deviceId: string }) => d.deviceId === 'fan-1') as { ownerId: string };
      const body = JSON.stringify({
        eventId,
        type: 'device.state',
        deviceId: 'fan-1',
        kind: 'fan',
        userId: alice.ownerId,
        data,
      });
      const headers = webhookHeaders(s.vendor.webhooks.secret, body, eventId);
      return { body, headers };
    },
    /** CreateAccountAssociation, then the vendor's login form as `username`; the association id. */
    async link(username: string, password: string): Promise<string> {
      const assoc = await s.mi('CreateAccountAssociation', {
        ConnectorDestinationId: state.destinationId as string,
        Name: `${username}-home`,
      });
      expect(assoc.status, assoc.text).toBe(201);
      await vendorLogin(assoc.json.OAuthAuthorizationUrl as string, username, password);
      return assoc.json.AccountAssociationId as string;
    },
    /** StartDeviceDiscovery through the connector, until SUCCEEDED; the discovery id. */
    async discover(associationId: string): Promise<string> {
      const started = await s.mi('StartDeviceDiscovery', {
        DiscoveryType: 'CLOUD',
        AccountAssociationId: associationId,
      });
      expect(started.status, started.text).toBe(201);
      const id = started.json.Id as string;
      await until('discovery to succeed', async () => {
        const got = await s.mi('GetDeviceDiscovery', { Identifier: id });
        return got.json.Status === 'SUCCEEDED' ? got : undefined;
      });
      return id;
    },
    /** CreateManagedThing for a discovered device, registered to the link; the thing id. */
    async register(associationId: string, discoveryId: string, deviceId: string): Promise<string> {
      const thing = await s.mi('CreateManagedThing', {
        Role: 'DEVICE',
        AuthenticationMaterialType: 'DISCOVERED_DEVICE',
        AuthenticationMaterial: `CLOUD:${discoveryId}:${deviceId}`,
        Name: deviceId,
      });
      expect(thing.status, thing.text).toBe(201);
      const thingId = thing.json.Id as string;
      const registered = await s.mi('RegisterAccountAssociation', {
        ManagedThingId: thingId,
        AccountAssociationId: associationId,
        DeviceDiscoveryId: discoveryId,
      });
      expect(registered.status, registered.text).toBe(201);
      return thingId;
    },
  });
}
