/**
 * The connector's own outbox queue, consumed through an event source mapping: each device's
 * oldest parked event is re-sent, with backoff, until the service takes it (then its parked marker
 * goes) or it fails for good (then it moves to the dead-letter queue `c2c replay` serves). Later
 * events of a device wait behind its head: a FIFO queue hands out a message group's next message
 * only once the one before is deleted, and a failed head fails the rest of its group in the batch.
 */
import type { EventSender } from '../events/delivery.js';
import type { ParkedMarkers } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import { isPermanentReplayError } from '../outbox/outbox.js';
import { type OutboxMessage, parseOutboxMessage, type SqsOutbox } from '../outbox/sqsOutbox.js';
import type { SqsRecord } from '../queue/workQueue.js';
import type { Clock } from '../util/clock.js';
import { type ConnectorStats, invocationDeadline } from './runtime.js';
import type { LambdaContextLike } from './types.js';
import type { SqsBatchResponse } from './work.js';

/** When a parked event is retried, and when it is given up (moved to the dead-letter queue). */
export interface OutboxPolicy {
  /** Attempts (receives of its outbox message) before an event is dead-lettered. Default `100`. */
  readonly maxAttempts?: number;
  /** Age (ms since it was parked) past which a failing event is dead-lettered. Default 24 h. */
  readonly maxAgeMs?: number;
  /** First retry delay; doubled on each attempt (with jitter). Default `1000`. */
  readonly backoffBaseMs?: number;
  /** Longest retry delay. Default `300000` (5 min). */
  readonly backoffMaxMs?: number;
}

export const OUTBOX_DEFAULTS = {
  maxAttempts: 100,
  maxAgeMs: 24 * 3_600_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 300_000,
} as const;

/** A parked marker outlives its event by this much past the max age (a leaked one heals then). */
export const MARKER_GRACE_MS = 3_600_000;

export function outboxPolicy(policy: OutboxPolicy = {}): Required<OutboxPolicy> {
  const out = { ...OUTBOX_DEFAULTS, ...policy };
  for (const [name, value] of Object.entries(out)) {
    if (!Number.isFinite(value) || value < (name === 'maxAttempts' ? 1 : 0)) {
      throw new RangeError(`policy.outbox.${name}: expected a non-negative number, got ${value}`);
    }
  }
  return out;
}

/** Seconds until attempt `attempts + 1`: base·2^(attempts−1), capped, half of it jittered. */
export function backoffSeconds(
  attempts: number,
  policy: Required<OutboxPolicy>,
  random = Math.random,
): number {
  const ms = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.ceil((ms / 2 + random() * (ms / 2)) / 1000));
}

export interface OutboxDrainDeps {
  readonly outbox: SqsOutbox;
  readonly sender: () => EventSender;
  readonly markers: ParkedMarkers | undefined;
  readonly policy: Required<OutboxPolicy>;
  readonly stats: ConnectorStats;
  readonly logger: Logger;
  readonly clock: Clock;
}

export function outboxDrainHandler(deps: OutboxDrainDeps) {
  const { outbox, markers, policy, stats, logger, clock } = deps;

  const unmark = async (message: OutboxMessage, log: Logger) => {
    if (!markers || message.parkId === undefined) return;
    // The event has left the outbox either way; a marker that cannot be removed now only makes
    // the device's next events take the outbox path until it expires (slower, never reordered).
    await markers.clearParked(message.deviceKey, message.parkId).catch((error: unknown) => {
      log.error('parked marker not removed; it expires later', { error });
    });
  };

  /** Delivered, dead-lettered, or the delay (s) before the next attempt. */
  const attempt = async (
    message: OutboxMessage,
    attempts: number,
    log: Logger,
    deadline: number | undefined,
  ): Promise<'delivered' | 'dead-lettered' | number> => {
    try {
      await deps.sender().sendConnectorEvent(message.request, deadline ? { deadline } : {});
      stats.outboxDelivered++;
      log.info('parked event delivered', { attempts });
      await unmark(message, log);
      return 'delivered';
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const reason = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      const age = clock.now() - message.createdAt;
      const permanent = isPermanentReplayError(error);
      if (!permanent && attempts < policy.maxAttempts && !(age >= policy.maxAgeMs)) {
        stats.outboxRetried++;
        const delay = backoffSeconds(attempts, policy);
        log.warn('parked event still refused; retrying later', { error: name, attempts, delay });
        return delay;
      }
      try {
        await outbox.deadLetter({ ...message, lastError: reason });
      } catch (dlqError) {
        log.error('parked event failed for good but cannot be dead-lettered; kept', {
          error: dlqError,
        });
        return backoffSeconds(policy.maxAttempts, policy);
      }
      stats.eventsDeadLettered++;
      log.error('parked event dead-lettered', {
        error: name,
        attempts,
        permanent,
        ageMs: Number.isFinite(age) ? age : undefined,
      });
      await unmark(message, log);
      return 'dead-lettered';
    }
  };

  return async (
    event: { Records: SqsRecord[] },
    context?: LambdaContextLike,
  ): Promise<SqsBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    const deadline = invocationDeadline(clock, context);
    // Message group → the delay its failed head got; later messages of the group wait as long.
    const blocked = new Map<string, number>();
    const retryLater = async (record: SqsRecord, seconds: number) => {
      failures.push({ itemIdentifier: record.messageId });
      if (record.receiptHandle === undefined) return;
      await outbox.retryAfter(record.receiptHandle, seconds).catch((error: unknown) => {
        // The message reappears after the queue's visibility timeout instead.
        logger.warn('outbox backoff not set', { messageId: record.messageId, error });
      });
    };
    for (const record of event.Records) {
      const message = parseOutboxMessage(record.body);
      const group =
        record.attributes?.MessageGroupId ??
        (typeof message === 'string' ? record.messageId : message.deviceKey);
      const waiting = blocked.get(group);
      if (waiting !== undefined) {
        await retryLater(record, waiting);
        continue;
      }
      if (typeof message === 'string') {
        // Not an outbox entry: nothing to send. Left to the queue's redrive policy.
        logger.error('outbox message is not an outbox entry', {
          messageId: record.messageId,
          reason: message,
        });
        failures.push({ itemIdentifier: record.messageId });
        blocked.set(group, backoffSeconds(policy.maxAttempts, policy));
        continue;
      }
      const attempts = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
      const log = logger.child({ messageId: record.messageId, deviceKey: message.deviceKey });
      const outcome = await attempt(message, attempts, log, deadline);
      if (typeof outcome === 'number') {
        blocked.set(group, outcome);
        await retryLater(record, outcome);
      }
    }
    return { batchItemFailures: failures };
  };
}

/**
 * The outbox queue's records come to the same function as the work queue's (another event
 * source mapping): `owns` tells them apart by the record's queue ARN.
 */
export function outboxRoute(deps: OutboxDrainDeps) {
  return {
    owns: (e: { Records: Array<{ eventSourceARN?: string }> }) =>
      deps.outbox.isQueueArn(e.Records[0]?.eventSourceARN),
    drain: outboxDrainHandler(deps),
  };
}
