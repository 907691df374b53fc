import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { coreDeps } from '../../plugins/core-deps.js';
import { toWireError } from '../../plugins/error-render.js';
import { rawBodyOf } from '../../protocols/requestBody.js';
import { sendJson } from './api.js';
import { FunctionUrlResponseError, LambdaServiceError } from './errors.js';
import {
  buildFunctionUrlEvent,
  mapFunctionUrlResult,
  parseFunctionUrlPath,
} from './functionUrl.js';
import { functionUrlConfigsFor } from './functionUrlConfigs.js';
import { LAMBDA_HOST_PLUGIN } from './hostPlugin.js';

/**
 * `ALL /lambda-url/<name>[.<region>.<accountId>]/*`: the Function URL front (payload format 2.0),
 * no SigV4 (AuthType NONE).
 */
async function functionUrlRoutes(app: FastifyInstance): Promise<void> {
  const host = app.lambdaHost;
  const urls = functionUrlConfigsFor(coreDeps(app).db);
  // Function URLs hand the exact bytes to the function whatever the content type, so this
  // context keeps every body raw instead of parsing JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    (request as unknown as { rawBody: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LambdaServiceError && error.code === 'TooManyRequestsException') {
      return sendJson(reply, 429, { Message: 'Rate Exceeded.' });
    }
    const wire = toWireError(error);
    if (wire.fault === 'server')
      request.log.error({ err: error }, 'unexpected error in Function URL');
    return sendJson(reply, wire.statusCode, { Message: wire.message });
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const name = (request.params as { name: string }).name;
    const arn = parseFunctionUrlPath(name, {
      accountId: host.defaultAccountId,
      region: host.region,
    });
    const info = arn === undefined ? undefined : host.getFunction(arn);
    if (!info || urls.of(info) === undefined) {
      return sendJson(reply, 404, {
        Message: `No function URL for function "${name.slice(0, 80)}"`,
      });
    }
    const [path = '', query = ''] = request.url.split(/\?(.*)/s);
    const prefix = path.indexOf('/', '/lambda-url/'.length);
    const rawPath = prefix === -1 ? '/' : path.slice(prefix);
    const event = buildFunctionUrlEvent(
      {
        method: request.method,
        rawPath,
        rawQueryString: query,
        headers: request.headers,
        body: rawBodyOf(request),
        sourceIp: request.ip,
      },
      `c2ckit${info.name.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 32),
      'anonymous',
    );
    const result = await host.invoke(info.arn, JSON.stringify(event));
    if (result.functionError) {
      return sendJson(reply, 502, { Message: 'Internal Server Error' });
    }
    let mapped: ReturnType<typeof mapFunctionUrlResult>;
    try {
      mapped = mapFunctionUrlResult(result.payload.toString('utf8'));
    } catch (error) {
      if (error instanceof FunctionUrlResponseError) {
        return sendJson(reply, 502, { Message: 'Internal Server Error' });
      }
      throw error;
    }
    reply.code(mapped.statusCode);
    for (const [k, v] of Object.entries(mapped.headers)) reply.header(k, v);
    if (mapped.cookies.length > 0) reply.header('set-cookie', mapped.cookies);
    return reply.send(mapped.body);
  };
  // The function gets the query string as it came; repeats are its business, as on AWS.
  const opts = { config: { sigv4: false, repeatableQuery: true } } as const;
  app.all('/lambda-url/:name', opts, handle);
  app.all('/lambda-url/:name/*', opts, handle);
}

export const lambdaFunctionUrlRoutes = fp(functionUrlRoutes, {
  name: '@c2c-kit/emulator-lambda-function-urls',
  fastify: '5.x',
  encapsulate: true,
  dependencies: [LAMBDA_HOST_PLUGIN],
  decorators: { fastify: ['lambdaHost'] },
});
