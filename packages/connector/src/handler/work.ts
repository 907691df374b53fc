/**
 * The connector's own SQS work queue: the discovery and command work ACKed by an invocation,
 * done once per item however often SQS delivers it, ending in DEVICE_DISCOVERY or exactly one
 * DEVICE_COMMAND_RESPONSE (results, or a failure with the reason).
 */
import {
  CommandDeadlineError,
  CommandRejectedError,
  ConnectorValidationError,
  PiiInDeviceIdError,
} from '../errors.js';
import {
  commandFailureEvent,
  commandResponseEvents,
  deviceDiscoveryEvent,
  deviceDiscoveryEvents,
  wireMessage,
} from '../events/builders.js';
import type { Delivered } from '../events/delivery.js';
import { runOnce } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import type { SendConnectorEventRequest } from '../protocol.js';
import { type SqsRecord, type WorkItem, workKey } from '../queue/workQueue.js';
import { beforeDeadline, failureOf } from './commandDeadline.js';
import {
  type ConnectorRuntime,
  callVendor,
  invocationDeadline,
  invocationLease,
} from './runtime.js';
import type { LambdaContextLike } from './types.js';

export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface WorkOptions {
  /** Receives of a work message before a vendor failure is final (`policy.maxWorkAttempts`). */
  readonly maxWorkAttempts: number;
  /** `policy.commandDeadlineMs`, named in the failure's reason. */
  readonly commandDeadlineMs: number;
  /** `policy.maxDiscoveryRequestBytes`: the size each DEVICE_DISCOVERY part stays under. */
  readonly maxDiscoveryRequestBytes: number;
}

