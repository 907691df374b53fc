import {
  formatIssue,
  fromHttpRequest,
  OPERATIONS,
  type OperationBinding,
  type OperationName,
  ServiceException,
  toErrorResponse,
  ValidationException,
} from '@c2c-kit/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MalformedBodyError, RequestRejectedError } from '../errors.js';
import { toWireError, type WireError } from '../plugins/error-render.js';
import { jsonBodyOf } from './requestBody.js';

/**
 * The restJson1 protocol: operations bound to HTTP method, path, query, headers and a JSON body;
 * errors named by `X-Amzn-ErrorType`. The managed-integrations service is served from its model
 * (`OPERATIONS` of `@c2c-kit/protocol`) by `modelledOperationRoutes`; Lambda's REST routes render
 * their own error bodies (`Type` member) over the same header.
 */

/** Renders an error restJson1 style: `X-Amzn-ErrorType` header + `{ "message": … }`. */
export function sendRestJsonError(
  reply: FastifyReply,
  wire: WireError,
  messageKey: 'message' | 'Message' = 'message',
): FastifyReply {
  return reply
    .code(wire.statusCode)
    .header('x-amzn-errortype', wire.awsCode)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ [messageKey]: wire.message }));
}

const MAX_MESSAGE = 2000;

function validationMessage(issues: readonly Parameters<typeof formatIssue>[0][]): string {
  const text = issues.map(formatIssue).join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text;
}

/**
 * Error handler of a modelled restJson1 service: a modelled exception as the model renders it
 * (`X-Amzn-ErrorType` + `{"Message": …, ResourceId?, ResourceType?}`), a request the core refused
 * by its AWS name and status, anything else a 500 whose details stay in the log.
 */
export function modelledErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let exception: ServiceException;
  if (error instanceof ServiceException) {
    exception = error;
  } else if (error instanceof MalformedBodyError) {
    exception = new ValidationException(error.message);
  } else {
    const wire = toWireError(error);
    if (wire.fault === 'server') request.log.error({ err: error }, 'restJson1 handler failed');
    exception =
      !(error instanceof RequestRejectedError) && wire.fault === 'server'
        ? new ServiceException({
            name: 'InternalServerException',
            message: 'Internal server error',
            statusCode: 500,
          })
        : new ServiceException({
            name: wire.awsCode,
            message: wire.message,
            statusCode: wire.statusCode,
          });
  }
  const response = toErrorResponse(exception);
  return reply
    .code(response.statusCode)
    .headers(response.headers)
    .send(JSON.stringify(response.body));
}

/** A handler as the route calls it: validated input in, output body out (undefined: empty). */
type AnyHandler<C> = (input: never, call: C) => unknown | Promise<unknown>;

export interface ModelledRoutesOptions<C> {
  /** The `awsService` routing constraint (the SigV4 signing name). */
  readonly awsService: string;
  /** Handlers by operation name; a modelled operation without one answers 501. */
  readonly handlers: Partial<Record<OperationName, AnyHandler<C>>>;
  /** Largest request body (413 above it). */
  readonly bodyLimit: number;
  /** The handler's call context for a request (who signed it, the raw body). */
  callOf(request: FastifyRequest): C;
}

/**
 * One route per modelled operation: the request is decoded and validated against the model
 * (`fromHttpRequest`; a 400 `ValidationException` naming every issue), handed to the operation's
 * handler, and the output sent with the operation's success code. Register inside an encapsulated
 * context whose error handler is `modelledErrorHandler`.
 */
export function modelledOperationRoutes<C>(
  scope: FastifyInstance,
  options: ModelledRoutesOptions<C>,
): void {
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    const op = OPERATIONS[name];
    const handler = options.handlers[name] as
      | ((input: unknown, call: C) => unknown | Promise<unknown>)
      | undefined;
    scope.route({
      method: op.method as 'GET',
      url: op.uri.replace(/\{([^}]+)\}/g, ':$1'),
      constraints: { awsService: options.awsService },
      // List members may repeat (`?Types=a&Types=b`; the model has none today); a repeated
      // scalar is refused.
      config: {
        repeatableQuery: (op as OperationBinding).queryBindings
          .filter((q) => q.type === 'list')
          .map((q) => q.name),
      },
      bodyLimit: options.bodyLimit,
      handler: async (request, reply) => {
        const parsed = fromHttpRequest(name, {
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | string[]>,
          // Only operations with header-bound members need the headers copied and lower-cased.
          headers:
            op.headerBindings.length > 0
              ? (request.headers as Record<string, string | string[] | undefined>)
              : undefined,
          body: jsonBodyOf(request),
        });
        if (!parsed.ok) throw new ValidationException(validationMessage(parsed.issues));
        if (handler === undefined) {
          throw new ServiceException({
            name: 'NotImplementedException',
            message: `${name} is not implemented by the c2c-kit emulator`,
            statusCode: 501,
          });
        }
        const output = await handler(parsed.value, options.callOf(request));
        reply.code(op.successCode);
        if (output === undefined) return reply.send();
        return reply.header('content-type', 'application/json').send(JSON.stringify(output));
      },
    });
  }
}
