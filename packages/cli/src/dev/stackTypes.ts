import type { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import type { FaultConfig, FunctionObserver } from '@c2c-kit/emulator';
import type { DEFAULT_USERS } from '@c2c-kit/vendor-cloud';
import type { ConnectorSetup } from './connectorConfig.js';
import type { CustomerAccount } from './dashboardServer.js';

// What `startDevStack` takes and gives: the contract `c2c dev`, `c2c test` and the tests share.

export interface DevStackOptions {
  /** State directory (SQLite file, generated secrets); `undefined` keeps everything in memory. */
  readonly dataDir?: string;
  readonly emulatorPort?: number;
  readonly vendorPort?: number;
  readonly dashboardPort?: number;
  /**
   * Extra names (`Host` header) the emulator, vendor cloud and dashboard answer to, beyond their
   * listening addresses; `name` or `name:port`. See docs/security.md.
   */
  readonly allowedHosts?: readonly string[];
  /**
   * The connector to run, as `resolveConnectorSetup` reads it from `--connector` and the flags
   * (default: the reference connector, examples/acme-connector).
   */
  readonly connector?: ConnectorSetup;
  /** Watches the connector function: its output lines and each invocation (the terminal log). */
  readonly functions?: FunctionObserver;
  /** Called with each start-up step as it begins and ends, for the progress display. */
  readonly progress?: (event: { step: string; state: 'start' | 'done'; detail?: string }) => void;
}

export interface DevStack {
  readonly emulatorUrl: string;
  readonly vendorCloudUrl: string;
  readonly dashboardUrl: string;
  readonly region: string;
  readonly customer: CustomerAccount;
  readonly connectorId: string;
  readonly connectorDestinationId: string;
  readonly functionArn: string;
  readonly functionUrl: string;
  /** The connector that runs, and its environment as configured (secrets included: print with care). */
  readonly connector: ConnectorSetup;
  readonly connectorEnvironment: Readonly<Record<string, string>>;
  /** Where the webhook secret came from: generated (kept in the data dir) or the user's variable. */
  readonly webhookSecretSource: string;
  /**
   * The connector's outbox (`C2C_OUTBOX_QUEUE_URL`, an SQS FIFO queue on the emulator): events
   * SendConnectorEvent still refuses after the client's retries wait here, and the connector
   * retries them with backoff (an event source mapping), each device's in order.
   */
  readonly outboxQueueUrl: string;
  /**
   * The outbox's dead-letter queue (`C2C_OUTBOX_DLQ_URL`): events that failed for good (a 4xx,
   * too many attempts, too old) wait here for `c2c replay --queue-url <this>`.
   */
  readonly deadLetterQueueUrl: string;
  /** The connector store's SQLite file (in the data directory, else a temporary directory). */
  readonly connectorStoreFile: string;
  readonly demoUsers: typeof DEFAULT_USERS;
  /** The vendor cloud's OAuth client the destination uses (c2c test gets users' tokens with it). */
  readonly oauthClient: { readonly clientId: string; readonly clientSecret: string };
  /** Signed managed-integrations client acting as the customer account. */
  readonly client: ManagedIntegrationsClient;
  /** SSE URL of the customer's notification stream on the emulator. */
  readonly notificationStreamUrl: string;
  /** Fires a vendor-side device event (the vendor cloud's simulation API). */
  triggerVendorEvent(deviceId: string, event: string, params?: unknown): Promise<unknown>;
  /**
   * Changes the emulator's fault injection while it runs (SendConnectorEvent and connector
   * invokes: `throttle`, `error` probabilities, `latencyMs`); fields left out keep their value.
   * For trying the outbox: `setFaults({ throttle: 1 })`, fire an event, `setFaults({ throttle: 0 })`.
   */
  setFaults(faults: Partial<FaultConfig>): void;
  close(): Promise<void>;
}
