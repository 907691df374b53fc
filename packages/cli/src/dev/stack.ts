import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { DEFAULT_REGION, startEmulator } from '@c2c-kit/emulator';
import { ensurePrivateDir } from '@c2c-kit/local-guard';
import { DEFAULT_USERS, startVendorCloud } from '@c2c-kit/vendor-cloud';
import { StepFailedError, UpstreamError } from '../errors.js';
import {
  buildConnector,
  connectorEnvironment,
  givenWebhookSecret,
  resolveConnectorSetup,
} from './connectorConfig.js';
import { registerConnectorFunction } from './connectorFunction.js';
import { type CustomerAccount, type DashboardServer, startDashboard } from './dashboardServer.js';
import {
  ensureOutboxQueues,
  ensureWorkQueue,
  queueNames,
  startLocalKinesis,
} from './stackQueues.js';
import {
  ensureCloudConnector,
  ensureConnectorDestination,
  subscribeNotifications,
} from './stackRegistrations.js';
import {
  DEV_STATE_FILE,
  loadOrCreateState,
  setEmulatorFaults,
  sqliteStoreModule,
} from './stackState.js';
import type { DevStack, DevStackOptions } from './stackTypes.js';

// The one bring-up of the local stack — emulator, vendor cloud, connector and dashboard,
// provisioned as a customer would — that `c2c dev`, `c2c test` and the tests all start.
// Its public entry is `@c2c-kit/cli/stack` (src/stack.ts).

export { DEV_EVENT_TYPES } from './stackRegistrations.js';
export type { DevStack, DevStackOptions } from './stackTypes.js';

/** The connector store (webhook de-duplication, parked markers) its workers share: SQLite, WAL. */
export const CONNECTOR_STORE_FILE = 'connector-store.sqlite';
/** The vendor cloud's state file in the data directory (users, devices, OAuth clients, tokens). */
export const VENDOR_STATE_FILE = 'vendor-cloud.json';
/** The vendor cloud's OAuth client the destination uses (a local demo credential, not a secret). */
const OAUTH_CLIENT = { clientId: 'c2c-kit-connector', clientSecret: 'c2c-kit-connector-secret' };

