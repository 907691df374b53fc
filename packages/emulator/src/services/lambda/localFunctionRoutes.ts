import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RequestRejectedError } from '../../errors.js';
import { jsonBodyOf } from '../../protocols/requestBody.js';
import { sendJson } from './api.js';
import { FunctionRegistrationError } from './errors.js';
import { LAMBDA_HOST_PLUGIN } from './hostPlugin.js';
import type { FunctionInfo, LambdaHost } from './LambdaHost.js';

/**
 * `/_local/functions`: register, list and remove functions without SigV4 (for tools and tests).
 * A function is registered in the configured region unless the body names another; `DELETE`
 * takes a name (default account, configured region) or an ARN (any).
 */
async function localFunctionRoutes(app: FastifyInstance): Promise<void> {
  const host = app.lambdaHost;
  const opts = { config: { sigv4: false } };
  const describe = (f: FunctionInfo): Record<string, unknown> => ({
    name: f.name,
    arn: f.arn,
    handler: f.handler,
    exportName: f.exportName,
    timeoutSeconds: f.timeoutSeconds,
    // Values may be secrets; only the names are listed.
    environmentKeys: Object.keys(f.environment),
    accountId: f.accountId,
    region: f.region,
    functionUrl: f.functionUrl,
    lastModified: f.lastModified.toISOString(),
  });

  app.post('/_local/functions', opts, async (request, reply) => {
    let body: unknown;
    try {
      body = jsonBodyOf(request) ?? {};
    } catch {
      throw new RequestRejectedError(
        'LOCAL_BAD_JSON',
        'SerializationException',
        400,
        'request body: expected JSON',
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RequestRejectedError(
        'LOCAL_BAD_FUNCTION',
        'ValidationException',
        400,
        'request body: expected a JSON object {name, handler, exportName?, environment?, timeoutSeconds?, accountId?, region?}',
      );
    }
    try {
      const info = host.registerFunction(body as Parameters<LambdaHost['registerFunction']>[0]);
      return sendJson(reply, 201, describe(info));
    } catch (error) {
      if (error instanceof FunctionRegistrationError) {
        throw new RequestRejectedError(
          'LOCAL_BAD_FUNCTION',
          'ValidationException',
          400,
          error.message,
        );
      }
      throw error;
    }
  });

  app.get('/_local/functions', opts, async (_request, reply) =>
    sendJson(reply, 200, { functions: host.listFunctions().map(describe) }),
  );

  app.delete('/_local/functions/:name', opts, async (request, reply) => {
    const name = (request.params as { name: string }).name;
    if (!host.deleteFunction(name)) {
      throw new RequestRejectedError(
        'LOCAL_NO_FUNCTION',
        'ResourceNotFoundException',
        404,
        `Function not found: ${name.slice(0, 80)}`,
      );
    }
    return reply.code(204).send();
  });
}

export const lambdaLocalFunctionRoutes = fp(localFunctionRoutes, {
  name: '@c2c-kit/emulator-lambda-local',
  fastify: '5.x',
  encapsulate: true,
  dependencies: [LAMBDA_HOST_PLUGIN],
  decorators: { fastify: ['lambdaHost'] },
});
