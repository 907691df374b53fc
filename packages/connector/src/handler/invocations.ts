/**
 * The service's four invocations. ActivateUser and DeactivateUser are answered at once;
 * DiscoverDevices and SendCommand are ACKed after a durable enqueue (the work runs later, in
 * `work.ts`), within the service's invocation budget.
 */
import { ConnectorError, IdempotencyInProgressError } from '../errors.js';
import { runOnce } from '../idempotency/store.js';
import {
  type ConnectorInvocation,
  type ConnectorInvokeReply,
  formatIssue,
  type MatterEndpointWire,
  validateInvocation,
} from '../protocol.js';
import { type WorkItem, type WorkQueue, workKey } from '../queue/workQueue.js';
import { type ConnectorRuntime, callVendor, deactivatedKey } from './runtime.js';
import type { LambdaContextLike } from './types.js';

/** The service waits 2 s for an invocation (OPS); the ACK must be out before that. */
const ACK_BUDGET_MS = 2_000;

/** How long a deactivated user's events are refused (until ActivateUser links them again). */
const DEACTIVATED_TTL_MS = 365 * 24 * 3600 * 1000;

export function reply(
  responseCode: number,
  responseMessage: string,
  userId?: string,
): ConnectorInvokeReply {
  return { header: { responseCode }, payload: { responseMessage, ...(userId ? { userId } : {}) } };
}

export interface InvocationOptions {
  /** The work queue, asked for on first enqueue so the default is only built when needed. */
  readonly queue: () => WorkQueue;
  /** Ms from SendCommand until the command is failed (`policy.commandDeadlineMs`). */
  readonly commandDeadlineMs: number;
}

export function invocationHandler(rt: ConnectorRuntime, options: InvocationOptions) {
  const { vendor, store, stats, clock } = rt;
  const now = () => clock.now();

  /** ACK = durable enqueue, once per discovery id / trace id across service retries. */
  const enqueueOnce = async (item: WorkItem, context?: LambdaContextLike) => {
    // The lease only has to outlive one enqueue: a container that died mid-enqueue must not
    // block the service's next retry (which comes within seconds).
    return runOnce(
      store,
      `ack:${workKey(item)}`,
      async () => {
        // Stay inside the service's 2 s invocation budget: give up (error reply, the service
        // retries) rather than answer after the caller stopped waiting.
        const budget = context?.getRemainingTimeInMillis?.() ?? ACK_BUDGET_MS;
        const controller = new AbortController();
        const timer = clock.setTimeout(
          () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
          Math.max(100, Math.min(budget, ACK_BUDGET_MS) - 250),
        );
        try {
          await options.queue().enqueue(item, { signal: controller.signal });
        } finally {
          clock.clearTimeout(timer);
        }
        return true;
      },
      { leaseMs: 5_000, now },
    );
  };

  return async (event: unknown, context?: LambdaContextLike): Promise<ConnectorInvokeReply> => {
    stats.invocations++;
    const parsed = validateInvocation(typeof event === 'string' ? safeJson(event) : event);
    if (!parsed.ok) {
      stats.errorReplies++;
      const message = `invalid invocation: ${parsed.issues.map(formatIssue).join('; ')}`;
      rt.logger.warn('rejected invocation', { reason: message });
      return reply(400, message);
    }
    const inv: ConnectorInvocation = parsed.value;
    const p = inv.payload;
    // Correlation ids present on some payload kinds only.
    const ids = p as { traceId?: string; deviceDiscoveryId?: string; connectorDeviceId?: string };
    const log = rt.logger.child({
      operation: p.operationName,
      connectorId: p.connectorId,
      ...(ids.traceId ? { traceId: ids.traceId } : {}),
      ...(ids.deviceDiscoveryId ? { deviceDiscoveryId: ids.deviceDiscoveryId } : {}),
      ...(ids.connectorDeviceId ? { connectorDeviceId: ids.connectorDeviceId } : {}),
      ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
      ...(inv.header.auth.type === 'OAuth2.0' ? { redactValues: [inv.header.auth.token] } : {}),
    });
    // Cross-check: an invocation for another connector means a misrouted or misconfigured function.
    const knownId = rt.connectorId.known();
    if (knownId && knownId !== p.connectorId) {
      stats.errorReplies++;
      log.error('connectorId mismatch', { expected: knownId });
      return reply(
        400,
        `connectorId mismatch: invocation names ${p.connectorId}, this function serves ${knownId}`,
      );
    }
    rt.connectorId.learn(p.connectorId);
    try {
      switch (p.operationName) {
        case 'AWS.ActivateUser': {
          const auth = await rt.authContext(inv.header.auth);
          const userId = await callVendor('resolveUser', () =>
            vendor.resolveUser({ auth, connectorId: p.connectorId, logger: log }),
          );
          // A re-linked user gets events again.
          await store.delete(deactivatedKey(userId));
          log.info('user activated', { userId });
          return reply(
            200,
            `Successfully activated user with connector-id ${p.connectorId}.`,
            userId,
          );
        }
        case 'AWS.DeactivateUser': {
          const auth = await rt.authContext(inv.header.auth);
          // Learn who is leaving before the token is revoked, so their events can be stopped
          // (DEACT: "stop sending events for that user"). Best effort: a dead token still deactivates.
          const leaving = await Promise.resolve()
            .then(() => vendor.resolveUser({ auth, connectorId: p.connectorId, logger: log }))
            .catch(() => undefined);
          if (leaving) {
            await store.put({
              key: deactivatedKey(leaving),
              status: 'completed',
              expiresAt: clock.now() + DEACTIVATED_TTL_MS,
            });
          }
          await callVendor('revokeTokens', async () =>
            vendor.revokeTokens?.({ auth, connectorId: p.connectorId, logger: log }),
          );
          log.info('user deactivated');
          return reply(200, `Successfully deactivated user with connector-id ${p.connectorId}.`);
        }
        case 'AWS.DiscoverDevices':
        case 'AWS.SendCommand': {
          const item: WorkItem =
            p.operationName === 'AWS.DiscoverDevices'
              ? {
                  kind: 'discover',
                  connectorId: p.connectorId,
                  deviceDiscoveryId: p.deviceDiscoveryId,
                  auth: inv.header.auth,
                }
              : {
                  kind: 'command',
                  connectorId: p.connectorId,
                  traceId: p.traceId,
                  connectorDeviceId: p.connectorDeviceId,
                  endpoints: p.endpoints as MatterEndpointWire[],
                  auth: inv.header.auth,
                  // Counted from the first delivery: a re-delivery is deduplicated below.
                  deadlineAt: clock.now() + options.commandDeadlineMs,
                };
          const outcome = await enqueueOnce(item, context);
          log.info(outcome.duplicate ? 'duplicate invocation acknowledged again' : 'work enqueued');
          return reply(
            200,
            p.operationName === 'AWS.DiscoverDevices'
              ? 'Device discovery started.'
              : 'Command received.',
          );
        }
      }
    } catch (error) {
      stats.errorReplies++;
      if (error instanceof IdempotencyInProgressError) {
        return reply(409, 'the same request is being processed; retry later');
      }
      const code =
        error instanceof ConnectorError && error.code === 'C2C_VENDOR_CALLBACK' ? 502 : 500;
      log.error('invocation failed', { error });
      return reply(
        code,
        `${p.operationName} failed: ${error instanceof Error ? error.name : 'Error'}`,
      );
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
