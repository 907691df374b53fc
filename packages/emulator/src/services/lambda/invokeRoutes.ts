import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { rawBodyOf } from '../../protocols/requestBody.js';
import { bad, functionNameParam, LAMBDA, LAMBDA_API_DEPENDENCIES, qualified } from './api.js';

/** Invoke (`RequestResponse`, `Event`, `DryRun`), path and headers from the Lambda model. */
async function invokeRoutes(app: FastifyInstance): Promise<void> {
  const { config } = coreDeps(app);
  const host = app.lambdaHost;

  app.post(
    '/2015-03-31/functions/:FunctionName/invocations',
    { constraints: LAMBDA },
    async (request, reply) => {
      const caller = callerOf(request, config);
      const ref = qualified(request, functionNameParam(request));
      const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
      if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
        throw bad(
          `X-Amz-Invocation-Type: expected RequestResponse, Event or DryRun, got ${JSON.stringify(type)}`,
        );
      }
      const logType = request.headers['x-amz-log-type'] ?? 'None';
      if (logType !== 'None' && logType !== 'Tail') {
        throw bad(`X-Amz-Log-Type: expected None or Tail, got ${JSON.stringify(logType)}`);
      }
      let clientContext: unknown;
      const cc = request.headers['x-amz-client-context'];
      if (typeof cc === 'string' && cc !== '') {
        try {
          clientContext = JSON.parse(Buffer.from(cc, 'base64').toString('utf8'));
        } catch {
          throw bad('X-Amz-Client-Context: expected base64-encoded JSON');
        }
      }
      if (type === 'DryRun') {
        host.requireFunction(ref, caller);
        return reply.code(204).send();
      }
      const result = await host.invoke(ref, rawBodyOf(request), {
        invocationType: type,
        accountId: caller.accountId,
        region: caller.region,
        ...(clientContext !== undefined ? { clientContext } : {}),
      });
      reply.code(result.statusCode).header('x-amz-executed-version', result.executedVersion);
      if (result.functionError) reply.header('x-amz-function-error', result.functionError);
      if (logType === 'Tail' && type === 'RequestResponse') {
        reply.header('x-amz-log-result', Buffer.from(result.logTail, 'utf8').toString('base64'));
      }
      if (result.statusCode === 202) return reply.send();
      return reply.header('content-type', 'application/json').send(result.payload);
    },
  );
}

export const lambdaInvokeRoutes = fp(invokeRoutes, {
  name: '@c2c-kit/emulator-lambda-invoke',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});
