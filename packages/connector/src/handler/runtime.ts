/**
 * What the invocation, webhook and work handlers share: the parts chosen by `createConnector`,
 * the counters, the connector id as far as it is known, and how vendor callbacks are called.
 */
import { ConnectorError, VendorCallbackError } from '../errors.js';
import type { Deliver } from '../events/delivery.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import type { InvocationAuth } from '../queue/workQueue.js';
import type { Clock } from '../util/clock.js';
import type { SecretReader } from './secrets.js';
import type { AuthContext, ConnectorCallbacks, LambdaContextLike } from './types.js';

/** Counters, for tests and for emitting metrics. */
export interface ConnectorStats {
  invocations: number;
  errorReplies: number;
  webhooksAccepted: number;
  webhooksRejected: number;
  webhookDuplicates: number;
  unknownVendorEvents: number;
  eventsSent: number;
  /** Events parked in the outbox (after failing, or behind a device's parked events). */
  eventsOutboxed: number;
  /** Parked events the outbox drainer delivered. */
  outboxDelivered: number;
  /** Drainer attempts that failed and were scheduled again (backoff). */
  outboxRetried: number;
  /** Parked events moved to the dead-letter queue (permanent failure, too many attempts, too old). */
  eventsDeadLettered: number;
  workItemsDone: number;
  workItemsFailed: number;
  eventsDroppedDeactivated: number;
}

export function emptyStats(): ConnectorStats {
  return {
    invocations: 0,
    errorReplies: 0,
    webhooksAccepted: 0,
    webhooksRejected: 0,
    webhookDuplicates: 0,
    unknownVendorEvents: 0,
    eventsSent: 0,
    eventsOutboxed: 0,
    outboxDelivered: 0,
    outboxRetried: 0,
    eventsDeadLettered: 0,
    workItemsDone: 0,
    workItemsFailed: 0,
    eventsDroppedDeactivated: 0,
  };
}

/** The parts every handler uses, resolved once per container. */
export interface ConnectorRuntime {
  readonly vendor: ConnectorCallbacks;
  readonly logger: Logger;
  readonly store: IdempotencyStore;
  readonly clock: Clock;
  readonly stats: ConnectorStats;
  readonly deliver: Deliver;
  readonly connectorId: ConnectorIdState;
  /** The end user's credentials for the vendor, from the invocation's auth (secrets read here). */
  authContext(auth: InvocationAuth): Promise<AuthContext>;
}

/**
 * The connector id: fixed (option or `C2C_CONNECTOR_ID`), else learnt from the first invocation,
 * else resolved once per container when a webhook needs it first.
 */
export interface ConnectorIdState {
  /** The id if known, without resolving. */
  known(): string | undefined;
  /** Remembers the id an invocation named, unless one is known already. */
  learn(id: string): void;
  /** The id, resolving it when not known; a failed resolution is retried by the next call. */
  get(): Promise<string>;
}

export function connectorIdState(
  fixed: string | undefined,
  resolve: () => Promise<string>,
): ConnectorIdState {
  let known = fixed;
  let resolving: Promise<string> | undefined;
  return {
    known: () => known,
    learn: (id) => {
      known ??= id;
    },
    async get() {
      if (known) return known;
      resolving ??= resolve();
      try {
        known = await resolving;
      } catch (error) {
        resolving = undefined; // do not cache a failure
        throw error;
      }
      return known;
    },
  };
}

/** Reads General Authorization secrets; OAuth carries its token in the invocation. */
export function authContextReader(secrets: SecretReader) {
  return async (auth: InvocationAuth): Promise<AuthContext> => {
    if (auth.type === 'OAuth2.0') return { type: 'OAuth2.0', accessToken: auth.token };
    const { arn, versionId } = auth.secretsManager;
    return {
      type: 'GeneralAuthorization',
      secret: await secrets.read(arn, versionId),
      arn,
      versionId,
    };
  };
}

/** Runs a developer callback; anything it throws becomes a `VendorCallbackError` naming it. */
export async function callVendor<T>(callback: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new VendorCallbackError(callback, error);
  }
}

/**
 * Epoch ms by which this invocation's sends must end: half a second before Lambda's own timeout,
 * so a batch can still report its failures. `undefined` outside Lambda (no context).
 */
export function invocationDeadline(
  clock: Pick<Clock, 'now'>,
  context: LambdaContextLike | undefined,
): number | undefined {
  return context?.getRemainingTimeInMillis
    ? clock.now() + context.getRemainingTimeInMillis() - 500
    : undefined;
}

/**
 * An idempotency lease (`runOnce`'s `leaseMs`) that ends a second after the invocation's deadline:
 * a claim left by an environment that died mid-invocation then blocks the retry of the same key
 * only until Lambda would have timed that invocation out. The store's default without a deadline.
 */
export function invocationLease(
  clock: Pick<Clock, 'now'>,
  deadline: number | undefined,
): { leaseMs?: number } {
  return deadline === undefined ? {} : { leaseMs: Math.max(1_000, deadline - clock.now() + 1_000) };
}

/** Records of users who left: their events are refused until ActivateUser links them again. */
export const deactivatedKey = (userId: string) => `deactivated:${userId}`;
