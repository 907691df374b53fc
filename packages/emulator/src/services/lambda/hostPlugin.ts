import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { coreDeps } from '../../plugins/core-deps.js';
import { sqsStoreFor } from '../sqs/SqsStore.js';
import { sessionStoreOf } from '../sts/SessionStore.js';
import { EventSourceMappings } from './EventSourceMappings.js';
import { stsExecutionCredentials } from './executionRole.js';
import { LambdaHost } from './LambdaHost.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs the emulator's functions; the core invokes connectors through it. */
    lambdaHost: LambdaHost;
    /** The SQS event source mappings and their pollers. */
    lambdaEventSourceMappings: EventSourceMappings;
  }
}

/** The name the Lambda route groups list in their `dependencies`. */
export const LAMBDA_HOST_PLUGIN = '@c2c-kit/emulator-lambda-host';

async function lambdaHost(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const host = new LambdaHost({
    db,
    region: config.region,
    baseUrl: () => config.baseUrl(),
    credentials: config.credentials,
    executionCredentials: stsExecutionCredentials(sessionStoreOf(db, config)),
    onLog: (fn, line, requestId) => {
      app.log.debug({ function: fn, requestId }, line);
      config.functions?.onLog?.(fn, line, requestId);
    },
    onInvocation: (record) => config.functions?.onInvocation?.(record),
  });
  const esm = new EventSourceMappings(db, host, () => sqsStoreFor(db));
  app.decorate('lambdaHost', host);
  app.decorate('lambdaEventSourceMappings', esm);
  // Pollers start once the server listens, and stop before it closes. Not on `onReady`, which
  // runs before the port is bound: a waiting message would start a worker whose
  // AWS_ENDPOINT_URL has no port, and that warm worker would fail every call back.
  app.addHook('onListen', async () => esm.start());
  app.addHook('preClose', async () => {
    const pollers = esm.close();
    await host.close();
    await pollers;
  });
}

/**
 * Decorates `app.lambdaHost` and `app.lambdaEventSourceMappings` (not encapsulated). Two service
 * dependencies: event source mappings read the SQS plugin's queues, and functions run with
 * temporary credentials the STS plugin's session store issues.
 */
export const lambdaHostPlugin = fp(lambdaHost, {
  name: LAMBDA_HOST_PLUGIN,
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sqs', '@c2c-kit/emulator-sts'],
});
