import { validateMatterEndpoint } from '@c2c-kit/matter';
import { ConnectorEventsClient } from '../client/ConnectorEventsClient.js';
import {
  CommandDeadlineError,
  CommandRejectedError,
  ConnectorConfigError,
  ConnectorError,
  ConnectorValidationError,
  PiiInDeviceIdError,
  UnknownVendorEventError,
  VendorCallbackError,
  WebhookVerificationError,
} from '../errors.js';
import {
  IdempotencyInProgressError,
  type IdempotencyStore,
  MemoryIdempotencyStore,
  runOnce,
} from '../idempotency/store.js';
import { createJsonLogger, type Logger } from '../log/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import { SqsOutbox } from '../outbox/sqsOutbox.js';
import {
  type ConnectorInvocation,
  type ConnectorInvokeReply,
  formatIssue,
  type MatterEndpointWire,
  type SendConnectorEventRequest,
  validateInvocation,
} from '../protocol.js';
import {
  type InvocationAuth,
  type SqsRecord,
  SqsWorkQueue,
  type WorkItem,
  type WorkQueue,
  workKey,
} from '../queue/workQueue.js';
import { type ConnectorDirectory, resolveConnectorId } from '../resolve/connectorId.js';
import { assertNoObviousPii } from '../translate/pii.js';
import type { DeviceEvent, Translator } from '../translate/translator.js';
import type { WebhookVerifier } from '../webhooks/verify.js';
import {
  beforeDeadline,
  commandDeadlineMs,
  commandFailure,
  failureOf,
  resultsMessage,
  statusEndpoint,
  wireMessage,
} from './commandDeadline.js';
import { type SecretReader, SecretsManagerReader } from './secrets.js';
import type {
  AuthContext,
  CommandResult,
  ConnectorCallbacks,
  DiscoveredDevice,
  LambdaContextLike,
} from './types.js';

/** What sends events: the signed client, or anything with the same method. */
export interface EventSender extends ConnectorDirectory {
  sendConnectorEvent(
    request: SendConnectorEventRequest,
    options?: { deadline?: number },
  ): Promise<unknown>;
}

export interface WebhookOptions<E> {
  readonly verifier: WebhookVerifier;
  readonly translate: Translator<E>;
  /** Body text → vendor event; default JSON.parse. */
  readonly parse?: (body: string) => E;
}

export interface ConnectorOptions<E = unknown> extends ConnectorCallbacks {
  readonly webhooks?: WebhookOptions<E>;
  /** Fixed connector id; else C2C_CONNECTOR_ID, the inbound invocations, or run-time resolution. */
  readonly connectorId?: string;
  /** Default: a `ConnectorEventsClient` from the environment (created on first use). */
  readonly client?: EventSender;
  /** Default: `SqsWorkQueue` on C2C_WORK_QUEUE_URL. */
  readonly workQueue?: WorkQueue;
  /** Default: per-container memory store. Use a shared one (DynamoDB, SQLite) across containers. */
  readonly idempotency?: IdempotencyStore;
  /**
   * Durable dead-letter for events that still fail after retries. Default: an `SqsOutbox` on
   * C2C_OUTBOX_QUEUE_URL when that is set, else none (errors go upstream so the sender retries).
   */
  readonly outbox?: Outbox;
  readonly secrets?: SecretReader;
  readonly logger?: Logger;
  /** Reject ConnectorDeviceIds that look like e-mail addresses or phone numbers. Default true. */
  readonly piiCheck?: boolean;
  /**
   * MatterEndpoint check before sending, beyond the model's shape rules: default
   * `validateMatterEndpoint` from @c2c-kit/matter (known cluster/attribute ids, value types and
   * ranges). Pass a function to replace it or `false` to skip it.
   */
  readonly validateEndpoint?:
    | false
    | ((
        endpoint: MatterEndpointWire,
        event: { readonly operation: SendConnectorEventRequest['Operation'] },
      ) => readonly string[] | Promise<readonly string[]>);
  /** Receives of a work message before a vendor failure is reported to the service as final. Default 3. */
  readonly maxWorkAttempts?: number;
  /** Ms from SendCommand until a command unanswered is failed (504 + reason); default 30000 or C2C_COMMAND_DEADLINE_MS. */
  readonly commandDeadlineMs?: number;
  /** Override how the connector id is resolved when no invocation told us (tests, custom setups). */
  readonly resolveConnectorId?: () => Promise<string>;
}

