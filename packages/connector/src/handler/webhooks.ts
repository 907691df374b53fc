/**
 * The Function URL: the vendor's signed webhooks (verify → parse → translate → one DEVICE_EVENT
 * per device, once per delivery id) and a health check.
 */
import {
  ConnectorValidationError,
  IdempotencyInProgressError,
  PiiInDeviceIdError,
  UnknownVendorEventError,
  WebhookVerificationError,
} from '../errors.js';
import { deviceEvent } from '../events/builders.js';
import { runOnce } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import { type DeviceEvent, type Translate, toDeviceEvents } from '../translate/translator.js';
import type { VerifiedWebhook, WebhookVerifier } from '../webhooks/verify.js';
import {
  type ConnectorRuntime,
  deactivatedKey,
  invocationDeadline,
  invocationLease,
} from './runtime.js';
import type { LambdaContextLike } from './types.js';

export interface WebhookOptions<E> {
  /** Checks the delivery's signature: `standardWebhooks`, `stripeStyleWebhooks`, … (required). */
  readonly verifier: WebhookVerifier;
  /** Vendor event → device events: any function, or a `defineTranslator` rule table (required). */
  readonly translate: Translate<E>;
  /** Body text → vendor event. Default `JSON.parse`. */
  readonly parse?: (body: string) => E;
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A Lambda Function URL request (payload format 2.0), the fields read here. */
export type UrlEvent = {
  version?: string;
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string; path?: string } };
};

export function isUrlEvent(e: Record<string, unknown>): e is Record<string, unknown> & UrlEvent {
  const rc = e.requestContext as { http?: { method?: unknown } } | undefined;
  return typeof rc?.http?.method === 'string';
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

export function webhookHandler<E>(rt: ConnectorRuntime, webhooks: WebhookOptions<E> | undefined) {
  const { store, stats, clock, deliver } = rt;

  /** Sends one event unless its user was deactivated; whether the outbox took it. */
  const sendOne = async (e: DeviceEvent, connectorId: string, log: Logger) => {
    if (
      e.userId !== undefined &&
      store.get &&
      (await store.get(deactivatedKey(e.userId), clock.now()))
    ) {
      log.info('event for a deactivated user dropped', { userId: e.userId });
      stats.eventsDroppedDeactivated++;
      return undefined;
    }
    return deliver(
      deviceEvent(connectorId, e),
      log.child({
        connectorDeviceId: e.connectorDeviceId,
        ...(e.userId ? { userId: e.userId } : {}),
      }),
    );
  };

  /**
   * Sends a delivery's events: each device's in the order given, one after another, and the
   * devices side by side (the client's keep-alive pool carries them concurrently), so a delivery
   * of many devices takes about as long as its longest device. `parked` counts those the outbox
   * took. When some device fails, the others still finish before the error is thrown: nothing
   * is in flight after the answer.
   */
  const sendEvents = async (
    translate: Translate<E>,
    vendorEvent: E,
    connectorId: string,
    log: Logger,
  ) => {
    const byDevice = new Map<string, DeviceEvent[]>();
    for (const e of toDeviceEvents(translate(vendorEvent))) {
      const list = byDevice.get(e.connectorDeviceId);
      if (list === undefined) byDevice.set(e.connectorDeviceId, [e]);
      else list.push(e);
    }
    let sent = 0;
    let parked = 0;
    const settled = await Promise.allSettled(
      [...byDevice.values()].map(async (events) => {
        for (const e of events) {
          const delivered = await sendOne(e, connectorId, log);
          if (delivered === undefined) continue;
          sent++;
          if (delivered === 'outboxed') parked++;
        }
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return { events: sent, parked };
  };

  return async (event: UrlEvent, context?: LambdaContextLike): Promise<FunctionUrlResponse> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath ?? event.requestContext.http.path ?? '/';
    if (method === 'GET' && path.endsWith('/health')) return http(200, { status: 'ok' });
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
    let verified: VerifiedWebhook;
    try {
      verified = webhooks.verifier.verify({ headers, body });
    } catch (error) {
      stats.webhooksRejected++;
      if (error instanceof WebhookVerificationError) {
        rt.logger.warn('webhook rejected', {
          reason: error.reason,
          scheme: webhooks.verifier.scheme,
        });
        return http(error.status, { error: error.reason });
      }
      throw error;
    }
    const log = rt.logger.child({
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
      id = rt.connectorId.known() ?? (await rt.connectorId.get());
    } catch (error) {
      log.error('connectorId unavailable', { error });
      return http(
        503,
        { error: 'connector id not resolved yet; retry later' },
        { 'retry-after': '5' },
      );
    }
    try {
      const outcome = await runOnce(
        store,
        `webhook:${verified.id}`,
        () => sendEvents(webhooks.translate, vendorEvent, id, log),
        // A delivery whose environment died mid-way blocks the vendor's retry (409) only until
        // this invocation would have timed out, not for the store's default lease.
        { ...invocationLease(clock, invocationDeadline(clock, context)), now: () => clock.now() },
      );
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
      // A parked event is durable (the outbox) and retried from it: the delivery is done
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
}
