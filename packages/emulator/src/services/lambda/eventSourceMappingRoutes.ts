import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { optArray, optBoolean, optInt, optString, reqString } from '../../protocols/jsonMembers.js';
import { bad, LAMBDA, LAMBDA_API_DEPENDENCIES, pageOf, requestObject, sendJson } from './api.js';
import type { EventSourceMapping } from './EventSourceMappings.js';
import { LambdaServiceError } from './errors.js';
import { parseFunctionRef } from './functionRef.js';

/** Create/Get/List/Update/DeleteEventSourceMapping (SQS sources), paths from the Lambda model. */

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

function uuidParam(request: FastifyRequest): string {
  const uuid = (request.params as { UUID?: string }).UUID ?? '';
  if (!UUID.test(uuid))
    throw bad(
      `UUID: expected an event source mapping UUID, got ${JSON.stringify(uuid.slice(0, 80))}`,
    );
  return uuid;
}

function notFound(uuid: string): LambdaServiceError {
  return new LambdaServiceError(
    'ResourceNotFoundException',
    `The resource you requested does not exist. (Service: Lambda, Status Code: 404, UUID: ${uuid})`,
  );
}

async function eventSourceMappingRoutes(app: FastifyInstance): Promise<void> {
  const { config } = coreDeps(app);
  const host = app.lambdaHost;
  const esm = app.lambdaEventSourceMappings;

  /**
   * The mapping the path names; one of another account or region is as missing as one that never
   * was.
   */
  const callersMapping = (request: FastifyRequest): EventSourceMapping => {
    const uuid = uuidParam(request);
    const m = esm.get(uuid);
    const caller = callerOf(request, config);
    if (!m || m.accountId !== caller.accountId || m.region !== caller.region) throw notFound(uuid);
    return m;
  };

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
      region: caller.region,
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
      functionArn = host.getFunction(functionName, caller)?.arn ?? `missing:${functionName}`;
    }
    const all = esm.list({
      accountId: caller.accountId,
      region: caller.region,
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

export const lambdaEventSourceMappingRoutes = fp(eventSourceMappingRoutes, {
  name: '@c2c-kit/emulator-lambda-event-source-mappings',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost', 'lambdaEventSourceMappings'] },
});
