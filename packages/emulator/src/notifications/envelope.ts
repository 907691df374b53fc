import { randomUUID } from 'node:crypto';

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
 * Builds the envelope. The docs' examples disagree on `version` and on the timestamp format; we
 * send `"1.0"` and epoch milliseconds as a string (the form most examples use).
 */
export function buildEnvelope(input: EnvelopeInput): NotificationEnvelope {
  return {
    version: '1.0',
    messageId: randomUUID().replace(/-/g, ''),
    messageType: input.eventType,
    source: 'aws.iotmanagedintegrations',
    customerAccountId: input.accountId,
    timestamp: String(input.now ?? Date.now()),
    region: input.region,
    resources: input.resources,
    payload: input.payload,
  };
}
