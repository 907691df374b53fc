import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RequestRejectedError } from '../errors.js';

/** An error as it goes on the wire: AWS error name, HTTP status and a safe message. */
export interface WireError {
  readonly statusCode: number;
  readonly awsCode: string;
  readonly message: string;
  readonly fault: 'client' | 'server';
}

// Fastify's own request errors (body too large, bad content type, …) mapped to AWS names.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'RequestEntityTooLargeException',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SerializationException',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SerializationException',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SerializationException',
  FST_ERR_BAD_URL: 'ValidationException',
  FST_ERR_ASYNC_CONSTRAINT: 'ValidationException',
};

/**
 * Classifies any error reaching an error handler. Errors we raise on purpose keep their name and
 * status; Fastify's request errors stay 4xx; anything else is an internal error whose details are
 * not echoed to the client.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof RequestRejectedError) {
    return {
      statusCode: error.statusCode,
      awsCode: error.awsCode,
      message: error.message,
      fault: error.statusCode >= 500 ? 'server' : 'client',
    };
  }
  const fe = error as Partial<FastifyError> & { $fault?: string };
  if (typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    const status =
      typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500
        ? fe.statusCode
        : 400;
    return {
      statusCode: status,
      awsCode: FASTIFY_CODES[fe.code] ?? 'ValidationException',
      message: fe.message ?? 'Bad request',
      fault: 'client',
    };
  }
  if (
    typeof fe.statusCode === 'number' &&
    fe.statusCode >= 400 &&
    fe.statusCode < 500 &&
    typeof fe.name === 'string'
  ) {
    return {
      statusCode: fe.statusCode,
      awsCode: fe.name,
      message: fe.message ?? '',
      fault: 'client',
    };
  }
  return {
    statusCode: 500,
    awsCode: 'InternalServerException',
    message: 'An internal error occurred.',
    fault: 'server',
  };
}

/** Root error handler (local API, unmatched routes): AWS JSON style, never echoes internals. */
export function rootErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const wire = toWireError(error);
  if (wire.fault === 'server') request.log.error({ err: error }, 'unhandled error');
  return reply
    .code(wire.statusCode)
    .header('x-amzn-errortype', wire.awsCode)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ __type: wire.awsCode, message: wire.message }));
}