export function workHandler(rt: ConnectorRuntime, options: WorkOptions) {
  const { vendor, store, stats, clock, deliver } = rt;
  const { maxWorkAttempts, commandDeadlineMs, maxDiscoveryRequestBytes } = options;
  const now = () => clock.now();

  /** A command gets one answer: success or failure, whichever is sent first. */
  const answerOnce = async (
    item: Extract<WorkItem, { kind: 'command' }>,
    events: readonly SendConnectorEventRequest[],
    log: Logger,
    deadline?: number,
  ) => {
    const outcome = await runOnce(
      store,
      `answer:${workKey(item)}`,
      async () => {
        for (const e of events) await deliver(e, log, deadline);
        return true;
      },
      { now },
    );
    if (outcome.duplicate) log.info('command already answered; not answering again');
  };

  /**
   * The discovery's DEVICE_DISCOVERY parts, one after another (the service gets them in order;
   * a parked part keeps the later ones behind it in the outbox): 'outboxed' if any part was.
   */
  const sendDiscovery = async (
    item: Extract<WorkItem, { kind: 'discover' }>,
    userId: string,
    devices: Parameters<typeof deviceDiscoveryEvents>[2],
    log: Logger,
    deadline?: number,
  ): Promise<Delivered> => {
    const parts = deviceDiscoveryEvents(item, userId, devices, maxDiscoveryRequestBytes);
    let outcome: Delivered = 'sent';
    for (const [i, part] of parts.entries()) {
      const partLog = parts.length === 1 ? log : log.child({ part: i + 1, parts: parts.length });
      if ((await deliver(part, partLog, deadline)) === 'outboxed') outcome = 'outboxed';
    }
    return outcome;
  };

  const doWork = async (
    item: WorkItem,
    record: SqsRecord,
    workLog: Logger,
    deadline?: number,
  ): Promise<Delivered> => {
    const auth = await rt.authContext(item.auth);
    const log =
      auth.type === 'GeneralAuthorization'
        ? workLog.child({ redactValues: [auth.secret] })
        : workLog;
    const base = { auth, connectorId: item.connectorId, logger: log };
    let userId: string | undefined;
    const deadlineAt =
      item.kind === 'command' ? (item.deadlineAt ?? Number.POSITIVE_INFINITY) : Number.NaN;
    try {
      // Work retried past the deadline fails the command instead of calling the vendor late.
      if (clock.now() >= deadlineAt) throw new CommandDeadlineError(commandDeadlineMs);
      const user = await callVendor('resolveUser', () => vendor.resolveUser(base));
      userId = user;
      if (item.kind === 'discover') {
        const devices = await callVendor('listDevices', () =>
          vendor.listDevices({ ...base, userId: user }),
        );
        return sendDiscovery(item, user, devices, log.child({ userId }), deadline);
      }
      // Once per traceId: a retry after the vendor answered (say the answer could not be sent)
      // sends the stored results instead of executing the command again.
      const executed = await runOnce(
        store,
        `vendor:${workKey(item)}`,
        async () =>
          (await beforeDeadline(
            callVendor('executeCommand', () =>
              vendor.executeCommand({
                ...base,
                userId: user,
                traceId: item.traceId,
                connectorDeviceId: item.connectorDeviceId,
                endpoints: item.endpoints,
              }),
            ),
            deadlineAt,
            commandDeadlineMs,
            clock,
          )) ?? null,
        {
          leaseMs: Number.isFinite(deadlineAt) ? deadlineAt - clock.now() + 1_000 : 60_000,
          now,
        },
      );
      const events = commandResponseEvents(item, user, executed.result ?? undefined);
      await answerOnce(item, events, log.child({ userId }), deadline);
      return 'sent';
    } catch (error) {
      if (error instanceof PiiInDeviceIdError) throw error;
      if (item.kind === 'discover' && error instanceof ConnectorValidationError) throw error;
      const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      const final =
        error instanceof CommandDeadlineError ||
        error instanceof CommandRejectedError ||
        error instanceof ConnectorValidationError ||
        receives >= maxWorkAttempts;
      if (!final) throw error; // let SQS redeliver
      // Tell the service (and so the customer) instead of going silent.
      log.error('work failed for good; reporting failure', { error, receives });
      if (item.kind === 'command') {
        const { status, reason } = failureOf(error);
        await answerOnce(item, [commandFailureEvent(item, userId, status, reason)], log, deadline);
        return 'sent';
      }
      // A refusal (CommandRejectedError from resolveUser or listDevices: the vendor refused the
      // user's token, say) keeps its status and reason; anything else is a 500.
      const { status, reason } = failureOf(error);
      const failure: SendConnectorEventRequest = {
        ...deviceDiscoveryEvent(item, userId ?? 'unknown', []),
        StatusCode: status,
        Message: wireMessage(reason),
      };
      return deliver(failure, log, deadline);
    }
  };

  return async (
    event: { Records: SqsRecord[] },
    context?: LambdaContextLike,
  ): Promise<SqsBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    const deadline = invocationDeadline(clock, context);
    for (const record of event.Records) {
      const item = parseWorkItem(record.body);
      if (!item) {
        // Poison message: retrying cannot fix it; report it (redrive moves it to the DLQ).
        rt.logger.error('unreadable work item', { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        stats.workItemsFailed++;
        continue;
      }
      const log = rt.logger.child({
        connectorId: item.connectorId,
        messageId: record.messageId,
        ...(item.kind === 'discover'
          ? { deviceDiscoveryId: item.deviceDiscoveryId }
          : { traceId: item.traceId, connectorDeviceId: item.connectorDeviceId }),
        ...(item.auth.type === 'OAuth2.0' ? { redactValues: [item.auth.token] } : {}),
      });
      try {
        const outcome = await runOnce(
          store,
          `work:${workKey(item)}`,
          () => doWork(item, record, log, deadline),
          // The lease ends with this invocation's time budget: after a timeout SQS redelivers,
          // and the redelivery must be able to claim the work again.
          { ...invocationLease(clock, deadline), now },
        );
        if (outcome.duplicate) log.info('duplicate work item skipped');
        stats.workItemsDone++;
      } catch (error) {
        stats.workItemsFailed++;
        log.warn('work item failed; SQS will redeliver', { error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

export function isSqsEvent(e: Record<string, unknown>): e is { Records: SqsRecord[] } {
  const records = e.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    (records[0] as SqsRecord).eventSource === 'aws:sqs'
  );
}

function parseWorkItem(body: string): WorkItem | undefined {
  try {
    const v = JSON.parse(body) as WorkItem;
    if (
      v &&
      (v.kind === 'discover' || v.kind === 'command') &&
      typeof v.connectorId === 'string' &&
      v.auth
    )
      return v;
  } catch {
    // fall through
  }
  return undefined;
}
