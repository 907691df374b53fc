import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  type EmulatorConfig,
  type EmulatorCredential,
  type FaultConfig,
  type FunctionObserver,
  NO_FAULTS,
} from './config.js';
import { openDataDir } from './credentials.js';
import { EmulatorConfigError } from './errors.js';
import { faultIssues } from './faults.js';
import { healthRoutes } from './local/health.js';
import { awsServiceConstraint } from './plugins/aws-service.js';
import { bodyPlugin, DEFAULT_BODY_LIMIT } from './plugins/body.js';
import { sqlitePlugin } from './plugins/db.js';
import { rootErrorHandler } from './plugins/error-render.js';
import { addLocalGuard } from './plugins/local-guard.js';
import { queryPlugin } from './plugins/query.js';
import { sigv4Plugin } from './plugins/sigv4.js';
import { dynamoDbPlugin } from './services/dynamodb/plugin.js';
import {
  type ManagedIntegrationsOptions,
  managedIntegrationsPlugin,
} from './services/iotmanagedintegrations/index.js';
import { EVENT_TABLES } from './services/iotmanagedintegrations/stores/migrate.js';
import { lambdaPlugin } from './services/lambda/index.js';
import { secretsManagerPlugin } from './services/secretsmanager/index.js';
import { sqsPlugin } from './services/sqs/index.js';
import { stsPlugin } from './services/sts/index.js';
import { type EventRetention, eventRetentionPlugin, resolveRetention } from './store/retention.js';
import { type ServerTimeoutOptions, serverTimeouts } from './timeouts.js';

declare module 'fastify' {
  interface FastifyInstance {
    emulatorConfig: EmulatorConfig;
  }
}

export interface EmulatorOptions extends ServerTimeoutOptions {
  /** Port for `startEmulator` (0 = any free port, the default). */
  readonly port?: number;
  /** Interface for `startEmulator`; `127.0.0.1` by default. */
  readonly host?: string;
  /**
   * Let `startEmulator` listen on a `host` other machines can reach (`0.0.0.0`, a LAN address);
   * refused otherwise: the local APIs (`/_local/*`, Function URLs, `verify: false`) are unsigned.
   */
  readonly allowNonLoopback?: boolean;
  /** Directory for `emulator.sqlite`; state survives restarts. */
  readonly dataDir?: string;
  /** Keep everything in `:memory:` (the default when no `dataDir` is given). */
  readonly memory?: boolean;
  /**
   * Access keys accepted by SigV4; the first is the default account. Unset: one key pair for
   * `accountId`, generated once per `dataDir` (kept in its `credentials.json`, 0600) or per start
   * in memory. Read the result from `app.emulatorConfig.credentials` / `running.credentials`.
   */
  readonly credentials?: readonly EmulatorCredential[];
  /** Account of the generated key pair (default `DEFAULT_ACCOUNT_ID`); unused with `credentials`. */
  readonly accountId?: string;
  readonly region?: string;
  /** Strict SigV4 verification (default true). */
  readonly verify?: boolean;
  /**
   * Caps the lifetime of every temporary credential the emulator issues (STS, Lambda execution
   * roles), in milliseconds, so tests can watch them expire; unset, they last as long as on AWS.
   */
  readonly maxSessionLifetimeMs?: number;
  readonly faults?: Partial<FaultConfig>;
  /** Fastify/pino logger options; off by default. */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Extra names the emulator answers to (`Host` header), beyond its listening address (and the
   * loopback names on a loopback address); `name` or `name:port`. See docs/security.md.
   */
  readonly allowedHosts?: readonly string[];
  /** Largest request body in bytes (413 above it). */
  readonly bodyLimit?: number;
  /** Kinesis endpoint for notification deliveries (default `AWS_ENDPOINT_URL_KINESIS`). */
  readonly kinesisEndpoint?: string;
  /** Bounds of each Kinesis delivery: `timeoutMs` 2000 per attempt, `attempts` 3, `backoffMs`, `maxPending`. */
  readonly notificationDelivery?: ManagedIntegrationsOptions['notificationDelivery'];
  /** Connector invocation tuning (timeout per attempt, retries, backoff step). */
  readonly invoke?: ManagedIntegrationsOptions['invoke'];
  /** Watches the hosted Lambda functions' output and invocations (`c2c dev` prints them). */
  readonly functions?: FunctionObserver;
  /**
   * Which stored connector events (accepted and rejected) to keep: `{ count }` newest,
   * `{ maxAgeMs }`, `'all'`, or `--retain-events` text (`"100000"`, `"7d"`, `"off"`). Default
   * the newest 100,000. Older ones are deleted in small steps while the emulator runs.
   */
  readonly retainEvents?: EventRetention | string;
}