/** Counters, for tests and for emitting metrics. */
export interface ConnectorStats {
  invocations: number;
  errorReplies: number;
  webhooksAccepted: number;
  webhooksRejected: number;
  webhookDuplicates: number;
  unknownVendorEvents: number;
  eventsSent: number;
  eventsOutboxed: number;
  workItemsDone: number;
  workItemsFailed: number;
  eventsDroppedDeactivated: number;
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export type ConnectorResult = ConnectorInvokeReply | FunctionUrlResponse | SqsBatchResponse;

export interface ConnectorHandler {
  (event: unknown, context?: LambdaContextLike): Promise<ConnectorResult>;
  readonly stats: Readonly<ConnectorStats>;
}

type UrlEvent = {
  version?: string;
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string; path?: string } };
};

/** The service waits 2 s for an invocation (OPS); the ACK must be out before that. */
const ACK_BUDGET_MS = 2_000;

/** How long a deactivated user's events are refused (until ActivateUser links them again). */
const DEACTIVATED_TTL_MS = 365 * 24 * 3600 * 1000;

function reply(
  responseCode: number,
  responseMessage: string,
  userId?: string,
): ConnectorInvokeReply {
  return { header: { responseCode }, payload: { responseMessage, ...(userId ? { userId } : {}) } };
}

function http(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): FunctionUrlResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function isUrlEvent(e: Record<string, unknown>): e is Record<string, unknown> & UrlEvent {
  const rc = e.requestContext as { http?: { method?: unknown } } | undefined;
  return typeof rc?.http?.method === 'string';
}

function isSqsEvent(e: Record<string, unknown>): e is { Records: SqsRecord[] } {
  const records = e.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    (records[0] as SqsRecord).eventSource === 'aws:sqs'
  );
}

/**
 * One Lambda handler for a C2C connector: the service's four invocations, the vendor's
 * webhooks on the Function URL, and the connector's own work queue. Discovery and commands are
 * ACKed after a durable enqueue and finished by a later invocation — no work ever runs after
 * the handler returned, because Lambda freezes the process.
 */
