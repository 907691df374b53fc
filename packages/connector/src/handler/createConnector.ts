import { ConnectorEventsClient } from '../client/ConnectorEventsClient.js';
import { ConnectorConfigError } from '../errors.js';
import { createDelivery, type EventSender, matterEndpointIssues } from '../events/delivery.js';
import { hasParkedMarkers, MemoryIdempotencyStore } from '../idempotency/store.js';
import { createJsonLogger } from '../log/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import { SqsOutbox } from '../outbox/sqsOutbox.js';
import type { ConnectorInvokeReply } from '../protocol.js';
import { SqsWorkQueue, type WorkQueue } from '../queue/workQueue.js';
import { resolveConnectorId } from '../resolve/connectorId.js';
import { systemClock } from '../util/clock.js';
import { commandDeadlineMs } from './commandDeadline.js';
import { invocationHandler, reply } from './invocations.js';
import { type ConnectorOptions, checkVendor, discoveryRequestBytes } from './options.js';
import { MARKER_GRACE_MS, outboxPolicy, outboxRoute } from './outboxDrain.js';
import {
  authContextReader,
  type ConnectorRuntime,
  type ConnectorStats,
  connectorIdState,
  emptyStats,
} from './runtime.js';
import { SecretsManagerReader } from './secrets.js';
import type { LambdaContextLike } from './types.js';
import { type FunctionUrlResponse, isUrlEvent, webhookHandler } from './webhooks.js';
import { isSqsEvent, type SqsBatchResponse, workHandler } from './work.js';

export type ConnectorResult = ConnectorInvokeReply | FunctionUrlResponse | SqsBatchResponse;

export interface ConnectorHandler {
  (event: unknown, context?: LambdaContextLike): Promise<ConnectorResult>;
  readonly stats: Readonly<ConnectorStats>;
}

/**
 * One Lambda handler for a C2C connector: the service's four invocations, the vendor's
 * webhooks on the Function URL, and the connector's own work queue. Discovery and commands are
 * ACKed after a durable enqueue and finished by a later invocation: no work ever runs after
 * the handler returned, because Lambda freezes the process.
 *
 * This function only chooses the parts (options, else their defaults) and routes each event to
 * its handler: `invocations.ts`, `webhooks.ts`, `work.ts`; every event leaves through
 * `events/delivery.ts`.
 */
export function createConnector<E = unknown>(options: ConnectorOptions<E>): ConnectorHandler {
  checkVendor(options.vendor);
  const parts = options.runtime ?? {};
  const policy = options.policy ?? {};
  const logger = parts.logger ?? createJsonLogger();
  const deadlineMs = commandDeadlineMs(policy.commandDeadlineMs);
  const stats = emptyStats();

  let client: EventSender | undefined = parts.client;
  const sender = () => {
    client ??= new ConnectorEventsClient({ logger });
    return client;
  };
  let queue: WorkQueue | undefined = parts.workQueue;
  const workQueue = () => {
    queue ??= new SqsWorkQueue();
    return queue;
  };
  const clock = parts.clock ?? systemClock;
  // Read once, like the work queue's URL; the SQS client itself loads on the first park.
  const outboxUrl = process.env.C2C_OUTBOX_QUEUE_URL;
  const outbox: Outbox | undefined =
    parts.outbox ?? (outboxUrl ? new SqsOutbox({ queueUrl: outboxUrl, clock }) : undefined);
  const drainPolicy = outboxPolicy(policy.outbox);
  const store = parts.idempotency ?? new MemoryIdempotencyStore();
  // Shared by every worker that shares the store (SQLite file, DynamoDB table).
  const markers = hasParkedMarkers(store) ? store : undefined;
  if (outbox && !outbox.hasPending && !markers) {
    logger.warn(
      'runtime.idempotency keeps no parked markers: events of a device may overtake its parked ones',
    );
  }
  // A string is fixed (and cross-checked against invocations); a resolver runs only when needed.
  const { connectorId } = options;
  const resolve =
    typeof connectorId === 'function'
      ? connectorId
      : () => resolveConnectorId({ directory: sender() });

  const rt: ConnectorRuntime = {
    vendor: options.vendor,
    logger,
    store,
    clock,
    stats,
    deliver: createDelivery({
      sender,
      outbox,
      markers,
      markerTtlMs: drainPolicy.maxAgeMs + MARKER_GRACE_MS,
      now: () => clock.now(),
      piiCheck: policy.piiCheck ?? true,
      validateEndpoint:
        policy.validateEndpoint === false
          ? undefined
          : (policy.validateEndpoint ?? matterEndpointIssues),
      stats,
    }),
    connectorId: connectorIdState(
      typeof connectorId === 'string' ? connectorId : process.env.C2C_CONNECTOR_ID,
      resolve,
    ),
    authContext: authContextReader(parts.secrets ?? new SecretsManagerReader()),
  };
  const onInvocation = invocationHandler(rt, {
    queue: workQueue,
    commandDeadlineMs: deadlineMs,
  });
  const onWork = workHandler(rt, {
    maxWorkAttempts: policy.maxWorkAttempts ?? 3,
    commandDeadlineMs: deadlineMs,
    maxDiscoveryRequestBytes: discoveryRequestBytes(policy.maxDiscoveryRequestBytes),
  });
  const onUrl = webhookHandler(rt, options.webhooks);
  const onOutbox =
    outbox instanceof SqsOutbox
      ? outboxRoute({ outbox, sender, markers, policy: drainPolicy, stats, logger, clock })
      : undefined;

  const handler = (async (
    event: unknown,
    context?: LambdaContextLike,
  ): Promise<ConnectorResult> => {
    try {
      if (typeof event === 'object' && event !== null) {
        const e = event as Record<string, unknown>;
        if (isUrlEvent(e)) return await onUrl(e, context);
        if (isSqsEvent(e)) {
          if (onOutbox?.owns(e)) return await onOutbox.drain(e, context);
          return await onWork(e, context);
        }
      }
      return await onInvocation(event, context);
    } catch (error) {
      // Last line of defence: a bug must become an error reply, never an unhandled crash.
      stats.errorReplies++;
      logger.error('unhandled error', { error });
      if (error instanceof ConnectorConfigError) return reply(500, error.message);
      return reply(500, 'internal connector error');
    }
  }) as ConnectorHandler;
  Object.defineProperty(handler, 'stats', { value: stats });
  return handler;
}