function checkOptions(options: EmulatorOptions): void {
  if (options.memory === true && options.dataDir !== undefined) {
    throw new EmulatorConfigError('options: give either dataDir or memory: true, not both');
  }
  const credentials = options.credentials;
  if (credentials !== undefined) {
    if (credentials.length === 0) {
      throw new EmulatorConfigError('options.credentials: expected at least one key pair, got []');
    }
    credentials.forEach((c, i) => {
      for (const field of ['accessKeyId', 'secretAccessKey', 'accountId'] as const) {
        if (typeof c[field] !== 'string' || c[field] === '') {
          throw new EmulatorConfigError(
            `options.credentials[${i}].${field}: expected a non-empty string`,
          );
        }
      }
      if (!/^\d{12}$/.test(c.accountId)) {
        throw new EmulatorConfigError(
          `options.credentials[${i}].accountId: expected 12 digits, got "${c.accountId}"`,
        );
      }
    });
  }
  if (options.accountId !== undefined && !/^\d{12}$/.test(options.accountId)) {
    throw new EmulatorConfigError(
      `options.accountId: expected 12 digits, got "${String(options.accountId).slice(0, 20)}"`,
    );
  }
  const cap = options.maxSessionLifetimeMs;
  if (cap !== undefined && !(Number.isSafeInteger(cap) && cap > 0)) {
    throw new EmulatorConfigError(
      `options.maxSessionLifetimeMs: expected a positive integer, got ${String(cap).slice(0, 20)}`,
    );
  }
  const [faultIssue] = faultIssues(options.faults ?? {});
  if (faultIssue !== undefined) throw new EmulatorConfigError(`options.faults.${faultIssue}`);
}

function noSchemas(): never {
  throw new EmulatorConfigError(
    'route schema: the emulator validates requests with each service model, not JSON schemas',
  );
}

/**
 * Builds the emulator app (every AWS service on one endpoint, routed by SigV4 credential scope)
 * without listening. Call `app.ready()` / `app.inject()` in tests, or use `startEmulator`.
 */
export function buildEmulator(options: EmulatorOptions = {}): FastifyInstance {
  checkOptions(options);
  const retention = resolveRetention(options.retainEvents);
  // With a data dir: created 0700, locked against a second emulator, holding the key pair.
  const dataDir = openDataDir(options.memory === true ? undefined : options.dataDir, {
    credentials: options.credentials,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
  });
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...serverTimeouts(options),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // No HEAD twin for every GET route: AWS SDKs never send HEAD to these operations (an unknown
    // method gets UnknownOperationException, as for any other), and the twins were a third of
    // the routes a start registers.
    exposeHeadRoutes: false,
    // AWS paths carry ARNs with ':' and encoded '/'; longer ids than find-my-way's default 100.
    routerOptions: { maxParamLength: 2048, constraints: { awsService: awsServiceConstraint } },
    // No route declares a JSON schema (each service validates with its own model): Fastify's
    // default compilers would load and build ajv and fast-json-stringify on every start for
    // nothing, so a schema added by mistake fails at registration instead.
    schemaController: {
      compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
    },
  } as FastifyServerOptions);

  const host = options.host ?? '127.0.0.1';
  const config: EmulatorConfig = {
    region: options.region ?? DEFAULT_REGION,
    credentials: dataDir.credentials,
    verify: options.verify ?? true,
    faults: { ...NO_FAULTS, ...options.faults },
    ...(options.maxSessionLifetimeMs !== undefined
      ? { maxSessionLifetimeMs: options.maxSessionLifetimeMs }
      : {}),
    ...(options.functions ? { functions: options.functions } : {}),
    baseUrl() {
      const address = app.server.address() as AddressInfo | null;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const hostPart = shown.includes(':') ? `[${shown}]` : shown;
      return address === null ? `http://${hostPart}` : `http://${hostPart}:${address.port}`;
    },
  };
  app.decorate('emulatorConfig', config);
  // Closed to web pages: Host check everywhere, same-origin JSON on the local API (security.md).
  addLocalGuard(app, { allowedHosts: options.allowedHosts, verify: config.verify });
  app.addHook('onClose', async () => dataDir.release());
  // Every response carries the request id, as AWS does (SDKs expose it as RequestId).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amzn-requestid', request.id);
    done();
  });
  app.setErrorHandler(rootErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .header('x-amzn-errortype', 'UnknownOperationException')
      .send({
        __type: 'UnknownOperationException',
        message: `No operation matches ${request.method} ${request.url.split('?')[0]}`,
      });
  });

  app.register(
    fp(
      async (root) => {
        await root.register(sqlitePlugin, {
          dataDir: options.memory === true ? undefined : options.dataDir,
          memory: options.memory === true || options.dataDir === undefined,
        });
        await root.register(queryPlugin);
        await root.register(bodyPlugin);
        await root.register(sigv4Plugin);
        // Each service plugin declares the plugins it needs (`dependencies`); SQS and STS come
        // before Lambda, whose host reads both.
        await root.register(sqsPlugin);
        await root.register(stsPlugin);
        await root.register(secretsManagerPlugin);
        await root.register(lambdaPlugin);
        await root.register(dynamoDbPlugin, {
          ...(options.memory === true || options.dataDir === undefined
            ? {}
            : { dataDir: options.dataDir }),
        });
        await root.register(managedIntegrationsPlugin, {
          kinesisEndpoint: options.kinesisEndpoint,
          notificationDelivery: options.notificationDelivery,
          invoke: options.invoke,
        });
        await root.register(eventRetentionPlugin, { retention, tables: EVENT_TABLES });
        await root.register(healthRoutes);
      },
      { name: '@c2c-kit/emulator-core', fastify: '5.x' },
    ),
  );
  return app;
}
