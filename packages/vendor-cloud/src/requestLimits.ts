import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequestError, VendorConfigError } from './errors.js';

/** Bounds on receiving a request; answering (however long) is not cut. */
export interface RequestTimeoutOptions {
  /** Longest time to receive a whole request (headers and body), ms; then 408 and close: 30000. */
  requestTimeoutMs?: number;
  /** Longest time to receive the request headers, ms (at most `requestTimeoutMs`): 10000. */
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests, ms: 72000. */
  keepAliveTimeoutMs?: number;
}

function millis(name: keyof RequestTimeoutOptions, options: RequestTimeoutOptions, dflt: number) {
  const value = options[name] ?? dflt;
  if (!Number.isInteger(value) || value < 1) {
    throw new VendorConfigError(name, `expected a positive integer of milliseconds, got ${value}`);
  }
  return value;
}

/**
 * Fastify options enforcing the bounds: Fastify turns Node's `requestTimeout` off, and a client
 * dribbling its body would otherwise hold a connection forever. Node checks for overdue requests
 * every `connectionsCheckingInterval`, so that follows the bound down.
 */
export function timeoutServerOptions(options: RequestTimeoutOptions) {
  const requestTimeout = millis('requestTimeoutMs', options, 30_000);
  const headersTimeout = Math.min(millis('headersTimeoutMs', options, 10_000), requestTimeout);
  const interval = Math.max(25, Math.min(30_000, Math.floor(headersTimeout / 4)));
  return {
    requestTimeout,
    keepAliveTimeout: millis('keepAliveTimeoutMs', options, 72_000),
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: interval },
  };
}

function firstRepeated(fields: unknown): string | undefined {
  if (typeof fields !== 'object' || fields === null || Buffer.isBuffer(fields)) return undefined;
  return Object.keys(fields).find((k) => Array.isArray((fields as Record<string, unknown>)[k]));
}

/**
 * One rule for every route: OAuth parameters "MUST NOT be included more than once" (RFC 6749
 * §3.1), and no other route takes a list either. Fastify's query and form parsers turn repeats
 * into arrays that handlers written for one string misread, so a repeat is a 400 naming it.
 */
export function refuseRepeatedParameters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const inQuery = firstRepeated(request.query);
    if (inQuery !== undefined) {
      throw new InvalidRequestError(`query.${inQuery}`, 'one value (the parameter is repeated)');
    }
    const isForm = (request.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    );
    const inForm = isForm ? firstRepeated(request.body) : undefined;
    if (inForm !== undefined) {
      throw new InvalidRequestError(`body.${inForm}`, 'one value (the field is repeated)');
    }
  });
}
