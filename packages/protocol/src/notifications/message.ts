/** Validation and construction of customer notification messages. */
import { randomUUID } from 'node:crypto';
import {
  checkArray,
  checkBoolean,
  checkInteger,
  checkObject,
  checkShapeString,
  checkString,
  checkStringArray,
  type Json,
} from '../check.js';
import { InvalidMessageError } from '../errors.js';
import { AssociationState, DeviceDiscoveryStatus, EventType } from '../generated/types.js';
import {
  AccountAssociationArnShape,
  DeviceDiscoveryIdShape,
  TraceIdShape,
} from '../generated/validators.js';
import {
  CONNECTOR_ERROR_REPORT_REQUIRED,
  DEVICE_COMMAND_RESULTS,
  formatNotificationTimestamp,
  isNotificationTimestamp,
  LOG_LEVELS,
  NOTIFICATION_SOURCE,
  NOTIFICATION_VERSION,
} from '../invoke/inferred.js';
import type { Result, ValidationIssue } from '../result.js';
import { at, onFirstUse } from '../validate-runtime.js';
import {
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
  type NotificationMessage,
  type NotificationPayloads,
} from './types.js';

// Enum value lists on first use (a module-level call would keep them in every bundle).
const enumLists = /* @__PURE__ */ onFirstUse(() => ({
  events: Object.values(EventType) as string[],
  discovery: Object.values(DeviceDiscoveryStatus) as string[],
  association: Object.values(AssociationState) as string[],
}));

function checkTimestamp(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  required: boolean,
): void {
  const v = o[key];
  const message = 'expected epoch milliseconds or an ISO-8601 date-time';
  if (v === undefined || v === null) {
    if (required) out.push({ path: at(path, key), message: `required: ${message}` });
    return;
  }
  if (!isNotificationTimestamp(v)) out.push({ path: at(path, key), message, received: v });
}

/** `endpoints: [{ endpointId, capabilities: [{ id, name, version, properties? }] }]` */
function checkEndpoints(
  o: Json,
  key: string,
  path: string,
  out: ValidationIssue[],
  checkPropertyValue?: (value: unknown, path: string, out: ValidationIssue[]) => void,
): void {
  const endpoints = checkArray(o, key, path, out);
  endpoints?.forEach((endpoint, i) => {
    const ep = `${at(path, key)}[${i}]`;
    if (!checkObject(endpoint, ep, out, 'notification endpoint')) return;
    checkString(endpoint, 'endpointId', ep, out);
    const capabilities = checkArray(endpoint, 'capabilities', ep, out);
    capabilities?.forEach((capability, j) => {
      const cp = `${ep}.capabilities[${j}]`;
      if (!checkObject(capability, cp, out, 'capability')) return;
      checkString(capability, 'id', cp, out);
      checkString(capability, 'name', cp, out);
      checkString(capability, 'version', cp, out);
      const properties = checkArray(capability, 'properties', cp, out, { required: false });
      properties?.forEach((property, k) => {
        const pp = `${cp}.properties[${k}]`;
        if (!checkObject(property, pp, out, 'property {name, value}')) return;
        checkString(property, 'name', pp, out);
        if (!('value' in property))
          out.push({ path: at(pp, 'value'), message: 'required: expected a value' });
        else checkPropertyValue?.(property.value, at(pp, 'value'), out);
      });
    });
  });
}

const PAYLOAD_CHECKS: Record<NotificationEventType, (p: Json, out: ValidationIssue[]) => void> = {
  DEVICE_EVENT(p, out) {
    checkTimestamp(p, 'iotMiArrivalTimestamp', 'payload', out, false);
    checkEndpoints(p, 'endpoints', 'payload', out);
  },
  DEVICE_STATE(p, out) {
    const added = p.addedStates;
    if (added === undefined || added === null) {
      out.push({
        path: 'payload.addedStates',
        message: 'required: expected an object {endpoints}',
      });
      return;
    }
    if (!checkObject(added, 'payload.addedStates', out, 'addedStates')) return;
    checkEndpoints(added, 'endpoints', 'payload.addedStates', out, (value, path, issues) => {
      if (!checkObject(value, path, issues, '{propertyValue, lastChangedAt}')) return;
      if (!('propertyValue' in value)) {
        issues.push({ path: at(path, 'propertyValue'), message: 'required: expected a value' });
      }
      checkTimestamp(value, 'lastChangedAt', path, issues, false);
    });
  },
  DEVICE_COMMAND(p, out) {
    checkShapeString(p, 'traceId', 'payload', out, TraceIdShape);
    checkTimestamp(p, 'receivedAt', 'payload', out, false);
    checkTimestamp(p, 'executedAt', 'payload', out, false);
    checkString(p, 'result', 'payload', out, { values: DEVICE_COMMAND_RESULTS });
  },
  DEVICE_DISCOVERY_STATUS(p, out) {
    checkInteger(p, 'deviceCount', 'payload', out, { min: 0 });
    checkShapeString(p, 'deviceDiscoveryId', 'payload', out, DeviceDiscoveryIdShape);
    checkString(p, 'status', 'payload', out, { values: enumLists().discovery });
  },
  ACCOUNT_ASSOCIATION(p, out) {
    for (const key of [
      'traceId',
      'resourceType',
      'resourceId',
      'connectorDestinationId',
      'details',
    ]) {
      checkString(p, key, 'payload', out, { required: false });
    }
    checkString(p, 'logLevel', 'payload', out, { required: false, values: LOG_LEVELS });
    checkShapeString(p, 'associationArn', 'payload', out, AccountAssociationArnShape, false);
    checkString(p, 'state', 'payload', out, { required: false, values: enumLists().association });
    checkBoolean(p, 'isServiceError', 'payload', out, false);
    checkBoolean(p, 'isCustomerError', 'payload', out, false);
  },
  CONNECTOR_ERROR_REPORT(p, out) {
    const required = new Set<string>(CONNECTOR_ERROR_REPORT_REQUIRED);
    checkInteger(p, 'statusCode', 'payload', out, {
      required: required.has('statusCode'),
      min: 100,
      max: 599,
    });
    for (const key of [
      'resourceType',
      'connectorDestinationId',
      'operation',
      'operationVersion',
      'traceId',
      'message',
      'managedThingId',
    ]) {
      checkString(p, key, 'payload', out, { required: required.has(key) });
    }
    checkString(p, 'connectorDeviceId', 'payload', out, { required: false, sensitive: true });
    checkString(p, 'logLevel', 'payload', out, {
      required: required.has('logLevel'),
      values: LOG_LEVELS,
    });
    checkStringArray(p, 'resourceId', 'payload', out, false);
    checkStringArray(p, 'associationArn', 'payload', out, false);
  },
};

