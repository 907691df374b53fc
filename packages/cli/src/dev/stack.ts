import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import {
  DEFAULT_REGION,
  type FaultConfig,
  type FunctionObserver,
  startEmulator,
} from '@c2c-kit/emulator';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '@c2c-kit/local-guard';
import { DEFAULT_USERS, startVendorCloud } from '@c2c-kit/vendor-cloud';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { StepFailedError, UpstreamError, UsageError } from '../errors.js';
import {
  buildConnector,
  type ConnectorSetup,
  connectorEnvironment,
  givenWebhookSecret,
  resolveConnectorSetup,
} from './connectorConfig.js';
import { registerConnectorFunction } from './connectorFunction.js';
import { type CustomerAccount, type DashboardServer, startDashboard } from './dashboardServer.js';
import { callOk, ensureSecret, isOkOrConflict, upstreamError } from './registration.js';

/** Customer-notification event types the dev stack subscribes to (all a C2C flow produces). */
export const DEV_EVENT_TYPES = [
  'DEVICE_EVENT',
  'DEVICE_STATE',
  'DEVICE_COMMAND',
  'DEVICE_COMMAND_REQUEST',
  'DEVICE_DISCOVERY_STATUS',
  'DEVICE_LIFE_CYCLE',
  'ACCOUNT_ASSOCIATION',
  'CONNECTOR_ERROR_REPORT',
] as const;

/**
 * The connector's queues, named after its function: the work queue and its dead-letter queue;
 * the outbox, a FIFO queue grouped per device that the connector consumes itself (a second event
 * source mapping) to retry parked events in order, and the outbox's dead-letter queue for what
 * fails for good, which `c2c replay` serves.
 */
const queueNames = (fn: string) => ({
  work: `${fn}-work`,
  deadLetter: `${fn}-dlq`,
  outbox: `${fn}-outbox.fifo`,
  outboxDlq: `${fn}-outbox-dlq.fifo`,
});
/** The connector store (webhook de-duplication, parked markers) its workers share: SQLite, WAL. */
export const CONNECTOR_STORE_FILE = 'connector-store.sqlite';
const SECRET_NAME = 'c2c-dev/acme-oauth-client';
const CONNECTOR_NAME = 'Acme Cloud';
const DESTINATION_NAME = 'acme-cloud-oauth';
const NOTIFICATION_DESTINATION = 'c2c-dev-notifications';
/** The vendor cloud's state file in the data directory (users, devices, OAuth clients, tokens). */
export const VENDOR_STATE_FILE = 'vendor-cloud.json';
/** The vendor cloud's OAuth client the destination uses (a local demo credential, not a secret). */
const OAUTH_CLIENT = { clientId: 'c2c-kit-connector', clientSecret: 'c2c-kit-connector-secret' };

export interface DevStackOptions {
  /** State directory (SQLite file, generated secrets); `undefined` keeps everything in memory. */
  readonly dataDir?: string;
  readonly emulatorPort?: number;
  readonly vendorPort?: number;
  readonly dashboardPort?: number;
  /**
   * Extra names (`Host` header) the emulator, vendor cloud and dashboard answer to, beyond their
   * listening addresses; `name` or `name:port`. See docs/security.md.
   */
  readonly allowedHosts?: readonly string[];
  /**
   * The connector to run, as `resolveConnectorSetup` reads it from `--connector` and the flags
   * (default: the reference connector, examples/acme-connector).
   */
  readonly connector?: ConnectorSetup;
  /** Watches the connector function: its output lines and each invocation (the terminal log). */
  readonly functions?: FunctionObserver;
  /** Called with each start-up step as it begins and ends, for the progress display. */
  readonly progress?: (event: { step: string; state: 'start' | 'done'; detail?: string }) => void;
}

