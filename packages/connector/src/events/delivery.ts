/**
 * The one path every outbound event takes: validate (PII, Matter values) → behind earlier parked
 * events of its device, or send → on failure, park in the outbox.
 */
import { validateMatterEndpoint } from '@c2c-kit/matter';
import { nodeCrypto } from '@c2c-kit/protocol';
import { ConnectorValidationError } from '../errors.js';
import type { ParkedMarkers } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import {
  formatIssue,
  type MatterEndpointWire,
  type SendConnectorEventRequest,
} from '../protocol.js';
import type { ConnectorDirectory } from '../resolve/connectorId.js';
import { assertNoObviousPii } from '../translate/pii.js';

/** What sends events: the signed client, or anything with the same method. */
export interface EventSender extends ConnectorDirectory {
  sendConnectorEvent(
    request: SendConnectorEventRequest,
    options?: { deadline?: number },
  ): Promise<unknown>;
}

/** A MatterEndpoint check: the issues found (none = fine), synchronously or not. */
export type EndpointCheck = (
  endpoint: MatterEndpointWire,
  event: { readonly operation: SendConnectorEventRequest['Operation'] },
) => readonly string[] | Promise<readonly string[]>;

/** What one delivery did: sent to the service, or parked in the outbox. */
export type Delivered = 'sent' | 'outboxed';

/** Sends one event (`deadline`: epoch ms the client's retries must end by). */
export type Deliver = (
  request: SendConnectorEventRequest,
  log: Logger,
  deadline?: number,
) => Promise<Delivered>;

export interface DeliveryOptions {
  /** The sender, asked for on each send so a default client is only built when first needed. */
  readonly sender: () => EventSender;
  readonly outbox: Outbox | undefined;
  /**
   * The shared store's parked markers: what tells every worker that a device has events in an
   * outbox that cannot answer that itself (`SqsOutbox`).
   */
  readonly markers: ParkedMarkers | undefined;
  /** How long a parked marker counts (past the outbox's max age, so it outlives its event). */
  readonly markerTtlMs: number;
  readonly now: () => number;
  readonly piiCheck: boolean;
  readonly validateEndpoint: EndpointCheck | undefined;
  /** Counters this delivery increments. */
  readonly stats: { eventsSent: number; eventsOutboxed: number };
}

/** The key events of one device share: their order is kept, and they park together. */
export function deviceKeyOf(request: SendConnectorEventRequest): string {
  return (
    request.ConnectorDeviceId ?? request.TraceId ?? request.DeviceDiscoveryId ?? request.Operation
  );
}

/**
 * Sends one event, or parks it in the outbox: behind earlier parked events of the same
 * device (order), or after the client's retries failed (nothing lost). Without an outbox the
 * error propagates so the upstream sender (SQS, the vendor) retries instead.
 */
export function createDelivery(options: DeliveryOptions): Deliver {
  const { outbox, markers, stats, now } = options;
  const check = eventCheck(options.piiCheck, options.validateEndpoint);
  const ownView = outbox?.hasPending ? outbox : undefined;
  const isParked = (deviceKey: string): Promise<boolean> => {
    if (ownView?.hasPending) return ownView.hasPending(deviceKey);
    return markers ? markers.isParked(deviceKey, now()) : Promise.resolve(false);
  };
  // The marker is written before the event is queued: from the moment the webhook can be
  // answered, every worker sees the device as parked. A failed queue send takes it back.
  const park = async (
    target: Outbox,
    deviceKey: string,
    request: SendConnectorEventRequest,
    lastError: string,
  ) => {
    if (ownView || !markers) return target.add(deviceKey, request, lastError);
    const parkId = nodeCrypto().randomBytes(12).toString('base64url');
    await markers.markParked(deviceKey, parkId, now() + options.markerTtlMs);
    try {
      await target.add(deviceKey, request, lastError, parkId);
    } catch (error) {
      await markers.clearParked(deviceKey, parkId).catch(() => undefined);
      throw error;
    }
  };
  return async (request, log, deadline) => {
    const checking = check(request);
    if (checking !== undefined) await checking;
    const deviceKey = deviceKeyOf(request);
    if (outbox && (await isParked(deviceKey))) {
      await park(
        outbox,
        deviceKey,
        request,
        'queued behind earlier undelivered events of this device',
      );
      stats.eventsOutboxed++;
      log.warn('event queued in outbox behind earlier events', { operation: request.Operation });
      return 'outboxed';
    }
    try {
      await options
        .sender()
        .sendConnectorEvent(request, deadline === undefined ? {} : { deadline });
      stats.eventsSent++;
      log.info('event sent', { operation: request.Operation });
      return 'sent';
    } catch (error) {
      if (!outbox || error instanceof ConnectorValidationError) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      await park(
        outbox,
        deviceKey,
        request,
        `${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      stats.eventsOutboxed++;
      log.error('event parked in outbox after retries', {
        operation: request.Operation,
        error: name,
      });
      return 'outboxed';
    }
  };
}

/**
 * Throws when the event must not be sent. Synchronous unless a custom endpoint check returns a
 * promise: the default one does not, and an event should not pay a microtask for nothing.
 */
function eventCheck(piiCheck: boolean, validateEndpoint: EndpointCheck | undefined) {
  return (request: SendConnectorEventRequest): Promise<void> | undefined => {
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
    refuse(found as readonly string[]);
    return undefined;
  };
}

/**
 * @c2c-kit/matter's value validation, the default `policy.validateEndpoint`. Imported statically:
 * the package decodes its Matter table on first lookup, not at import, so importing it is cheap,
 * while a dynamic import made esbuild wrap matter and protocol in lazy-init closures that V8
 * parses twice on a cold start.
 */
export function matterEndpointIssues(
  endpoint: MatterEndpointWire,
  event: { readonly operation: SendConnectorEventRequest['Operation'] },
): readonly string[] {
  // A DEVICE_COMMAND_RESPONSE answers commands: response fields or none, never request fields.
  const direction = event.operation === 'DEVICE_COMMAND_RESPONSE' ? 'response' : 'request';
  const result = validateMatterEndpoint(endpoint, { direction });
  return result.ok ? [] : result.issues.map(formatIssue);
}
