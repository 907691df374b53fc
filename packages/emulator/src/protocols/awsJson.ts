import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toWireError } from '../plugins/error-render.js';

/**
 * The awsJson 1.0 / 1.1 protocols (SQS, Secrets Manager): `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>`, a JSON body in and out, and errors named by `__type`.
 */

/** The operation `X-Amz-Target: <prefix>.<Operation>` names, or '' when it names none. */
export function targetOperation(request: FastifyRequest, prefix: string): string {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(`${prefix}.`)
    ? target.slice(prefix.length + 1)
    : '';
}

/** A short, quoted form of the request's `X-Amz-Target` for error messages. */
export function targetText(request: FastifyRequest): string {
  return JSON.stringify(String(request.headers['x-amz-target'] ?? '').slice(0, 80));
}

/** A wire error of an awsJson service (SQS, Secrets Manager). */
export interface AwsJsonErrorLike {
  code: string;
  statusCode: number;
  message: string;
  /** SQS only: the legacy query code for `x-amzn-query-error`. */
  queryCode?: string;
  fault?: 'Sender' | 'Receiver';
}

export function sendAwsJson(
  reply: FastifyReply,
  contentType: string,
  body: unknown,
  statusCode = 200,
): FastifyReply {
  // The app's onRequest hook already set x-amzn-requestid to the request's id (the one its log
  // lines carry); a reply sent outside it gets one of its own.
  if (!reply.hasHeader('x-amzn-requestid')) reply.header('x-amzn-requestid', randomUUID());
  return reply
    .code(statusCode)
    .header('content-type', contentType)
    .send(JSON.stringify(body ?? {}));
}

export function sendAwsJsonError(
  reply: FastifyReply,
  contentType: string,
  typePrefix: string,
  error: AwsJsonErrorLike,
  messageKey: 'message' | 'Message' = 'message',
): FastifyReply {
  if (error.queryCode) {
    reply.header('x-amzn-query-error', `${error.queryCode};${error.fault ?? 'Sender'}`);
  }
  return sendAwsJson(
    reply,
    contentType,
    { __type: `${typePrefix}${error.code}`, [messageKey]: error.message },
    error.statusCode,
  );
}

/**
 * Maps errors raised outside our handlers (body parser, body limit, SigV4 hook) into the
 * protocol's error shape, using the core's classification; only true bugs stay 5xx (and are
 * logged, never echoed).
 */
export function frameworkErrorToWire(error: unknown, request: FastifyRequest): AwsJsonErrorLike {
  const wire = toWireError(error);
  if (wire.fault === 'server') request.log.error({ err: error }, 'unexpected error in AWS route');
  return {
    code: wire.awsCode,
    statusCode: wire.statusCode,
    message: wire.message,
    fault: wire.fault === 'server' ? 'Receiver' : 'Sender',
  };
}
