/**
 * Customer notification messages (delivered to the customer's Kinesis stream), c2c-contract.md
 * §8. The envelope and payload keys come from the public NOTIF examples; choices where those
 * examples disagree are in `../invoke/inferred.ts`.
 */
import type { AssociationState, DeviceDiscoveryStatus, EventType } from '../generated/types.js';

/** The notification types with typed payloads (the ones a C2C connector causes). */
export const NOTIFICATION_EVENT_TYPES = [
  'DEVICE_EVENT',
  'DEVICE_STATE',
  'DEVICE_COMMAND',
  'DEVICE_DISCOVERY_STATUS',
  'ACCOUNT_ASSOCIATION',
  'CONNECTOR_ERROR_REPORT',
] as const;

export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** A capability property in the customer-facing (named) model: `{ name: "OnOff", value: true }`. */
export interface NotificationProperty {
  readonly name: string;
  readonly value: unknown;
}

/** A capability in a notification: `{ id: "matter.OnOff@1.4", name: "On/Off", version: "1.4" }`. */
export interface NotificationCapability<P = NotificationProperty> {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly properties?: readonly P[];
}

export interface NotificationEndpoint<P = NotificationProperty> {
  readonly endpointId: string;
  readonly capabilities: readonly NotificationCapability<P>[];
}

export interface DeviceEventPayload {
  /** Arrival time at managed integrations (form as in `timestamp`). */
  readonly iotMiArrivalTimestamp?: string | number;
  readonly endpoints: readonly NotificationEndpoint[];
}

/** A reported state: the value and when it last changed. */
export interface StatePropertyValue {
  readonly propertyValue: unknown;
  readonly lastChangedAt?: string | number;
}

export interface DeviceStatePayload {
  readonly addedStates: {
    readonly endpoints: readonly NotificationEndpoint<{
      readonly name: string;
      readonly value: StatePropertyValue;
    }>[];
  };
}

export interface DeviceCommandPayload {
  readonly traceId: string;
  readonly receivedAt?: string | number;
  readonly executedAt?: string | number;
  /** "succeeded" or "failed" (inferred.ts). */
  readonly result: string;
}

export interface DeviceDiscoveryStatusPayload {
  readonly deviceCount: number;
  readonly deviceDiscoveryId: string;
  readonly status: DeviceDiscoveryStatus;
}

export interface AccountAssociationPayload {
  readonly traceId?: string;
  readonly logLevel?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly connectorDestinationId?: string;
  readonly associationArn?: string;
  readonly state?: AssociationState;
  readonly isServiceError?: boolean;
  readonly isCustomerError?: boolean;
  readonly details?: string;
}

export interface ConnectorErrorReportPayload {
  /** The connector's `responseCode`. */
  readonly statusCode: number;
  readonly resourceType?: string;
  readonly resourceId?: readonly string[];
  readonly associationArn?: readonly string[];
  readonly connectorDestinationId?: string;
  readonly connectorDeviceId?: string;
  /** Invoke operation, e.g. `AWS.SendCommand`. */
  readonly operation: string;
  readonly operationVersion?: string;
  readonly traceId?: string;
  readonly logLevel: string;
  readonly message: string;
  readonly managedThingId?: string;
}

/** Payload type per notification type. */
export interface NotificationPayloads {
  DEVICE_EVENT: DeviceEventPayload;
  DEVICE_STATE: DeviceStatePayload;
  DEVICE_COMMAND: DeviceCommandPayload;
  DEVICE_DISCOVERY_STATUS: DeviceDiscoveryStatusPayload;
  ACCOUNT_ASSOCIATION: AccountAssociationPayload;
  CONNECTOR_ERROR_REPORT: ConnectorErrorReportPayload;
}

/** The notification envelope. `messageType` is the configured `EventType`. */
export interface NotificationMessage<E extends NotificationEventType = NotificationEventType> {
  readonly version: string;
  readonly messageId: string;
  readonly messageType: E;
  readonly source: string;
  readonly customerAccountId: string;
  /** Epoch milliseconds (string) or ISO-8601; see inferred.ts. */
  readonly timestamp: string | number;
  readonly region: string;
  /** ARNs of the resources concerned (managed thing, account association, …). */
  readonly resources: readonly string[];
  readonly payload: NotificationPayloads[E];
}

/** Every modelled EventType, including ones whose payloads are not typed here. */
export type AnyEventType = EventType;
