import { randomUUID } from 'node:crypto';
import {
  formatNotificationTimestamp,
  NOTIFICATION_SOURCE,
  NOTIFICATION_VERSION,
} from '@c2c-kit/protocol';

/** Customer notification envelope (managed-integrations NOTIF docs; named-capability payloads). */
export interface NotificationEnvelope {
  readonly version: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly source: string;
  readonly customerAccountId: string;
  readonly timestamp: string | number;
  readonly region: string;
  readonly resources: readonly string[];
  readonly payload: unknown;
}

export interface EnvelopeInput {
  readonly eventType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly payload: unknown;
  readonly now?: number;
}

/**
 * Builds the envelope exactly as protocol's `buildNotification` does (same version, source,
 * timestamp form and id), without validating: used for event types protocol does not model and
 * for the unvalidated share of high-rate ring-only messages.
 */
export function buildEnvelope(input: EnvelopeInput): NotificationEnvelope {
  return {
    version: NOTIFICATION_VERSION,
    messageId: randomUUID(),
    messageType: input.eventType,
    source: NOTIFICATION_SOURCE,
    customerAccountId: input.accountId,
    timestamp: formatNotificationTimestamp(new Date(input.now ?? Date.now())),
    region: input.region,
    resources: input.resources,
    payload: input.payload,
  };
}