export interface DevStack {
  readonly emulatorUrl: string;
  readonly vendorCloudUrl: string;
  readonly dashboardUrl: string;
  readonly region: string;
  readonly customer: CustomerAccount;
  readonly connectorId: string;
  readonly connectorDestinationId: string;
  readonly functionArn: string;
  readonly functionUrl: string;
  /** The connector that runs, and its environment as configured (secrets included: print with care). */
  readonly connector: ConnectorSetup;
  readonly connectorEnvironment: Readonly<Record<string, string>>;
  /** Where the webhook secret came from: generated (kept in the data dir) or the user's variable. */
  readonly webhookSecretSource: string;
  /**
   * The connector's outbox (`C2C_OUTBOX_QUEUE_URL`, an SQS FIFO queue on the emulator): events
   * SendConnectorEvent still refuses after the client's retries wait here, and the connector
   * retries them with backoff (an event source mapping), each device's in order.
   */
  readonly outboxQueueUrl: string;
  /**
   * The outbox's dead-letter queue (`C2C_OUTBOX_DLQ_URL`): events that failed for good (a 4xx,
   * too many attempts, too old) wait here for `c2c replay --queue-url <this>`.
   */
  readonly deadLetterQueueUrl: string;
  /** The connector store's SQLite file (in the data directory, else a temporary directory). */
  readonly connectorStoreFile: string;
  readonly demoUsers: typeof DEFAULT_USERS;
  /** The vendor cloud's OAuth client the destination uses (c2c test gets users' tokens with it). */
  readonly oauthClient: { readonly clientId: string; readonly clientSecret: string };
  /** Signed managed-integrations client acting as the customer account. */
  readonly client: ManagedIntegrationsClient;
  /** SSE URL of the customer's notification stream on the emulator. */
  readonly notificationStreamUrl: string;
  /** Fires a vendor-side device event (the vendor cloud's simulation API). */
  triggerVendorEvent(deviceId: string, event: string, params?: unknown): Promise<unknown>;
  /**
   * Changes the emulator's fault injection while it runs (SendConnectorEvent and connector
   * invokes: `throttle`, `error` probabilities, `latencyMs`); fields left out keep their value.
   * For trying the outbox: `setFaults({ throttle: 1 })`, fire an event, `setFaults({ throttle: 0 })`.
   */
  setFaults(faults: Partial<FaultConfig>): void;
  close(): Promise<void>;
}

interface PersistedDevState {
  /** Standard Webhooks secret shared by the vendor cloud and the connector. */
  webhookSecret: string;
}

