import { EmulatorConfigError } from './errors.js';

/** Bounds on receiving a request; what the handler then takes (SSE, long invocations) is not cut. */
export interface ServerTimeoutOptions {
  /** Longest time to receive a whole request (headers and body), ms; then 408 and close: 30000. */
  readonly requestTimeoutMs?: number;
  /** Longest time to receive the request headers, ms (at most `requestTimeoutMs`): 10000. */
  readonly headersTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests, ms: 72000. */
  readonly keepAliveTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Fastify's default, which the connector's pooled connections have been tested against. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 72_000;

function positive(name: keyof ServerTimeoutOptions, value: number | undefined, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new EmulatorConfigError(
      `options.${name}: expected a positive integer of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Fastify server options enforcing the bounds. Without them Fastify disables Node's
 * `requestTimeout`, and a client sending its body one byte a second holds a connection forever.
 * Node's `requestTimeout` ends when the request is fully received, so it never cuts a response.
 */
export function serverTimeouts(options: ServerTimeoutOptions) {
  const requestTimeout = positive(
    'requestTimeoutMs',
    options.requestTimeoutMs,
    DEFAULT_REQUEST_TIMEOUT_MS,
  );
  const headersTimeout = Math.min(
    positive('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS),
    requestTimeout,
  );
  const keepAliveTimeout = positive(
    'keepAliveTimeoutMs',
    options.keepAliveTimeoutMs,
    DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  );
  // Node looks for overdue requests every `connectionsCheckingInterval` (30 s by default), so a
  // bound shorter than that would only be enforced at the next look.
  const connectionsCheckingInterval = Math.max(
    25,
    Math.min(30_000, Math.floor(headersTimeout / 4)),
  );
  return {
    requestTimeout,
    keepAliveTimeout,
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval },
  };
}
