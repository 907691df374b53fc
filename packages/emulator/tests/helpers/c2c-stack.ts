import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MatterCapabilityReport } from '@c2c-kit/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type EmulatorCredential,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from '../../src/index.js';
import { TEST_CREDENTIALS } from './credentials.js';
import { miClient } from './mi-client.js';
import { startOAuthServer } from './oauth-server.js';
import { sdkClientConfig } from './sign.js';

const FIXTURE = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'connectors',
  'recording-connector.mjs',
);

/** A fan's capability report (OnOff + FanControl), optionally with an extra attribute. */
export function fanReport(extraAttribute = false): MatterCapabilityReport {
  return {
    version: '1.0.0',
    endpoints: [
      {
        id: '1',
        deviceTypes: ['Fan'],
        clusters: [
          { id: '0x0006', revision: 6, attributes: [{ id: '0x0000' }], commands: ['0x00', '0x01'] },
          {
            id: '0x0202',
            revision: 4,
            attributes: extraAttribute
              ? [{ id: '0x0000' }, { id: '0x0002' }, { id: '0x0004' }]
              : [{ id: '0x0000' }, { id: '0x0002' }],
          },
        ],
      },
    ],
  } as MatterCapabilityReport;
}

/**
 * For a test file: an in-memory emulator and one AWS SDK client on it (`createClient` gets the
 * client configuration), started before the file's tests and closed after them. Read `emu` and
 * `client` inside tests and hooks registered after this call.
 */
export function useEmulatorWithSdkClient<C extends { destroy(): void }>(
  createClient: (config: ReturnType<typeof sdkClientConfig>) => C,
): { readonly emu: RunningEmulator; readonly client: C } {
  let emu: RunningEmulator | undefined;
  let client: C | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    client = createClient(sdkClientConfig(emu.url));
  });
  afterAll(async () => {
    client?.destroy();
    await emu?.close();
  });
  const notStarted = (): never => {
    throw new Error('the emulator starts in beforeAll: read it inside a test or a later hook');
  };
  return {
    get emu() {
      return emu ?? notStarted();
    },
    get client() {
      return client ?? notStarted();
    },
  };
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
  const emu: RunningEmulator = await startEmulator({
    memory: true,
    credentials: [TEST_CREDENTIALS],
    invoke: { backoffMs: 5, timeoutMs: 5000 },
    ...options,
  });
  const oauth = await startOAuthServer();
  const mi = miClient(emu.url);
  const functionArn = emu.app.lambdaHost.registerFunction({
    name: 'acme-connector',
    handler: FIXTURE,
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
    AuthConfig: {
      oAuth: {
        authUrl: `${oauth.url}/authorize`,
        tokenUrl: `${oauth.url}/token`,
        tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
      },
    },
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

  return {
    emu,
    mi,
    oauth,
    connectorId,
    destinationId,
    link,
    discover,
    register,
    async close() {
      await emu.close();
      await oauth.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