async function loadOrCreateState(dataDir: string | undefined): Promise<PersistedDevState> {
  const fresh = (): PersistedDevState => ({
    webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
  });
  if (dataDir === undefined) return fresh();
  const file = join(dataDir, 'dev-stack.json');
  if (existsSync(file)) {
    // Only this user may read it (0600, also when an older version wrote it wider): it holds
    // the webhook signing secret.
    tightenFile(file);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<PersistedDevState>;
    if (typeof parsed.webhookSecret === 'string') return { webhookSecret: parsed.webhookSecret };
  }
  const state = fresh();
  writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

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
        : `generated, kept in ${join(dataDir, 'dev-stack.json')}`;
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

    // The customer's notification destination is a Kinesis stream, as in AWS: a local Kinesis
    // (kinesalite, in memory) receives the emulator's real PutRecord deliveries, so they neither
    // go to the internet nor hang until a timeout. The dashboard and the demo read the
    // emulator's SSE stream of the same messages.
    const kinesis = await step(
      'local kinesis',
      async () => {
        const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve());
        });
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        closers.push(
          () =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        );
        return { url };
      },
      (k) => k.url,
    );

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
      async () => {
        const dlq = await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetter }));
        const dlqArn = (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
          )
        ).Attributes?.QueueArn;
        const work = await sqs.send(
          new CreateQueueCommand({
            QueueName: names.work,
            Attributes: {
              VisibilityTimeout: '30',
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '5' }),
            },
          }),
        );
        const workArn = (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: work.QueueUrl,
              AttributeNames: ['QueueArn'],
            }),
          )
        ).Attributes?.QueueArn;
        if (!work.QueueUrl || !workArn) throw new Error('CreateQueue returned no URL/ARN');
        return { url: work.QueueUrl, arn: workArn };
      },
      (q) => q.url,
    );

    const outboxQueues = await step(
      'outbox queue',
      async () => {
        // CreateQueue with the same attributes returns the existing queue on a second start.
        const [outbox, dlq] = await Promise.all(
          [names.outbox, names.outboxDlq].map((QueueName) =>
            sqs.send(
              new CreateQueueCommand({
                QueueName,
                Attributes: { FifoQueue: 'true', VisibilityTimeout: '60' },
              }),
            ),
          ),
        );
        const arn = (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: outbox?.QueueUrl,
              AttributeNames: ['QueueArn'],
            }),
          )
        ).Attributes?.QueueArn;
        if (!outbox?.QueueUrl || !dlq?.QueueUrl || !arn) {
          throw new Error('CreateQueue returned no URL/ARN');
        }
        return { url: outbox.QueueUrl, arn, dlqUrl: dlq.QueueUrl };
      },
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
      async () => {
        const list = await callOk(client, 'ListCloudConnectors', { LambdaArn: fn.arn });
        const existing = list.Items?.find((i) => i.Id !== undefined)?.Id;
        if (existing) return existing;
        const created = await callOk(client, 'CreateCloudConnector', {
          Name: CONNECTOR_NAME,
          EndpointConfig: { lambda: { arn: fn.arn } },
          EndpointType: 'LAMBDA',
          Description: 'Reference connector for the simulated Acme device cloud',
        });
        return created.Id as string;
      },
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
      async () => {
        const secretArn = await ensureSecret(secrets, SECRET_NAME, OAUTH_CLIENT);
        const authUrl = `${vendor.url}/oauth/authorize`;
        const completeUrl = `${dashboard.url}/?linked=1`;
        const list = await callOk(client, 'ListConnectorDestinations', {
          CloudConnectorId: connectorId,
        });
        for (const summary of list.ConnectorDestinationList ?? []) {
          if (summary.Id === undefined || summary.Name !== DESTINATION_NAME) continue;
          const existing = await callOk(client, 'GetConnectorDestination', {
            Identifier: summary.Id,
          });
          // Ports can change between starts; a destination pointing at an old vendor URL is stale
          // (its links keep it: AuthConfig's URLs cannot be updated, so they break on refresh).
          if (existing.AuthConfig?.oAuth?.authUrl !== authUrl) continue;
          // The dashboard may have moved: the completion page is updatable.
          if (existing.AuthConfig.oAuth.oAuthCompleteRedirectUrl !== completeUrl) {
            await callOk(client, 'UpdateConnectorDestination', {
              Identifier: summary.Id,
              AuthConfig: { oAuthUpdate: { oAuthCompleteRedirectUrl: completeUrl } },
            });
          }
          return summary.Id;
        }
        const created = await callOk(client, 'CreateConnectorDestination', {
          Name: DESTINATION_NAME,
          CloudConnectorId: connectorId,
          AuthType: 'OAUTH',
          AuthConfig: {
            oAuth: {
              authUrl,
              tokenUrl: `${vendor.url}/oauth/token`,
              scope: 'devices:read devices:write',
              tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
              oAuthCompleteRedirectUrl: completeUrl,
            },
          },
          SecretsManager: { arn: secretArn.arn, versionId: secretArn.versionId },
        });
        return created.Id as string;
      },
      (id) => id,
    );

    await step(
      'notifications',
      async () => {
        const kinesisClient = new KinesisClient({
          ...awsConfig,
          endpoint: kinesis.url,
          requestHandler: new NodeHttpHandler(),
        });
        try {
          await kinesisClient.send(
            new CreateStreamCommand({ StreamName: NOTIFICATION_DESTINATION, ShardCount: 1 }),
          );
        } catch (error) {
          if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
        } finally {
          kinesisClient.destroy();
        }
        const destination = await client.send('CreateDestination', {
          Name: NOTIFICATION_DESTINATION,
          DeliveryDestinationType: 'KINESIS',
          DeliveryDestinationArn: `arn:aws:kinesis:${region}:${accountId}:stream/${NOTIFICATION_DESTINATION}`,
          RoleArn: `arn:aws:iam::${accountId}:role/${NOTIFICATION_DESTINATION}`,
          Description: 'c2c dev notifications - read from the local SSE stream',
        });
        if (!isOkOrConflict(destination.statusCode)) {
          throw upstreamError('CreateDestination', destination, JSON.stringify(destination.body));
        }
        for (const eventType of DEV_EVENT_TYPES) {
          const config = await client.send('CreateNotificationConfiguration', {
            EventType: eventType,
            DestinationName: NOTIFICATION_DESTINATION,
          });
          if (!isOkOrConflict(config.statusCode)) {
            throw upstreamError(
              `CreateNotificationConfiguration ${eventType}`,
              config,
              JSON.stringify(config.body),
            );
          }
        }
        return DEV_EVENT_TYPES.length;
      },
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

/**
 * `C2C_STORE_SQLITE_MODULE`: the built SQLite store of the stack's own `@c2c-kit/connector`, so a
 * connector without SQLite of its own (a `c2c init` project needs no native module) can still
 * share `C2C_STORE_SQLITE_PATH` across its workers. Left out when that build is not there.
 */
function sqliteStoreModule(): { C2C_STORE_SQLITE_MODULE?: string } {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve('@c2c-kit/connector')));
    while (!existsSync(join(dir, 'package.json'))) {
      if (dirname(dir) === dir) return {};
      dir = dirname(dir);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      exports?: Record<string, { default?: string }>;
    };
    const target = manifest.exports?.['./sqlite']?.default;
    const file = target === undefined ? undefined : join(dir, target);
    return file && existsSync(file) ? { C2C_STORE_SQLITE_MODULE: pathToFileURL(file).href } : {};
  } catch {
    return {};
  }
}

/**
 * The emulator reads its fault settings from its shared config object on every request, so
 * changing its fields takes effect at once (the handlers keep a reference to the same object).
 */
function setEmulatorFaults(target: FaultConfig, faults: Partial<FaultConfig>): void {
  for (const field of ['throttle', 'error'] as const) {
    const v = faults[field];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= 1)) {
      throw new UsageError('dev', `setFaults ${field}: expected a probability 0–1, got ${v}`);
    }
  }
  const latency = faults.latencyMs;
  if (latency !== undefined && !(Number.isFinite(latency) && latency >= 0)) {
    throw new UsageError('dev', `setFaults latencyMs: expected a number ≥ 0, got ${latency}`);
  }
  Object.assign(target, faults);
}
