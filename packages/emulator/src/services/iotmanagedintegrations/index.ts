import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type KinesisDeliveryOptions, NotificationHub } from '../../notifications/hub.js';
import { rawTextOf } from '../../plugins/body.js';
import { modelledErrorHandler, modelledOperationRoutes } from '../../protocols/restJson.js';
import { GroupCommitter } from '../../store/group-commit.js';
import { serviceInvokeRefusal } from '../lambda/permissions.js';
import type { CallContext, HandlerMap, MiCaches, MiContext } from './context.js';
import { ConnectorInvoker } from './domain/invoke.js';
import { kinesisTargetFor } from './domain/notifications.js';
import { localRoutes } from './local.js';
import { associationHandlers } from './operations/associations.js';
import { connectorHandlers } from './operations/connectors.js';
import { discoveryHandlers } from './operations/discovery.js';
import { encryptionHandlers } from './operations/encryption.js';
import { eventHandlers } from './operations/events.js';
import { notificationHandlers } from './operations/notifications.js';
import { registrationHandlers } from './operations/registration.js';
import { schemaHandlers } from './operations/schemas.js';
import { tagHandlers } from './operations/tags.js';
import { thingDetailHandlers } from './operations/thingDetails.js';
import { thingHandlers } from './operations/things.js';
import { MiStores } from './stores/index.js';

export interface ManagedIntegrationsOptions {
  /** Kinesis endpoint for notification deliveries (default: `AWS_ENDPOINT_URL_KINESIS`). */
  readonly kinesisEndpoint?: string;
  /** Bounds of each Kinesis delivery (per-attempt timeout, attempts, backoff, max pending). */
  readonly notificationDelivery?: KinesisDeliveryOptions;
  /**
   * Connector invocation: per-attempt timeout (2000), retries (5), backoff step in ms (50), and
   * how long a command waits for its DEVICE_COMMAND_RESPONSE after the ACK (60000).
   */
  readonly invoke?: {
    timeoutMs?: number;
    retries?: number;
    backoffMs?: number;
    responseWaitMs?: number;
  };
}

/** What the managed-integrations service exposes on the root instance (`app.managedIntegrations`). */
export interface ManagedIntegrationsHandle {
  readonly stores: MiStores;
  readonly hub: NotificationHub;
  readonly committer: GroupCommitter;
  /** Waits for background work (connector invocations after 201/202, Kinesis deliveries). */
  drain(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    managedIntegrations: ManagedIntegrationsHandle;
  }
}

/** Largest managed-integrations request body (413 above it). */
export const MI_BODY_LIMIT = 1024 * 1024;

async function managedIntegrations(
  app: FastifyInstance,
  options: ManagedIntegrationsOptions,
): Promise<void> {
  const stores = new MiStores(app.db, app.emulatorConfig.region);
  // Cluster state merged by a batch's events is written once per batch, just before its commit.
  const committer = new GroupCommitter(app.db, stores.commitHooks());
  const config = app.emulatorConfig;
  const caches: MiCaches = { connectorAccount: new Map(), route: new Map() };
  const targets = new Map<string, ReturnType<typeof kinesisTargetFor> | null>();
  const pending = new Set<Promise<void>>();
  const hub = new NotificationHub({
    region: config.region,
    kinesisEndpoint: options.kinesisEndpoint ?? process.env.AWS_ENDPOINT_URL_KINESIS,
    delivery: options.notificationDelivery,
    credentials: config.credentials[0] as (typeof config.credentials)[0],
    resolveTarget: (account, eventType, region) => {
      const k = `${account}|${region}|${eventType}`;
      let t = targets.get(k);
      if (t === undefined) {
        t = kinesisTargetFor({ stores }, { account, region }, eventType) ?? null;
        targets.set(k, t);
      }
      return t ?? undefined;
    },
    onInvalid: (error, eventType) => {
      app.log.error({ eventType, err: (error as Error).message }, 'notification failed validation');
    },
    onDeliveryError: (error, target) => {
      app.log.warn(
        { destination: target.destinationName, err: (error as Error).message },
        'Kinesis notification delivery failed',
      );
    },
    onDeliverySkipped: (target) => {
      app.log.warn(
        { destination: target.destinationName, streamArn: target.streamArn },
        `Kinesis delivery to destination "${target.destinationName}" skipped: no Kinesis endpoint is configured, and the emulator never calls real AWS. Set --kinesis-endpoint <url> (option kinesisEndpoint, or AWS_ENDPOINT_URL_KINESIS) to deliver; notifications still reach /_local/notifications and the SSE stream`,
      );
    },
  });
  const invoker = new ConnectorInvoker({
    host: app.lambdaHost,
    authorize: (arn, caller) => serviceInvokeRefusal(app.db, app.lambdaHost, arn, caller),
    faults: config.faults,
    ...options.invoke,
  });
  const ctx: MiContext = {
    stores,
    hub,
    invoker,
    committer,
    config,
    secrets: app.secrets,
    log: app.log,
    caches,
    background(task) {
      const p = task()
        .catch((error: unknown) => {
          app.log.error({ err: error }, 'background task failed');
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    invalidate() {
      caches.connectorAccount.clear();
      caches.route.clear();
      targets.clear();
    },
  };
  const handlers: HandlerMap = {
    ...connectorHandlers(ctx),
    ...associationHandlers(ctx),
    ...thingHandlers(ctx),
    ...discoveryHandlers(ctx),
    ...registrationHandlers(ctx),
    ...eventHandlers(ctx),
    ...notificationHandlers(ctx),
    ...thingDetailHandlers(ctx),
    ...schemaHandlers(ctx),
    ...tagHandlers(ctx),
    ...encryptionHandlers(ctx),
  };

  const handle: ManagedIntegrationsHandle = {
    stores,
    hub,
    committer,
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      committer.flush();
      await hub.drain();
    },
  };
  app.decorate('managedIntegrations', handle);
  app.addHook('onClose', async () => {
    await handle.drain();
    await hub.close();
  });

  // Routes live in their own encapsulated context so the restJson1 error handler applies only here.
  await app.register(async (scope) => {
    scope.setErrorHandler(modelledErrorHandler);
    modelledOperationRoutes<CallContext>(scope, {
      awsService: 'iotmanagedintegrations',
      handlers,
      bodyLimit: MI_BODY_LIMIT,
      callOf: (request) => ({
        account: request.aws.accountId,
        region: request.aws.region,
        log: request.log,
        rawBody: request.rawBody,
        rawText: rawTextOf(request),
        clientGone: () => socketClosed(request.raw.socket),
      }),
    });
    await scope.register(localRoutes, { ctx });
  });
}

/** Resolves once `socket` has closed (at once when it already has). */
function socketClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

export const managedIntegrationsPlugin = fp(managedIntegrations, {
  name: '@c2c-kit/emulator-iotmanagedintegrations',
  fastify: '5.x',
  // Invokes connectors through the Lambda host and reads OAuth client secrets from Secrets
  // Manager: both decorate the instance before this plugin runs.
  dependencies: [
    '@c2c-kit/emulator-db',
    '@c2c-kit/emulator-sigv4',
    '@c2c-kit/emulator-lambda',
    '@c2c-kit/emulator-secretsmanager',
  ],
});
