import { ConnectorConfigError } from '../errors.js';
import type { EndpointCheck, EventSender } from '../events/delivery.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { Logger } from '../log/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import { DISCOVERY_REQUEST_BYTES } from '../protocol.js';
import type { WorkQueue } from '../queue/workQueue.js';
import type { Clock } from '../util/clock.js';
import type { OutboxPolicy } from './outboxDrain.js';
import type { SecretReader } from './secrets.js';
import type { ConnectorCallbacks } from './types.js';
import type { WebhookOptions } from './webhooks.js';

/**
 * Options of `createConnector`. Only `vendor` is required; every other option has a default
 * that suits a Lambda deployment configured through the environment.
 *
 * @example
 * ```ts
 * export const handler = createConnector<AcmeEvent>({
 *   vendor: { resolveUser, listDevices, executeCommand, revokeTokens },
 *   webhooks: {
 *     verifier: standardWebhooks({ secrets }),
 *     translate: (e) => ({ connectorDeviceId: e.deviceId, clusters: [fanControl.fanMode(e.mode)] }),
 *   },
 *   runtime: { idempotency: new SqliteIdempotencyStore('idempotency.db') },
 *   policy: { commandDeadlineMs: 10_000 },
 * });
 * ```
 */
export interface ConnectorOptions<E = unknown> {
  /** The vendor-specific callbacks: `resolveUser`, `listDevices`, `executeCommand`, `revokeTokens?` (required). */
  readonly vendor: ConnectorCallbacks;
  /** Vendor webhooks on the Function URL: `{ verifier, translate, parse? }`. Default none (404). */
  readonly webhooks?: WebhookOptions<E>;
  /**
   * This connector's id, fixed (a string) or found by a resolver called once, when a webhook
   * needs the id before any invocation named it. Default: `C2C_CONNECTOR_ID`, else the first
   * invocation's, else `resolveConnectorId()` through the client.
   */
  readonly connectorId?: string | (() => Promise<string>);
  /** The parts the runtime talks to; each has a default. */
  readonly runtime?: ConnectorRuntimeParts;
  /** What the runtime checks, and how long it keeps trying; each has a default. */
  readonly policy?: ConnectorPolicy;
}

/** The parts the runtime talks to. */
export interface ConnectorRuntimeParts {
  /** Sends events. Default: a `ConnectorEventsClient` from the environment, built on first use. */
  readonly client?: EventSender;
  /** Where ACKed discovery and command work goes. Default: `SqsWorkQueue` on `C2C_WORK_QUEUE_URL`. */
  readonly workQueue?: WorkQueue;
  /**
   * The connector store: idempotency records and per-device parked markers. Default:
   * `MemoryIdempotencyStore` (per container); share one across workers and restarts —
   * `DynamoDbIdempotencyStore` (`@c2c-kit/connector/dynamodb`) in AWS, `SqliteIdempotencyStore`
   * (`/sqlite`) locally.
   */
  readonly idempotency?: IdempotencyStore;
  /** Where events the service still refuses after retries are parked, then retried. Default: `SqsOutbox` when `C2C_OUTBOX_QUEUE_URL` is set (drained by this function through an event source mapping), else none (the sender retries). */
  readonly outbox?: Outbox;
  /** Reads General Authorization secrets. Default: `SecretsManagerReader` (cached per arn + versionId). */
  readonly secrets?: SecretReader;
  /** Structured logs. Default: `createJsonLogger()` (JSON lines on stdout). */
  readonly logger?: Logger;
  /** Where the runtime reads the time and waits (command deadline, ACK budget, leases). Default: `systemClock`. */
  readonly clock?: Clock;
}

/** What the runtime checks, and how long it keeps trying. */
export interface ConnectorPolicy {
  /** Refuse ConnectorDeviceIds that look like e-mail addresses or phone numbers. Default `true`. */
  readonly piiCheck?: boolean;
  /** MatterEndpoint check before sending, beyond the model's shape rules; `false` skips it. Default: `validateMatterEndpoint` (a DEVICE_COMMAND_RESPONSE's commands checked as responses). */
  readonly validateEndpoint?: false | EndpointCheck;
  /** Receives of a work message before a vendor failure is reported to the service as final. Default `3`. */
  readonly maxWorkAttempts?: number;
  /** Ms from SendCommand until an unanswered command is failed (StatusCode 504). Default `30000`, or `C2C_COMMAND_DEADLINE_MS`. */
  readonly commandDeadlineMs?: number;
  /**
   * Largest DEVICE_DISCOVERY request body in bytes: a discovery with more devices is sent as
   * several requests with the same DeviceDiscoveryId, in order. Default 262144 (256 KiB; the
   * service's own limit is unpublished, this is our assumption: protocol's
   * `DISCOVERY_REQUEST_BYTES`).
   */
  readonly maxDiscoveryRequestBytes?: number;
  /** Retries of parked events and when they are dead-lettered: `{ maxAttempts: 100, maxAgeMs: 24 h, backoffBaseMs: 1000, backoffMaxMs: 300000 }`. */
  readonly outbox?: OutboxPolicy;
}

/** `vendor`, checked: the three required callbacks are functions. */
export function checkVendor(vendor: ConnectorCallbacks | undefined): void {
  for (const name of ['resolveUser', 'listDevices', 'executeCommand'] as const) {
    if (typeof vendor?.[name] !== 'function') {
      throw new ConnectorConfigError(
        `vendor.${name}: expected a function, got ${vendor ? typeof vendor[name] : 'no vendor callbacks'}`,
      );
    }
  }
}

/** `policy.maxDiscoveryRequestBytes`, checked: a whole number of at least 1 KiB. */
export function discoveryRequestBytes(value: number | undefined): number {
  if (value === undefined) return DISCOVERY_REQUEST_BYTES;
  if (!Number.isSafeInteger(value) || value < 1024) {
    throw new ConnectorConfigError(
      `policy.maxDiscoveryRequestBytes: expected a whole number of bytes ≥ 1024, got ${String(value)}`,
    );
  }
  return value;
}
