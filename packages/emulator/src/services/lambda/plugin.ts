import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RequestRejectedError } from '../../errors.js';
import { toWireError } from '../../plugins/error-render.js';
import {
  callerOf,
  coreDeps,
  type EmulatorConfigLike,
  jsonBody,
  rawBodyOf,
} from '../sqs/context.js';
import { optArray, optBoolean, optInt, optString, reqString } from '../sqs/fields.js';
import { sqsStoreFor } from '../sqs/SqsStore.js';
import { sessionStoreOf } from '../sts/SessionStore.js';
import {
  bad,
  functionConfiguration,
  functionNameParam,
  lambdaTime,
  pageOf,
  qualified,
  requestObject,
  sendJson,
} from './api.js';
import { type EventSourceMapping, EventSourceMappings } from './EventSourceMappings.js';
import {
  FunctionRegistrationError,
  FunctionUrlResponseError,
  LAMBDA_ERRORS,
  LambdaServiceError,
} from './errors.js';
import { stsExecutionCredentials } from './executionRole.js';
import { buildFunctionUrlEvent, mapFunctionUrlResult } from './functionUrl.js';
import { type FunctionInfo, LambdaHost, parseFunctionRef } from './LambdaHost.js';
import { versionRoutes } from './versionRoutes.js';

declare module 'fastify' {
  interface FastifyInstance {
    lambdaHost: LambdaHost;
  }
}

const LAMBDA = { awsService: 'lambda' } as const;

function sendLambdaError(
  reply: FastifyReply,
  code: string,
  status: number,
  message: string,
): FastifyReply {
  const known = (LAMBDA_ERRORS as Record<string, { messageKey: string } | undefined>)[code];
  return reply
    .code(status)
    .header('x-amzn-errortype', code)
    .header('content-type', 'application/json')
    .send(
      JSON.stringify({
        Type: status >= 500 ? 'Service' : 'User',
        [known?.messageKey ?? 'message']: message,
      }),
    );
}

/** Lambda renders body and signature failures in its own style; only bugs stay 5xx. */
function lambdaErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof LambdaServiceError) {
    return sendLambdaError(reply, error.code, error.statusCode, error.message);
  }
  const wire = toWireError(error);
  if (wire.fault === 'server')
    request.log.error({ err: error }, 'unexpected error in Lambda route');
  const code: string =
    wire.awsCode === 'SerializationException'
      ? 'InvalidRequestContentException'
      : wire.statusCode === 413
        ? 'RequestTooLargeException'
        : wire.awsCode;
  return sendLambdaError(reply, code, wire.statusCode, wire.message);
}