/**
 * Validates a customer notification message: the envelope, and the payload for the six typed
 * event types (other modelled event types get envelope checks only).
 */
export function validateNotification(value: unknown): Result<NotificationMessage> {
  const out: ValidationIssue[] = [];
  if (!checkObject(value, '', out, 'notification message')) return { ok: false, issues: out };
  checkString(value, 'version', '', out);
  checkString(value, 'messageId', '', out);
  checkString(value, 'messageType', '', out, { values: enumLists().events });
  checkString(value, 'source', '', out, { values: [NOTIFICATION_SOURCE] });
  checkString(value, 'customerAccountId', '', out);
  checkTimestamp(value, 'timestamp', '', out, true);
  checkString(value, 'region', '', out);
  checkStringArray(value, 'resources', '', out);
  const payload = value.payload;
  if (payload === undefined || payload === null) {
    out.push({ path: 'payload', message: 'required: expected an object' });
  } else if (checkObject(payload, 'payload', out, 'notification payload')) {
    const type = value.messageType as NotificationEventType;
    if ((NOTIFICATION_EVENT_TYPES as readonly string[]).includes(type))
      PAYLOAD_CHECKS[type](payload, out);
  }
  return out.length === 0
    ? { ok: true, value: value as unknown as NotificationMessage }
    : { ok: false, issues: out };
}

/** Where and when a notification is sent from. */
export interface NotificationContext {
  readonly customerAccountId: string;
  readonly region: string;
  readonly resources?: readonly string[];
  /** Default: a random UUID. */
  readonly messageId?: string;
  /** Default: now, formatted per inferred.ts. */
  readonly timestamp?: Date | string | number;
  /** Default: inferred.ts `NOTIFICATION_VERSION`. */
  readonly version?: string;
}

/** A notification envelope of any message type, payload as given. */
export interface NotificationEnvelope<T extends string = string, P = unknown> {
  readonly version: string;
  readonly messageId: string;
  readonly messageType: T;
  readonly source: string;
  readonly customerAccountId: string;
  readonly timestamp: string | number;
  readonly region: string;
  readonly resources: readonly string[];
  readonly payload: P;
}

/**
 * The envelope around a notification payload, not validated: the one place its fields are filled
 * (version, id, source, timestamp form). `buildNotification` validates what this builds; the
 * emulator uses it directly for event types this package does not model.
 */
export function notificationEnvelope<T extends string, P>(
  eventType: T,
  payload: P,
  context: NotificationContext,
): NotificationEnvelope<T, P> {
  const ts = context.timestamp ?? new Date();
  return {
    version: context.version ?? NOTIFICATION_VERSION,
    messageId: context.messageId ?? randomUUID(),
    messageType: eventType,
    source: NOTIFICATION_SOURCE,
    customerAccountId: context.customerAccountId,
    timestamp: ts instanceof Date ? formatNotificationTimestamp(ts) : ts,
    region: context.region,
    resources: context.resources ?? [],
    payload,
  };
}

/**
 * Builds a notification message of type `eventType`. Throws `InvalidMessageError` listing every
 * issue when the message would not validate.
 */
export function buildNotification<E extends NotificationEventType>(
  eventType: E,
  payload: NotificationPayloads[E],
  context: NotificationContext,
): NotificationMessage<E> {
  const message = notificationEnvelope(eventType, payload, context) as NotificationMessage<E>;
  const result = validateNotification(message);
  if (!result.ok) throw new InvalidMessageError(`${eventType} notification`, result.issues);
  return message;
}
