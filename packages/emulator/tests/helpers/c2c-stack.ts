import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MatterCapabilityReport } from '@c2c-kit/protocol';
import {
  FAST_INVOKE,
  fanReport,
  sdkClientConfig,
  startTestEmulator,
  TEST_CREDENTIALS,
} from '@c2c-kit/testing';
import { request } from 'undici';
import { afterAll, beforeAll, expect } from 'vitest';
import type { EmulatorCredential, EmulatorOptions, RunningEmulator } from '../../src/index.js';
import { miClient } from './mi-client.js';
import { oAuthConfig, startOAuthServer } from './oauth-server.js';

/**
 * The recording connector Lambda: one JSON line per invocation in `$RECORD_FILE`; the operations
 * named in `$FAIL_OPS` throw.
 */
export const RECORDING_CONNECTOR = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'connectors',
  'recording-connector.mjs',
);

/** A connector invocation event as the recording connector wrote it. */
export interface RecordedInvocation {
  event: { header: { auth: Record<string, unknown> }; payload: Record<string, unknown> };
}

/** The invocations the recording connector wrote to `recordFile`, oldest first. */
export function recordedInvocations(recordFile: string): RecordedInvocation[] {
  const text = readFileSync(recordFile, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as RecordedInvocation);
}

/**
 * Stores the OAuth client the test OAuth server accepts (`acme-client` / `acme-secret`) in the
 * emulator's Secrets Manager, as a connector destination's `SecretsManager` reference.
 */
export async function createOAuthClientSecret(
  emulatorUrl: string,
): Promise<{ arn: string; versionId: string }> {
  const sm = new SecretsManagerClient(sdkClientConfig(emulatorUrl));
  const created = await sm.send(
    new CreateSecretCommand({
      Name: 'acme/oauth-client',
      SecretString: JSON.stringify({ clientId: 'acme-client', clientSecret: 'acme-secret' }),
    }),
  );
  sm.destroy();
  return { arn: created.ARN as string, versionId: created.VersionId as string };
}

/**
 * A running emulator with a real OAuth token endpoint, the recording connector Lambda, a cloud
 * connector and an OAuth connector destination: everything a customer needs to link a user.
 */
export async function startC2cStack(options: EmulatorOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'emu-c2c-'));
  const recordFile = join(dir, 'record.jsonl');
  writeFileSync(recordFile, '');
  const emu: RunningEmulator = await startTestEmulator({ invoke: FAST_INVOKE, ...options });
  const oauth = await startOAuthServer();
  const mi = miClient(emu.url);
  const functionArn = emu.app.lambdaHost.registerFunction({
    name: 'acme-connector',
    handler: RECORDING_CONNECTOR,
    environment: { RECORD_FILE: recordFile, USER_ID: 'user-1' },
  }).arn;
  const secret = await createOAuthClientSecret(emu.url);
  const connector = await mi('CreateCloudConnector', {
    Name: 'acme',
    EndpointConfig: { lambda: { arn: functionArn } },
  });
  expect(connector.status, connector.text).toBe(201);
  const connectorId = connector.json.Id as string;
  const destination = await mi('CreateConnectorDestination', {
    Name: 'acme-dest',
    CloudConnectorId: connectorId,
    AuthType: 'OAUTH',
    AuthConfig: oAuthConfig(oauth.url),
    SecretsManager: secret,
  });
  expect(destination.status, destination.text).toBe(201);
  const destinationId = destination.json.Id as string;

  /** CreateAccountAssociation + the OAuth redirect (the connector activates `user-1`). */
  async function link(as: EmulatorCredential = TEST_CREDENTIALS): Promise<string> {
    const created = await miClient(emu.url, as)('CreateAccountAssociation', {
      ConnectorDestinationId: destinationId,
    });
    expect(created.status, created.text).toBe(201);
    const state = new URL(created.json.OAuthAuthorizationUrl as string).searchParams.get('state');
    const callback = await request(
      `${emu.url}/_local/oauth/callback?code=good-code&state=${state}`,
    );
    const body = (await callback.body.json()) as Record<string, unknown>;
    expect(body.AssociationState, JSON.stringify(body)).toBe('ASSOCIATION_SUCCEEDED');
    return created.json.AccountAssociationId as string;
  }

  /** StartDeviceDiscovery for an association, completed by the connector's DEVICE_DISCOVERY. */
  async function discover(
    associationId: string,
    devices: Array<{ id: string; name: string; report: MatterCapabilityReport }>,
    as: EmulatorCredential = TEST_CREDENTIALS,
  ): Promise<string> {
    const started = await miClient(emu.url, as)('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    expect(started.status, started.text).toBe(201);
    await emu.app.managedIntegrations.drain();
    const id = started.json.Id as string;
    const event = await mi('SendConnectorEvent', {
      ConnectorId: connectorId,
      Operation: 'DEVICE_DISCOVERY',
      UserId: 'user-1',
      DeviceDiscoveryId: id,
      Devices: devices.map((d) => ({
        ConnectorDeviceId: d.id,
        ConnectorDeviceName: d.name,
        CapabilityReport: d.report,
      })),
    });
    expect(event.status, event.text).toBe(202);
    return id;
  }

  /** RegisterAccountAssociation: the thing created from `discoveryId` joins the association. */
  async function register(
    thingId: string,
    associationId: string,
    discoveryId: string,
    as: EmulatorCredential = TEST_CREDENTIALS,
  ): Promise<void> {
    const registered = await miClient(emu.url, as)('RegisterAccountAssociation', {
      ManagedThingId: thingId,
      AccountAssociationId: associationId,
      DeviceDiscoveryId: discoveryId,
    });
    expect(registered.status, registered.text).toBe(201);
  }

  /**
   * A linked user's device (a fan unless `report` says otherwise), discovered, made a managed
   * thing and registered to the link: what events and commands need.
   */
  async function registeredThing(
    deviceId = 'fan-1',
    report: MatterCapabilityReport = fanReport(),
  ): Promise<{ associationId: string; discoveryId: string; thingId: string; thingArn: string }> {
    const associationId = await link();
    const discoveryId = await discover(associationId, [{ id: deviceId, name: deviceId, report }]);
    const thing = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${discoveryId}:${deviceId}`,
    });
    expect(thing.status, thing.text).toBe(201);
    const thingId = thing.json.Id as string;
    await register(thingId, associationId, discoveryId);
    return { associationId, discoveryId, thingId, thingArn: thing.json.Arn as string };
  }

  return {
    emu,
    mi,
    oauth,
    connectorId,
    destinationId,
    /** The OAuth client secret the destination reads (Secrets Manager). */
    secret,
    /** Where the recording connector writes its invocations (`RECORD_FILE`). */
    recordFile,
    /** The connector's invocations so far, oldest first. */
    invocations: () => recordedInvocations(recordFile),
    link,
    discover,
    register,
    registeredThing,
    async close() {
      await emu.close();
      await oauth.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type C2cStack = Awaited<ReturnType<typeof startC2cStack>>;

/**
 * For a test file: `startC2cStack()` before its tests with one user linked, handed to `started`
 * (which keeps it for the tests), and closed after them.
 */
export function useLinkedC2cStack(
  started: (linked: { stack: C2cStack; associationId: string }) => void,
): void {
  let stack: C2cStack | undefined;
  beforeAll(async () => {
    stack = await startC2cStack();
    started({ stack, associationId: await stack.link() });
  });
  afterAll(async () => {
    await stack?.close();
  });
}
