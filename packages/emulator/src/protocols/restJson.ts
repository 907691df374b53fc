import {
  formatIssue,
  fromHttpRequest,
  OPERATIONS,
  type OperationBinding,
  type OperationName,
  type OperationShapes,
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

/**
 * What operation `K`'s handler answers: its modelled output, or `undefined` (an empty body) when
 * the output has no members.
 */
export type OperationReply<K extends OperationName> =
  OperationShapes[K]['output'] extends Record<string, never>
    ? OperationShapes[K]['output'] | undefined
    : OperationShapes[K]['output'];

/**
 * The handler of operation `K`, typed by the model (as smithy's server handlers are): its
 * validated input in, its output out; `C` is the service's call context.
 */
export type OperationHandler<K extends OperationName, C> = (
  input: OperationShapes[K]['input'],
  call: C,
) => OperationReply<K> | Promise<OperationReply<K>>;

/** Handlers by operation name; a modelled operation without one answers 501. */
export type OperationHandlers<C> = { [K in OperationName]?: OperationHandler<K, C> };

/**
 * The members of `R` (a handler's reply) that the model's shape `O` lacks, at any depth of nested
 * structures and lists; free-form members (maps, documents) take any keys.
 */
type ExtraMembers<R, O> = [O] extends [readonly (infer OE)[]]
  ? R extends readonly (infer E)[]
    ? ExtraMembers<E, OE>
    : never
  : [O] extends [object]
    ? string extends keyof O
      ? never
      : R extends object
        ?
            | Exclude<keyof R, keyof O>
            | {
                [P in keyof R & keyof O]-?: ExtraMembers<R[P], NonNullable<O[P]>>;
              }[keyof R & keyof O]
        : never
    : never;

/**
 * Per handler of `H`: nothing more when its replies hold only modelled members, else a demand the
 * handler cannot meet (the error names the members). A function's inferred reply is compared
 * structurally, so an extra member passes a plain `OperationHandlers` annotation; take handlers
 * as `H & ExactReplies<H>` to refuse it.
 */
export type ExactReplies<H> = {
  [K in keyof H]: K extends OperationName
    ? H[K] extends (...args: never[]) => infer R
      ? [ExtraMembers<Awaited<R>, OperationShapes[K]['output']>] extends [never]
        ? unknown
        : {
            readonly 'members the model lacks': ExtraMembers<
              Awaited<R>,
              OperationShapes[K]['output']
            >;
          }
      : unknown
    : never;
};

export interface ModelledRoutesOptions<C> {
  /** The `awsService` routing constraint (the SigV4 signing name). */
  readonly awsService: string;
  readonly handlers: OperationHandlers<C>;
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
