/**
 * Retry policy of the AWS SDKs' "standard" mode (2026 values, as read from @smithy/core):
 * max 3 attempts, full-jitter exponential backoff with a 50 ms base for transient errors and
 * 1 s for throttling, capped at 20 s, `Retry-After` honoured (at most computed + 5 s), and a
 * 500-token retry quota (14 per transient retry, 5 per throttling retry, refunded on success)
 * so a sick service gets fail-fast instead of a retry storm.
 */

import type { Clock } from '../util/clock.js';

export type RetryKind = 'throttling' | 'transient';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Classifies an HTTP error answer; `undefined` means "do not retry" (400/403/404 …). */
export function classifyHttpError(status: number, errorName: string): RetryKind | undefined {
  if (status === 429 || THROTTLING_CODES.has(errorName)) return 'throttling';
  if (TRANSIENT_STATUS.has(status) || TRANSIENT_CODES.has(errorName)) return 'transient';
  return undefined;
}

/** Connection-level failures worth another attempt. */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

export interface RetryOptions {
  /** Attempts including the first one. Default 3. */
  readonly maxAttempts?: number;
  /** Token bucket capacity. Default 500. */
  readonly budget?: number;
  /** Source of randomness in [0, 1) for jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

const RETRY_COST: Record<RetryKind, number> = { transient: 14, throttling: 5 };
const BASE_DELAY_MS: Record<RetryKind, number> = { transient: 50, throttling: 1000 };
const MAX_DELAY_MS = 20_000;

/** Shared by every call of one client, so the budget protects the service across requests. */
export class RetryStrategy {
  readonly maxAttempts: number;
  private readonly capacity: number;
  private tokens: number;
  private readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.capacity = options.budget ?? 500;
    this.tokens = this.capacity;
    this.random = options.random ?? Math.random;
  }

  /** Tokens left in the retry budget (observability and tests). */
  get availableTokens(): number {
    return this.tokens;
  }

  /** Takes the cost of one retry; false when the budget is empty. */
  acquire(kind: RetryKind): number | undefined {
    const cost = RETRY_COST[kind];
    if (this.tokens < cost) return undefined;
    this.tokens -= cost;
    return cost;
  }

  /** A success refunds what its retries cost (or 1 token when it needed none). */
  release(spent: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (spent > 0 ? spent : 1));
  }

  /** Full jitter: uniform in [0, min(base·2^retry, 20 s)); `Retry-After` may stretch it by ≤ 5 s. */
  delayMs(kind: RetryKind, retryIndex: number, retryAfterMs?: number): number {
    const ceiling = Math.min(BASE_DELAY_MS[kind] * 2 ** retryIndex, MAX_DELAY_MS);
    const computed = Math.floor(this.random() * ceiling);
    if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return computed;
    return Math.min(Math.max(retryAfterMs, computed), computed + 5000);
  }
}

/** `Retry-After` (seconds or HTTP date) or `x-amz-retry-after` (ms) → milliseconds. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const amz = headers['x-amz-retry-after'];
  if (typeof amz === 'string' && /^\d+$/.test(amz)) return Number(amz);
  const value = headers['retry-after'];
  if (typeof value !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Waits `ms` on `clock`, or rejects with the signal's reason when it aborts first. (Not
 * node:timers/promises: importing it costs every cold start, and retries are rare.)
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
