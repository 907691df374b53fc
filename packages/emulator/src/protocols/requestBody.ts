import type { FastifyRequest } from 'fastify';
import { parseJsonBody, rawTextOf } from '../plugins/body.js';
import { type BadRequest, requireObject } from './jsonMembers.js';

/**
 * Request bodies as the JSON protocols read them (awsJson for SQS and Secrets Manager, restJson1
 * for Lambda and managed integrations). The body plugin has already parsed the JSON content types;
 * a body sent with another (or no) content type is JSON all the same to these protocols, so it is
 * parsed here by the same parser, with the same depth and reserved-key rules.
 */

/** The request body as JSON, or undefined when there is none. Throws on text that is not JSON. */
export function jsonBodyOf(request: FastifyRequest): unknown {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body))
    return body.length === 0 ? undefined : parseJsonBody(rawTextOf(request));
  if (typeof body === 'string') return body === '' ? undefined : parseJsonBody(body);
  return body;
}

/**
 * The request body as a JSON object (`{}` when there is none): `unparsable()` is the service's
 * error for text that is not JSON, `bad` its error for JSON that is not an object.
 */
export function jsonObjectBody(
  request: FastifyRequest,
  unparsable: () => Error,
  bad: BadRequest,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = jsonBodyOf(request);
  } catch {
    throw unparsable();
  }
  return requireObject(parsed, 'request body', bad);
}

/** The exact request body bytes (empty when there was none). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  const raw = (request as unknown as { rawBody?: Buffer }).rawBody;
  if (Buffer.isBuffer(raw)) return raw;
  const body = request.body;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body === undefined || body === null) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(body), 'utf8');
}