/**
 * Starts emulator, vendor cloud, the reference connector (in the emulator's Lambda host, with its
 * Function URL, SQS work queue and event source mapping) and the dashboard, and registers
 * everything with the emulator's own APIs — the same calls a developer makes in AWS. Every
 * registration looks for an existing resource first, so a second start on the same data
 * directory reuses it instead of duplicating it.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const progress = options.progress ?? (() => {});
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await close().catch(() => {});
    }
  };
  const step = async <T>(name: string, run: () => Promise<T>, detail?: (v: T) => string) => {
    progress({ step: name, state: 'start' });
    try {
      const value = await run();
      progress({ step: name, state: 'done', detail: detail?.(value) });
      return value;
    } catch (error) {
      if (error instanceof StepFailedError) throw error;
      throw new StepFailedError(name, (error as Error).message, { cause: error });
    }
  };

  try {
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    // 0700 when we create it: it holds the emulator's database and key pair and the webhook secret.
    if (dataDir !== undefined) ensurePrivateDir(dataDir);
    const persisted = await loadOrCreateState(dataDir);
    const region = DEFAULT_REGION;
    const setup = options.connector ?? resolveConnectorSetup({}, process.cwd());
    // The user's secret when the connector's environment gives one (refused when empty), else
    // the one generated for this data directory.
    const givenSecret = givenWebhookSecret(setup);
    const webhookSecret = givenSecret ?? persisted.webhookSecret;
    const webhookSecretSource = givenSecret
      ? `from ${setup.environment[setup.webhookSecretEnv]?.from}`
      : dataDir === undefined
        ? 'generated for this run'
        : `generated, kept in ${join(dataDir, DEV_STATE_FILE)}`;
    const names = queueNames(setup.functionName);
    const handler = await step(
      'connector build',
      async () => {
        const outDir = mkdtempSync(join(tmpdir(), 'c2c-dev-build-'));
        closers.push(async () => rmSync(outDir, { recursive: true, force: true }));
        return buildConnector(setup, outDir);
      },
      () => `${setup.functionName} (${setup.source})`,
    );

    // The customer's notifications go to a local Kinesis stream, as in AWS to a real one; the
    // dashboard and the demo read the emulator's SSE stream of the same messages.
    const kinesis = await step('local kinesis', startLocalKinesis, (k) => k.url);
    closers.push(() => kinesis.close());

    const emulator = await step(
      'emulator',
      () =>
        startEmulator({
          kinesisEndpoint: kinesis.url,
          port: options.emulatorPort ?? 0,
          // The emulator's own key pair (generated per data dir, or per start in memory) is
          // the customer's: the clients, the connector function and the dashboard sign with it.
          ...(dataDir === undefined ? { memory: true } : { dataDir }),
          region,
          allowedHosts: options.allowedHosts,
          ...(options.functions ? { functions: options.functions } : {}),
        }),
      (e) => e.url,
    );
    closers.push(() => emulator.close());
    const credentials = emulator.credentials;
    const accountId = credentials.accountId;

    const callbackUrl = `${emulator.url}/_local/oauth/callback`;
    const vendor = await step(
      'vendor cloud',
      () =>
        startVendorCloud({
          port: options.vendorPort ?? 0,
          webhookSecret,
          clients: [{ ...OAUTH_CLIENT, redirectUris: [callbackUrl] }],
          allowedHosts: options.allowedHosts,
          // Users, devices, OAuth clients and the tokens issued at account linking survive a
          // restart on the same data directory, so yesterday's link still works (mode 0600).
          ...(dataDir === undefined ? {} : { stateFile: join(dataDir, VENDOR_STATE_FILE) }),
        }),
      (v) => v.url,
    );
    closers.push(() => vendor.close());

    const awsConfig = {
      endpoint: emulator.url,
      region,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      },
    };
    const sqs = new SQSClient(awsConfig);
    const lambda = new LambdaClient(awsConfig);
    const secrets = new SecretsManagerClient(awsConfig);
    closers.push(async () => {
      sqs.destroy();
      lambda.destroy();
      secrets.destroy();
    });
    // Sent as given (the emulator validates, as AWS would); failures name the call (`callOk`).
    const client = new ManagedIntegrationsClient({
      endpoint: emulator.url,
      region,
      credentials,
      validate: false,
    });
    closers.push(() => client.close());

    const queues = await step(
      'work queue',
      () => ensureWorkQueue(sqs, names),
      (q) => q.url,
    );

    const outboxQueues = await step(
      'outbox queue',
      () => ensureOutboxQueues(sqs, names),
      (q) => q.url,
    );
    const outboxQueueUrl = outboxQueues.url;
    // Shared by every worker process of the connector, and kept across restarts with the data
    // directory: a webhook delivery replayed to another worker, or after a restart, is refused.
    let storeDir = dataDir;
    if (storeDir === undefined) {
      const tmp = mkdtempSync(join(tmpdir(), 'c2c-dev-store-'));
      closers.push(async () => rmSync(tmp, { recursive: true, force: true }));
      storeDir = tmp;
    }
    const connectorStoreFile = join(storeDir, CONNECTOR_STORE_FILE);

    const functionName = setup.functionName;
    const functionUrl = `${emulator.url}/lambda-url/${functionName}/`;
    const environment = {
      ...connectorEnvironment(setup, {
        vendorCloudUrl: vendor.url,
        webhookSecret,
        oauthClientId: OAUTH_CLIENT.clientId,
        oauthClientSecret: OAUTH_CLIENT.clientSecret,
      }),
      // The connector runtime's queues and shared store (docs/your-connector.md).
      C2C_WORK_QUEUE_URL: queues.url,
      C2C_OUTBOX_QUEUE_URL: outboxQueueUrl,
      C2C_OUTBOX_DLQ_URL: outboxQueues.dlqUrl,
      C2C_STORE_SQLITE_PATH: connectorStoreFile,
      ...sqliteStoreModule(),
    };
    const fn = await step(
      'connector function',
      async () => {
        const registered = await registerConnectorFunction({
          emulatorUrl: emulator.url,
          lambda,
          name: functionName,
          handler,
          exportName: setup.exportName,
          environment,
          // The work queue, and the outbox (one message per invocation: a receive is an attempt).
          mappings: [
            { queueArn: queues.arn, batchSize: 10 },
            { queueArn: outboxQueues.arn, batchSize: 1 },
          ],
          fallbackArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
        });
        vendor.setWebhookTarget(functionUrl, webhookSecret);
        return registered;
      },
      (f) => f.arn,
    );

    const connectorId = await step(
      'cloud connector',
      () => ensureCloudConnector(client, fn.arn),
      (id) => id,
    );

    // The dashboard's address is needed for the OAuth completion redirect, so it starts (with
    // the destination looked up lazily) before the destination is registered.
    let destinationId: string | undefined;
    const customer: CustomerAccount = {
      accountId,
      name: 'Demo customer',
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      },
    };
    const notificationStreamUrl = (account: string) =>
      `${emulator.url}/_local/notifications/stream?account=${encodeURIComponent(account)}`;
    const triggerVendorEvent = async (deviceId: string, event: string, params?: unknown) => {
      const response = await fetch(
        `${vendor.url}/_sim/devices/${encodeURIComponent(deviceId)}/trigger`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params === undefined ? { event } : { event, params }),
        },
      );
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        const error = body.error as { message?: string } | undefined;
        throw new UpstreamError('vendor trigger', response.status, undefined, error?.message ?? '');
      }
      return body;
    };
    const dashboard: DashboardServer = await step(
      'dashboard',
      () =>
        startDashboard({
          port: options.dashboardPort ?? 0,
          allowedHosts: options.allowedHosts,
          region,
          emulatorUrl: emulator.url,
          vendorCloudUrl: vendor.url,
          customers: [customer],
          demoUsers: DEFAULT_USERS.map((u) => ({
            username: u.username,
            password: u.password,
            displayName: u.displayName,
          })),
          connectorDestinationId: () => destinationId,
          notificationStreamUrl,
          recentNotificationsUrl: (account) =>
            `${emulator.url}/_local/notifications?account=${encodeURIComponent(account)}&limit=100`,
          triggerVendorEvent: (_user, deviceId, event, data) =>
            triggerVendorEvent(deviceId, event, data),
        }),
      (d) => d.url,
    );
    closers.push(() => dashboard.close());

    destinationId = await step(
      'connector destination',
      () =>
        ensureConnectorDestination(client, secrets, {
          connectorId,
          vendorCloudUrl: vendor.url,
          completeUrl: `${dashboard.url}/?linked=1`,
          oauthClient: OAUTH_CLIENT,
        }),
      (id) => id,
    );

    await step(
      'notifications',
      () =>
        subscribeNotifications(client, {
          kinesisUrl: kinesis.url,
          region,
          accountId,
          credentials: awsConfig.credentials,
        }),
      (n) => `${n} event types`,
    );

    return {
      emulatorUrl: emulator.url,
      vendorCloudUrl: vendor.url,
      dashboardUrl: dashboard.url,
      region,
      customer,
      connectorId,
      connectorDestinationId: destinationId,
      functionArn: fn.arn,
      functionUrl,
      connector: setup,
      connectorEnvironment: environment,
      webhookSecretSource,
      demoUsers: DEFAULT_USERS,
      oauthClient: OAUTH_CLIENT,
      client,
      notificationStreamUrl: notificationStreamUrl(accountId),
      outboxQueueUrl,
      deadLetterQueueUrl: outboxQueues.dlqUrl,
      connectorStoreFile,
      triggerVendorEvent,
      setFaults: (faults) => setEmulatorFaults(emulator.app.emulatorConfig.faults, faults),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
