import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RequestRejectedError } from '../../errors.js';
import { jsonBodyOf } from '../../protocols/requestBody.js';
import { sendJson } from './api.js';
import { FunctionRegistrationError } from './errors.js';
import type { FunctionInfo } from './functionRegistry.js';
import { LAMBDA_HOST_PLUGIN } from './hostPlugin.js';
import type { LambdaHost } from './LambdaHost.js';

/**
 * `/_local/functions`: register, list and remove functions without SigV4 (for tools and tests),
 * and read what a function did (`…/:name/invocations`, `…/:name/logs`, from the journal). A
 * function is registered in the configured region unless the body names another; the others take
 * a name (default account, configured region) or an ARN (any).
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

  /** The function a `:name` path parameter names, else 404. */
  const named = (request: FastifyRequest): FunctionInfo => {
    const name = (request.params as { name: string }).name;
    const info = host.getFunction(name);
    if (info === undefined) {
      throw new RequestRejectedError(
        'LOCAL_NO_FUNCTION',
        'ResourceNotFoundException',
        404,
        `Function not found: ${name.slice(0, 80)}`,
      );
    }
    return info;
  };
  /** `after` (a journal seq, default 0) and `limit` (1-1000, default 1000) of a journal read. */
  const window = (request: FastifyRequest): { after: number; limit: number } => {
    const q = request.query as Record<string, unknown>;
    const int = (key: string, fallback: number, min: number, max: number): number => {
      const raw = q[key];
      if (raw === undefined) return fallback;
      const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= min && n <= max)) {
        throw new RequestRejectedError(
          'LOCAL_BAD_QUERY',
          'ValidationException',
          400,
          `${key}: expected an integer from ${min} to ${max}, got ${JSON.stringify(String(raw).slice(0, 20))}`,
        );
      }
      return n;
    };
    return {
      after: int('after', 0, 0, Number.MAX_SAFE_INTEGER),
      limit: int('limit', 1000, 1, 1000),
    };
  };

  app.get('/_local/functions/:name/invocations', opts, async (request, reply) => {
    const info = named(request);
    const { after, limit } = window(request);
    // Events are JSON (Invoke refuses anything else); shown as the objects they are.
    const items = app.lambdaJournal
      .invocations(info.arn, after, limit)
      .map((i) => ({ ...i, event: jsonOrText(i.event) }));
    return sendJson(reply, 200, { Items: items, Seq: app.lambdaJournal.seq });
  });

  app.get('/_local/functions/:name/logs', opts, async (request, reply) => {
    const info = named(request);
    const { after, limit } = window(request);
    return sendJson(reply, 200, {
      Items: app.lambdaJournal.lines(info.arn, after, limit),
      Seq: app.lambdaJournal.seq,
    });
  });

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

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const lambdaLocalFunctionRoutes = fp(localFunctionRoutes, {
  name: '@c2c-kit/emulator-lambda-local',
  fastify: '5.x',
  encapsulate: true,
  dependencies: [LAMBDA_HOST_PLUGIN],
  decorators: { fastify: ['lambdaHost', 'lambdaJournal'] },
});