function mappingOut(m: EventSourceMapping, state?: string): Record<string, unknown> {
  return {
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    LastModified: m.lastModified.getTime() / 1000,
    LastProcessingResult: m.lastProcessingResult,
    State: state ?? (m.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: m.functionResponseTypes,
    EventSourceMappingArn: `arn:aws:lambda:${m.region}:${m.accountId}:event-source-mapping:${m.uuid}`,
  };
}

/** The FunctionName of an event source mapping: a function name or ARN (no partial ARN). */
function requireFunctionRef(functionName: string): void {
  if (!parseFunctionRef(functionName)) {
    throw bad(
      `FunctionName: expected a function name or ARN, got ${JSON.stringify(functionName.slice(0, 300))}`,
    );
  }
}

/**
 * The polling settings Create- and UpdateEventSourceMapping share, validated in this order; the
 * ones the request leaves out are left out here too, so an update keeps their current values.
 */
function mappingSettings(input: Record<string, unknown>): {
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  enabled?: boolean;
  functionResponseTypes?: string[];
} {
  const batchSize = optInt(input, 'BatchSize', bad, { min: 1, max: 10_000 });
  const window = optInt(input, 'MaximumBatchingWindowInSeconds', bad, { min: 0, max: 300 });
  const enabled = optBoolean(input, 'Enabled', bad);
  const types = optArray(input, 'FunctionResponseTypes', bad)?.map((t, i) => {
    if (t !== 'ReportBatchItemFailures') {
      throw bad(
        `FunctionResponseTypes[${i}]: expected "ReportBatchItemFailures", got ${JSON.stringify(t)}`,
      );
    }
    return t;
  });
  return {
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(window !== undefined ? { maximumBatchingWindowInSeconds: window } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    ...(types !== undefined ? { functionResponseTypes: types } : {}),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RouteOptions {
  host: LambdaHost;
  esm: EventSourceMappings;
  config: EmulatorConfigLike;
}

/** Lambda REST API (restJson1), paths from the Lambda model. */
async function lambdaApiRoutes(
  app: FastifyInstance,
  { host, esm, config }: RouteOptions,
): Promise<void> {
  app.setErrorHandler(lambdaErrorHandler);
  await versionRoutes(app, { host, config });

  /** The caller's function the path names, `?Qualifier=` applied (names up to `maxNameLength`). */
  const requestedFunction = (request: FastifyRequest, maxNameLength?: number): FunctionInfo => {
    const caller = callerOf(request, config);
    return host.requireFunction(
      qualified(request, functionNameParam(request, maxNameLength)),
      caller.accountId,
    );
  };

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
        host.requireFunction(ref, caller.accountId);
        return reply.code(204).send();
      }
      const result = await host.invoke(ref, rawBodyOf(request), {
        invocationType: type,
        accountId: caller.accountId,
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

  app.get(
    '/2015-03-31/functions/:FunctionName',
    { constraints: LAMBDA },
    async (request, reply) => {
      const info = requestedFunction(request);
      return sendJson(reply, 200, {
        Configuration: functionConfiguration(info, host.versions.get(info, info.version)),
        Code: { RepositoryType: 'S3', Location: `file://${info.handler}` },
        Tags: {},
      });
    },
  );

  app.get(
    '/2015-03-31/functions/:FunctionName/configuration',
    { constraints: LAMBDA },
    async (request, reply) => {
      const info = requestedFunction(request);
      return sendJson(
        reply,
        200,
        functionConfiguration(info, host.versions.get(info, info.version)),
      );
    },
  );

  app.get(
    '/2021-10-31/functions/:FunctionName/url',
    { constraints: LAMBDA },
    async (request, reply) => {
      const info = requestedFunction(request, 140);
      return sendJson(reply, 200, {
        FunctionUrl: info.functionUrl,
        FunctionArn: info.arn,
        AuthType: 'NONE',
        CreationTime: lambdaTime(info.createdAt),
        LastModifiedTime: lambdaTime(info.lastModified),
        InvokeMode: 'BUFFERED',
      });
    },
  );

  const createMapping = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const caller = callerOf(request, config);
    const input = requestObject(request);
    const functionName = reqString(input, 'FunctionName', bad, { min: 1, max: 256 });
    const eventSourceArn = reqString(input, 'EventSourceArn', bad, { min: 12, max: 1024 });
    if (!/^arn:aws[a-zA-Z-]*:sqs:/.test(eventSourceArn)) {
      throw bad(
        `EventSourceArn: only SQS queues are supported here, got ${JSON.stringify(eventSourceArn.slice(0, 200))}`,
      );
    }
    const settings = mappingSettings(input);
    requireFunctionRef(functionName);
    const m = esm.create({
      functionName,
      eventSourceArn,
      accountId: caller.accountId,
      ...settings,
      functionResponseTypes: settings.functionResponseTypes ?? [],
    });
    return sendJson(reply, 202, mappingOut(m, 'Creating'));
  };
  app.post('/2015-03-31/event-source-mappings', { constraints: LAMBDA }, createMapping);
  app.post('/2015-03-31/event-source-mappings/', { constraints: LAMBDA }, createMapping);

  const listMappings = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const caller = callerOf(request, config);
    const q = request.query as Record<string, unknown>;
    const eventSourceArn = optString(q, 'EventSourceArn', bad, { max: 1024 });
    const functionName = optString(q, 'FunctionName', bad, { min: 1, max: 256 });
    let functionArn: string | undefined;
    if (functionName !== undefined) {
      functionArn =
        host.getFunction(functionName, caller.accountId)?.arn ?? `missing:${functionName}`;
    }
    const all = esm.list({
      accountId: caller.accountId,
      ...(functionArn !== undefined ? { functionArn } : {}),
      ...(eventSourceArn !== undefined ? { eventSourceArn } : {}),
    });
    const { items, next } = pageOf(request, all, 100);
    return sendJson(reply, 200, {
      EventSourceMappings: items.map((m) => mappingOut(m)),
      ...(next ? { NextMarker: next } : {}),
    });
  };
  app.get('/2015-03-31/event-source-mappings', { constraints: LAMBDA }, listMappings);
  app.get('/2015-03-31/event-source-mappings/', { constraints: LAMBDA }, listMappings);

  const uuidParam = (request: FastifyRequest): string => {
    const uuid = (request.params as { UUID?: string }).UUID ?? '';
    if (!UUID.test(uuid))
      throw bad(
        `UUID: expected an event source mapping UUID, got ${JSON.stringify(uuid.slice(0, 80))}`,
      );
    return uuid;
  };
  const notFound = (uuid: string): LambdaServiceError =>
    new LambdaServiceError(
      'ResourceNotFoundException',
      `The resource you requested does not exist. (Service: Lambda, Status Code: 404, UUID: ${uuid})`,
    );
  /** The mapping the path names; another account's mapping is as missing as one that never was. */
  const callersMapping = (request: FastifyRequest): EventSourceMapping => {
    const uuid = uuidParam(request);
    const m = esm.get(uuid);
    if (!m || m.accountId !== callerOf(request, config).accountId) throw notFound(uuid);
    return m;
  };

  app.get(
    '/2015-03-31/event-source-mappings/:UUID',
    { constraints: LAMBDA },
    async (request, reply) => {
      return sendJson(reply, 200, mappingOut(callersMapping(request)));
    },
  );

  app.put(
    '/2015-03-31/event-source-mappings/:UUID',
    { constraints: LAMBDA },
    async (request, reply) => {
      const uuid = callersMapping(request).uuid;
      const input = requestObject(request);
      const functionName = optString(input, 'FunctionName', bad, { min: 1, max: 256 });
      if (functionName !== undefined) requireFunctionRef(functionName);
      const m = esm.update(uuid, {
        ...(functionName !== undefined ? { functionName } : {}),
        ...mappingSettings(input),
      }) as EventSourceMapping;
      return sendJson(reply, 202, mappingOut(m, m.enabled ? 'Enabling' : 'Disabling'));
    },
  );

  app.delete(
    '/2015-03-31/event-source-mappings/:UUID',
    { constraints: LAMBDA },
    async (request, reply) => {
      const uuid = callersMapping(request).uuid;
      const m = esm.delete(uuid) as EventSourceMapping;
      return sendJson(reply, 202, mappingOut(m, 'Deleting'));
    },
  );
}

/** `ALL /lambda-url/<name>/*`: the Function URL front (payload format 2.0), no SigV4 (AuthType NONE). */
async function functionUrlRoutes(
  app: FastifyInstance,
  { host }: { host: LambdaHost },
): Promise<void> {
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
    const info = host.getFunction(name);
    if (!info || parseFunctionRef(name)?.name !== name) {
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
    const result = await host.invoke(info.arn, JSON.stringify(event), {
      accountId: info.accountId,
    });
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

/** `/_local/functions`: register, list and remove functions without SigV4 (for tools and tests). */
async function localFunctionRoutes(
  app: FastifyInstance,
  { host }: { host: LambdaHost },
): Promise<void> {
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
    functionUrl: f.functionUrl,
    lastModified: f.lastModified.toISOString(),
  });

  app.post('/_local/functions', opts, async (request, reply) => {
    let body: unknown;
    try {
      body = jsonBody(request);
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
        'request body: expected a JSON object {name, handler, exportName?, environment?, timeoutSeconds?}',
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

async function lambda(app: FastifyInstance): Promise<void> {
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
  // Pollers start once every plugin (SQS included) is ready, and stop before the server closes.
  app.addHook('onReady', async () => esm.start());
  app.addHook('preClose', async () => {
    const pollers = esm.close();
    await host.close();
    await pollers;
  });
  await app.register(lambdaApiRoutes, { host, esm, config });
  await app.register(functionUrlRoutes, { host });
  await app.register(localFunctionRoutes, { host });
}

/**
 * Registers the Lambda REST routes, Function URL routes and `/_local/functions`, and decorates
 * `app.lambdaHost` (used by the core to invoke connectors).
 */
export const lambdaPlugin = fp(lambda, { name: '@c2c-kit/emulator-lambda', fastify: '5.x' });
