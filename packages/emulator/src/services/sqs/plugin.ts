import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import {
  frameworkErrorToWire,
  sendAwsJson,
  sendAwsJsonError,
  targetOperation,
  targetText,
} from '../../protocols/awsJson.js';
import { jsonObjectBody } from '../../protocols/requestBody.js';
import { SqsError } from './errors.js';
import { messageHandlers } from './messageOperations.js';
import { queueHandlers } from './queueOperations.js';
import { bad, type Handler } from './request.js';
import { sqsStoreFor } from './SqsStore.js';

/**
 * SQS subset over the JSON protocol the current `@aws-sdk/client-sqs` speaks
 * (`application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`).
 */

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TYPE_PREFIX = 'com.amazonaws.sqs#';

const handlers: Record<string, Handler> = { ...queueHandlers, ...messageHandlers };

async function sqsRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const store = sqsStoreFor(db);
  // Long polls end (empty) as soon as the emulator starts closing.
  app.addHook('preClose', async () => store.close());

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof SqsError) return sendAwsJsonError(reply, CONTENT_TYPE, TYPE_PREFIX, error);
    const wire = frameworkErrorToWire(error, request);
    return sendAwsJsonError(reply, CONTENT_TYPE, TYPE_PREFIX, { ...wire, queryCode: wire.code });
  });

  app.post(
    '/',
    { constraints: { awsService: 'sqs' } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const op = targetOperation(request, 'AmazonSQS');
      const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
      if (!handler) {
        throw new SqsError(
          'UnsupportedOperation',
          `X-Amz-Target: expected AmazonSQS.<Operation> with one of ${Object.keys(handlers).join(', ')}, got ${targetText(request)}`,
          { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' },
        );
      }
      const input = jsonObjectBody(
        request,
        () =>
          new SqsError(
            'SerializationException',
            'request body: expected JSON, got text that does not parse',
          ),
        bad,
      );
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      const out = await handler(input, {
        store,
        config,
        caller: callerOf(request, config),
        signal: abort.signal,
      });
      return sendAwsJson(reply, CONTENT_TYPE, out);
    },
  );
}

async function sqs(app: FastifyInstance): Promise<void> {
  // Routes and their error handler live in a child context so the JSON error style stays local.
  await app.register(sqsRoutes);
}

/** Registers the SQS JSON-protocol route (`POST /`, constraint `awsService: 'sqs'`). */
export const sqsPlugin = fp(sqs, {
  name: '@c2c-kit/emulator-sqs',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sigv4'],
});
