import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { coreDeps } from '../../plugins/core-deps.js';
import { sqsStoreFor } from '../sqs/SqsStore.js';
import { sessionStoreOf } from '../sts/SessionStore.js';
import { EventSourceMappings } from './EventSourceMappings.js';
import { stsExecutionCredentials } from './executionRole.js';
import { FunctionJournal } from './journal.js';
import { LambdaHost } from './LambdaHost.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs the emulator's functions; the core invokes connectors through it. */
    lambdaHost: LambdaHost;
    /** The SQS event source mappings and their pollers. */
    lambdaEventSourceMappings: EventSourceMappings;
    /** Each function's recent invocations and output (`/_local/functions/:name/…`). */
    lambdaJournal: FunctionJournal;
  }
}

/** The name the Lambda route groups list in their `dependencies`. */
export const LAMBDA_HOST_PLUGIN = '@c2c-kit/emulator-lambda-host';

async function lambdaHost(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const journal = new FunctionJournal();
  const host = new LambdaHost({
    db,
    region: config.region,
    baseUrl: () => config.baseUrl(),
    credentials: config.credentials,
    executionCredentials: stsExecutionCredentials(sessionStoreOf(db, config)),
    onLog: (fn, line, requestId, arn) => {
      app.log.debug({ function: fn, requestId }, line);
      if (arn !== undefined) journal.recordLine(arn, line, requestId);
      config.functions?.onLog?.(fn, line, requestId);
    },
    onInvocation: (record) => {
      journal.recordInvocation(record.functionArn, record);
      config.functions?.onInvocation?.(record);
    },
  });
  const esm = new EventSourceMappings(db, host, () => sqsStoreFor(db));
  app.decorate('lambdaHost', host);
  app.decorate('lambdaEventSourceMappings', esm);
  app.decorate('lambdaJournal', journal);
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
 * Decorates `app.lambdaHost`, `app.lambdaEventSourceMappings` and `app.lambdaJournal` (not
 * encapsulated). Two service dependencies: event source mappings read the SQS plugin's queues,
 * and functions run with temporary credentials the STS plugin's session store issues.
 */
export const lambdaHostPlugin = fp(lambdaHost, {
  name: LAMBDA_HOST_PLUGIN,
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sqs', '@c2c-kit/emulator-sts'],
});