export function createConnector<E = unknown>(options: ConnectorOptions<E>): ConnectorHandler {
  const logger = options.logger ?? createJsonLogger();
  const store = options.idempotency ?? new MemoryIdempotencyStore();
  const secrets = options.secrets ?? new SecretsManagerReader();
  const maxWorkAttempts = options.maxWorkAttempts ?? 3;
  const deadlineMs = commandDeadlineMs(options.commandDeadlineMs);
  const piiCheck = options.piiCheck ?? true;
  const validateEndpoint =
    options.validateEndpoint === false
      ? undefined
      : (options.validateEndpoint ?? matterEndpointIssues);
  const stats: ConnectorStats = {
    invocations: 0,
    errorReplies: 0,
    webhooksAccepted: 0,
    webhooksRejected: 0,
    webhookDuplicates: 0,
    unknownVendorEvents: 0,
    eventsSent: 0,
    eventsOutboxed: 0,
    workItemsDone: 0,
    workItemsFailed: 0,
    eventsDroppedDeactivated: 0,
  };

  let client: EventSender | undefined = options.client;
  const getClient = (): EventSender => {
    client ??= new ConnectorEventsClient({ logger });
    return client;
  };
  // Read once, like the work queue's URL; the SQS client itself loads on the first park.
  const outbox: Outbox | undefined =
    options.outbox ??
    (process.env.C2C_OUTBOX_QUEUE_URL
      ? new SqsOutbox({ queueUrl: process.env.C2C_OUTBOX_QUEUE_URL })
      : undefined);
  let queue: WorkQueue | undefined = options.workQueue;
  const getQueue = (): WorkQueue => {
    queue ??= new SqsWorkQueue();
    return queue;
  };

  // connectorId: fixed > env override > learnt from invocations or resolved once per container.
  const fixedId = options.connectorId ?? process.env.C2C_CONNECTOR_ID;
  let knownId: string | undefined = fixedId;
  let resolving: Promise<string> | undefined;
  const connectorId = async (): Promise<string> => {
    if (knownId) return knownId;
    resolving ??= (
      options.resolveConnectorId ?? (() => resolveConnectorId({ directory: getClient() }))
    )();
    try {
      knownId = await resolving;
    } catch (error) {
      resolving = undefined; // do not cache a failure
      throw error;
    }
    return knownId;
  };

  const authContext = async (auth: InvocationAuth): Promise<AuthContext> => {
    if (auth.type === 'OAuth2.0') return { type: 'OAuth2.0', accessToken: auth.token };
    const { arn, versionId } = auth.secretsManager;
    return {
      type: 'GeneralAuthorization',
      secret: await secrets.read(arn, versionId),
      arn,
      versionId,
    };
  };

  /**
   * Throws when the event must not be sent. Synchronous unless a custom endpoint check returns a
   * promise: the default one does not, and an event should not pay a microtask for nothing.
   */
  const checkEvent = (request: SendConnectorEventRequest): Promise<void> | undefined => {
    if (piiCheck && request.ConnectorDeviceId) assertNoObviousPii(request.ConnectorDeviceId);
    for (const [i, d] of (request.Devices ?? []).entries()) {
      if (piiCheck) assertNoObviousPii(d.ConnectorDeviceId, `Devices[${i}].ConnectorDeviceId`);
    }
    if (!validateEndpoint || !request.MatterEndpoint) return undefined;
    const found = validateEndpoint(request.MatterEndpoint, { operation: request.Operation });
    const refuse = (issues: readonly string[]) => {
      if (issues.length > 0) throw new ConnectorValidationError('MatterEndpoint', issues);
    };
    if (!Array.isArray(found)) return Promise.resolve(found).then(refuse);
    refuse(found);
    return undefined;
  };

  /**
   * Sends one event, or parks it in the outbox: behind earlier parked events of the same
   * device (order), or after the client's retries failed (nothing lost). Without an outbox the
   * error propagates so the upstream sender (SQS, the vendor) retries instead.
   */
  const deliver = async (request: SendConnectorEventRequest, log: Logger, deadline?: number) => {
    const checking = checkEvent(request);
    if (checking !== undefined) await checking;
    const deviceKey =
      request.ConnectorDeviceId ??
      request.TraceId ??
      request.DeviceDiscoveryId ??
      request.Operation;
    if (outbox && (await outbox.hasPending(deviceKey))) {
      await outbox.add(
        deviceKey,
        request,
        'queued behind earlier undelivered events of this device',
      );
      stats.eventsOutboxed++;
      log.warn('event queued in outbox behind earlier events', { operation: request.Operation });
      return 'outboxed' as const;
    }
    try {
      await getClient().sendConnectorEvent(request, deadline === undefined ? {} : { deadline });
      stats.eventsSent++;
      log.info('event sent', { operation: request.Operation });
      return 'sent' as const;
    } catch (error) {
      if (!outbox || error instanceof ConnectorValidationError) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      await outbox.add(
        deviceKey,
        request,
        `${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      stats.eventsOutboxed++;
      log.error('event parked in outbox after retries', {
        operation: request.Operation,
        error: name,
      });
      return 'outboxed' as const;
    }
  };

  // ---- service invocations ----------------------------------------------------------------

  const handleInvocation = async (
    event: unknown,
    context?: LambdaContextLike,
  ): Promise<ConnectorInvokeReply> => {
    stats.invocations++;
    const parsed = validateInvocation(typeof event === 'string' ? safeJson(event) : event);
    if (!parsed.ok) {
      stats.errorReplies++;
      const message = `invalid invocation: ${parsed.issues.map(formatIssue).join('; ')}`;
      logger.warn('rejected invocation', { reason: message });
      return reply(400, message);
    }
    const inv: ConnectorInvocation = parsed.value;
    const p = inv.payload;
    // Correlation ids present on some payload kinds only.
    const ids = p as { traceId?: string; deviceDiscoveryId?: string; connectorDeviceId?: string };
    const log = logger.child({
      operation: p.operationName,
      connectorId: p.connectorId,
      ...(ids.traceId ? { traceId: ids.traceId } : {}),
      ...(ids.deviceDiscoveryId ? { deviceDiscoveryId: ids.deviceDiscoveryId } : {}),
      ...(ids.connectorDeviceId ? { connectorDeviceId: ids.connectorDeviceId } : {}),
      ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
      ...(inv.header.auth.type === 'OAuth2.0' ? { redactValues: [inv.header.auth.token] } : {}),
    });
    // Cross-check: an invocation for another connector means a misrouted or misconfigured function.
    if (knownId && knownId !== p.connectorId) {
      stats.errorReplies++;
      log.error('connectorId mismatch', { expected: knownId });
      return reply(
        400,
        `connectorId mismatch: invocation names ${p.connectorId}, this function serves ${knownId}`,
      );
    }
    knownId ??= p.connectorId;
    try {
      switch (p.operationName) {
        case 'AWS.ActivateUser': {
          const auth = await authContext(inv.header.auth);
          const userId = await vendor('resolveUser', () =>
            options.resolveUser({ auth, connectorId: p.connectorId, logger: log }),
          );
          // A re-linked user gets events again.
          await store.delete(`deactivated:${userId}`);
          log.info('user activated', { userId });
          return reply(
            200,
            `Successfully activated user with connector-id ${p.connectorId}.`,
            userId,
          );
        }
        case 'AWS.DeactivateUser': {
          const auth = await authContext(inv.header.auth);
          // Learn who is leaving before the token is revoked, so their events can be stopped
          // (DEACT: "stop sending events for that user"). Best effort: a dead token still deactivates.
          const leaving = await Promise.resolve()
            .then(() => options.resolveUser({ auth, connectorId: p.connectorId, logger: log }))
            .catch(() => undefined);
          if (leaving) {
            await store.put({
              key: `deactivated:${leaving}`,
              status: 'completed',
              expiresAt: Date.now() + DEACTIVATED_TTL_MS,
            });
          }
          await vendor('revokeTokens', async () =>
            options.revokeTokens?.({ auth, connectorId: p.connectorId, logger: log }),
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
                  deadlineAt: Date.now() + deadlineMs,
                };
          // ACK = durable enqueue, once per discovery id / trace id across service retries.
          // The lease only has to outlive one enqueue: a container that died mid-enqueue must
          // not block the service's next retry (which comes within seconds).
          const outcome = await runOnce(
            store,
            `ack:${workKey(item)}`,
            async () => {
              // Stay inside the service's 2 s invocation budget: give up (error reply, the
              // service retries) rather than answer after the caller stopped waiting.
              const budget = context?.getRemainingTimeInMillis?.() ?? ACK_BUDGET_MS;
              await getQueue().enqueue(item, {
                signal: AbortSignal.timeout(Math.max(100, Math.min(budget, ACK_BUDGET_MS) - 250)),
              });
              return true;
            },
            { leaseMs: 5_000 },
          );
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

  // ---- queued work ------------------------------------------------------------------------

  const discoveryEvent = (
    item: Extract<WorkItem, { kind: 'discover' }>,
    userId: string,
    devices: readonly DiscoveredDevice[],
  ): SendConnectorEventRequest => ({
    ConnectorId: item.connectorId,
    Operation: 'DEVICE_DISCOVERY',
    OperationVersion: '1.0',
    StatusCode: 200,
    UserId: userId,
    DeviceDiscoveryId: item.deviceDiscoveryId,
    Devices: devices.map((d) => ({
      ConnectorDeviceId: d.connectorDeviceId,
      ...(d.name !== undefined ? { ConnectorDeviceName: d.name } : {}),
      CapabilityReport: d.capabilityReport,
      ...(d.capabilitySchemas !== undefined ? { CapabilitySchemas: d.capabilitySchemas } : {}),
      ...(d.metadata !== undefined ? { DeviceMetadata: d.metadata } : {}),
    })),
  });

  const doWork = async (item: WorkItem, record: SqsRecord, workLog: Logger, deadline?: number) => {
    const auth = await authContext(item.auth);
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
      if (Date.now() >= deadlineAt) throw new CommandDeadlineError(deadlineMs);
      userId = await vendor('resolveUser', () => options.resolveUser(base));
      if (item.kind === 'discover') {
        const user = userId;
        const devices = await vendor('listDevices', () =>
          options.listDevices({ ...base, userId: user }),
        );
        return deliver(discoveryEvent(item, userId, devices), log.child({ userId }), deadline);
      }
      const user = userId;
      // Once per traceId: a retry after the vendor answered (say the answer could not be sent)
      // sends the stored results instead of executing the command again.
      const executed = await runOnce(
        store,
        `vendor:${workKey(item)}`,
        async () =>
          (await beforeDeadline(
            vendor('executeCommand', () =>
              options.executeCommand({
                ...base,
                userId: user,
                traceId: item.traceId,
                connectorDeviceId: item.connectorDeviceId,
                endpoints: item.endpoints,
              }),
            ),
            deadlineAt,
            deadlineMs,
          )) ?? null,
        { leaseMs: Number.isFinite(deadlineAt) ? deadlineAt - Date.now() + 1_000 : 60_000 },
      );
      const events = commandResponses(item, userId, executed.result ?? undefined);
      await answerOnce(item, events, log.child({ userId }), deadline);
      return 'sent' as const;
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
        await answerOnce(item, [commandFailure(item, userId, status, reason)], log, deadline);
        return 'sent' as const;
      }
      const message = wireMessage(`vendor call failed ${error instanceof Error ? error.name : ''}`);
      const failure: SendConnectorEventRequest = {
        ...discoveryEvent(item, userId ?? 'unknown', []),
        StatusCode: 500,
        Message: message,
      };
      return deliver(failure, log, deadline);
    }
  };

  /** A command gets one answer: success or failure, whichever is sent first. */
  const answerOnce = async (
    item: Extract<WorkItem, { kind: 'command' }>,
    events: readonly SendConnectorEventRequest[],
    log: Logger,
    deadline?: number,
  ) => {
    const outcome = await runOnce(store, `answer:${workKey(item)}`, async () => {
      for (const e of events) await deliver(e, log, deadline);
      return true;
    });
    if (outcome.duplicate) log.info('command already answered; not answering again');
  };

  const handleSqs = async (
    event: { Records: SqsRecord[] },
    context?: LambdaContextLike,
  ): Promise<SqsBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    const deadline = context?.getRemainingTimeInMillis
      ? Date.now() + context.getRemainingTimeInMillis() - 500
      : undefined;
    for (const record of event.Records) {
      const item = parseWorkItem(record.body);
      if (!item) {
        // Poison message: retrying cannot fix it; report it (redrive moves it to the DLQ).
        logger.error('unreadable work item', { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        stats.workItemsFailed++;
        continue;
      }
      const log = logger.child({
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
          {
            leaseMs:
              deadline === undefined ? 60_000 : Math.max(1_000, deadline - Date.now() + 1_000),
          },
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

  // ---- Function URL (vendor webhooks) -----------------------------------------------------

  const handleUrl = async (
    event: UrlEvent,
    context?: LambdaContextLike,
  ): Promise<FunctionUrlResponse> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath ?? event.requestContext.http.path ?? '/';
    if (method === 'GET' && path.endsWith('/health')) return http(200, { status: 'ok' });
    const webhooks = options.webhooks;
    if (!webhooks) return http(404, { error: 'this connector has no webhook endpoint configured' });
    if (method !== 'POST')
      return http(
        405,
        { error: `method ${method} not allowed; POST webhooks here` },
        { allow: 'POST' },
      );
    // Function URLs deliver lower-case names already; anything else (a test, a proxy) is folded.
    const given = event.headers ?? {};
    let headers: Record<string, string | undefined> = given;
    for (const k in given) {
      if (k !== k.toLowerCase()) {
        headers = {};
        for (const name in given) headers[name.toLowerCase()] = given[name];
        break;
      }
    }
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64')
      : (event.body ?? '');
    let verified: ReturnType<WebhookVerifier['verify']>;
    try {
      verified = webhooks.verifier.verify({ headers, body });
    } catch (error) {
      stats.webhooksRejected++;
      if (error instanceof WebhookVerificationError) {
        logger.warn('webhook rejected', { reason: error.reason, scheme: webhooks.verifier.scheme });
        return http(error.status, { error: error.reason });
      }
      throw error;
    }
    const log = logger.child({
      webhookId: verified.id,
      ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
    });
    let vendorEvent: E;
    try {
      vendorEvent = webhooks.parse
        ? webhooks.parse(verified.body)
        : (JSON.parse(verified.body) as E);
    } catch {
      stats.webhooksRejected++;
      return http(400, { error: 'body: expected JSON' });
    }
    let id: string;
    try {
      id = knownId ?? (await connectorId());
    } catch (error) {
      log.error('connectorId unavailable', { error });
      return http(
        503,
        { error: 'connector id not resolved yet; retry later' },
        { 'retry-after': '5' },
      );
    }
    try {
      const outcome = await runOnce(store, `webhook:${verified.id}`, async () => {
        const events: DeviceEvent[] = webhooks.translate(vendorEvent);
        let sent = 0;
        let parked = 0;
        for (const e of events) {
          if (
            e.userId !== undefined &&
            store.get &&
            (await store.get(`deactivated:${e.userId}`, Date.now()))
          ) {
            log.info('event for a deactivated user dropped', { userId: e.userId });
            stats.eventsDroppedDeactivated++;
            continue;
          }
          const request: SendConnectorEventRequest = {
            ConnectorId: id,
            Operation: 'DEVICE_EVENT',
            OperationVersion: '1.0',
            StatusCode: 200,
            ConnectorDeviceId: e.connectorDeviceId,
            ...(e.userId !== undefined ? { UserId: e.userId } : {}),
            ...(e.traceId !== undefined ? { TraceId: e.traceId } : {}),
            MatterEndpoint: e.endpoint,
          };
          const delivered = await deliver(
            request,
            log.child({
              connectorDeviceId: e.connectorDeviceId,
              ...(e.userId ? { userId: e.userId } : {}),
            }),
          );
          sent++;
          if (delivered === 'outboxed') parked++;
        }
        return { events: sent, parked };
      });
      // The stored result of an earlier run: a number before `parked` was counted.
      const stored = outcome.result as { events: number; parked: number } | number;
      // `parked` only when some were: the usual answer stays `{ status, events }`.
      const result =
        typeof stored === 'number' || stored.parked === 0
          ? { events: typeof stored === 'number' ? stored : stored.events }
          : stored;
      if (outcome.duplicate) {
        stats.webhookDuplicates++;
        log.info('duplicate webhook ignored');
        return http(200, { status: 'duplicate', ...result });
      }
      stats.webhooksAccepted++;
      // A parked event is durable (the outbox) and replayed by `c2c replay`: the delivery is done
      // as far as the vendor is concerned, so it gets 202 like any other and must not retry;
      // `parked` tells how many of its events wait in the outbox.
      return http(202, { status: 'accepted', ...result });
    } catch (error) {
      if (error instanceof UnknownVendorEventError) {
        stats.unknownVendorEvents++;
        log.error('unknown vendor event', {
          eventType: error.eventType,
          count: stats.unknownVendorEvents,
        });
        return http(422, { error: error.message });
      }
      if (error instanceof ConnectorValidationError || error instanceof PiiInDeviceIdError) {
        log.error('translated event is invalid', { error });
        return http(422, { error: error.message });
      }
      if (error instanceof IdempotencyInProgressError) {
        return http(
          409,
          { error: 'this delivery is being processed; retry later' },
          { 'retry-after': '1' },
        );
      }
      log.error('event delivery failed; asking the vendor to retry', { error });
      return http(
        503,
        { error: 'event could not be delivered yet; retry later' },
        { 'retry-after': '5' },
      );
    }
  };

  const handler = (async (
    event: unknown,
    context?: LambdaContextLike,
  ): Promise<ConnectorResult> => {
    try {
      if (typeof event === 'object' && event !== null) {
        const e = event as Record<string, unknown>;
        if (isUrlEvent(e)) return await handleUrl(e, context);
        if (isSqsEvent(e)) return await handleSqs(e, context);
      }
      return await handleInvocation(event, context);
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

/**
 * @c2c-kit/matter's value validation. Imported statically: the package decodes its Matter table
 * on first lookup, not at import, so importing it is cheap — while a dynamic import made esbuild
 * wrap matter and protocol in lazy-init closures that V8 parses twice (~2 ms of a cold start).
 */
function matterEndpointIssues(
  endpoint: MatterEndpointWire,
  event: { readonly operation: SendConnectorEventRequest['Operation'] },
): readonly string[] {
  // A DEVICE_COMMAND_RESPONSE answers commands: response fields or none, never request fields.
  const direction = event.operation === 'DEVICE_COMMAND_RESPONSE' ? 'response' : 'request';
  const result = validateMatterEndpoint(endpoint, { direction });
  return result.ok ? [] : result.issues.map(formatIssue);
}

/** Runs a developer callback; anything it throws becomes a `VendorCallbackError` naming it. */
async function vendor<T>(callback: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new VendorCallbackError(callback, error);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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

/**
 * DEVICE_COMMAND_RESPONSE per requested endpoint: per-command `responseCode` (and `errors`)
 * inside the command entry, new attribute values on the cluster, StatusCode = worst result.
 */
function commandResponses(
  item: Extract<WorkItem, { kind: 'command' }>,
  userId: string,
  results: readonly CommandResult[] | undefined,
): SendConnectorEventRequest[] {
  const message = resultsMessage(results ?? []);
  return item.endpoints.map((endpoint) => {
    let worst = 200;
    let matter: MatterEndpointWire;
    const mine = (results ?? []).filter((r) => r.endpointId === endpoint.id);
    if (mine.length === 0) {
      // No explicit results for this endpoint: the vendor accepted everything requested.
      matter = statusEndpoint(endpoint, 200);
    } else {
      const clusters = new Map<
        string,
        { id: string; attributes?: Record<string, unknown>; commands?: Record<string, unknown> }
      >();
      for (const r of mine) {
        const status = r.status ?? 200;
        worst = Math.max(worst, status);
        const c = clusters.get(r.clusterId) ?? { id: r.clusterId };
        if (r.commandId !== undefined) {
          c.commands = {
            ...c.commands,
            [r.commandId]: {
              responseCode: status,
              ...(r.message ? { errors: { code: String(status), message: r.message } } : {}),
            },
          };
        }
        if (r.attributes) c.attributes = { ...c.attributes, ...r.attributes };
        clusters.set(r.clusterId, c);
      }
      matter = {
        ...(endpoint.id !== undefined ? { id: endpoint.id } : {}),
        clusters: [...clusters.values()],
      };
    }
    return {
      ConnectorId: item.connectorId,
      Operation: 'DEVICE_COMMAND_RESPONSE',
      OperationVersion: '1.0',
      StatusCode: worst,
      // The customer reads why in Message; the per-command errors say which command.
      ...(worst >= 300 && message ? { Message: message } : {}),
      UserId: userId,
      TraceId: item.traceId,
      ConnectorDeviceId: item.connectorDeviceId,
      MatterEndpoint: matter,
    };
  });
}
