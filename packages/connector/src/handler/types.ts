import type { Logger } from '../log/logger.js';
import type { MatterEndpointWire } from '../protocol.js';

/** The end user's credentials for the vendor cloud, resolved from the invocation. */
export type AuthContext =
  | { readonly type: 'OAuth2.0'; readonly accessToken: string }
  | {
      readonly type: 'GeneralAuthorization';
      /** SecretString read from Secrets Manager (cached by arn + versionId). */
      readonly secret: string;
      readonly arn: string;
      readonly versionId: string;
    };

export interface CallbackContext {
  readonly auth: AuthContext;
  readonly connectorId: string;
  /** Carries correlation ids; never log `auth` yourself — it is redacted here anyway. */
  readonly logger: Logger;
}

export interface UserContext extends CallbackContext {
  readonly userId: string;
}

/** One device found in the vendor cloud, reported in DEVICE_DISCOVERY. */
export interface DiscoveredDevice {
  /** Opaque, stable, PII-free id (checked). */
  readonly connectorDeviceId: string;
  readonly name?: string;
  /** MatterCapabilityReport (`version: "1.0.0"`, endpoints …) — build it with @c2c-kit/matter. */
  readonly capabilityReport: unknown;
  readonly capabilitySchemas?: unknown[];
  readonly metadata?: unknown;
}

export interface CommandContext extends UserContext {
  readonly traceId: string;
  readonly connectorDeviceId: string;
  /** Matter endpoints with `commands: { "0x01": {fields} }` and/or attribute writes. */
  readonly endpoints: readonly MatterEndpointWire[];
}

/** Outcome of one command (or attribute write) on one cluster. */
export interface CommandResult {
  readonly endpointId: string;
  readonly clusterId: string;
  /** Omit for attribute writes. */
  readonly commandId?: string;
  /** HTTP-style status; default 200. */
  readonly status?: number;
  /** Short reason for a failure (model pattern: letters, digits, space, `_.,@-`). */
  readonly message?: string;
  /** New attribute values to report with the response. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** The vendor-specific parts a connector author writes. Everything else is the runtime's. */
export interface ConnectorCallbacks {
  /** Token (or GA secret) → the vendor's globally unique user id. Used by ActivateUser and the workers. */
  resolveUser(ctx: CallbackContext): Promise<string> | string;
  /** The user's devices with capability reports (DiscoverDevices, done after the ACK). */
  listDevices(ctx: UserContext): Promise<readonly DiscoveredDevice[]>;
  /** Executes a command at the vendor (SendCommand, done after the ACK). Void = all succeeded. */
  // biome-ignore lint/suspicious/noConfusingVoidType: an author may simply return nothing
  executeCommand(ctx: CommandContext): Promise<readonly CommandResult[] | undefined | void>;
  /** Revoke the access and refresh tokens (DeactivateUser). */
  revokeTokens?(ctx: CallbackContext): Promise<void>;
}

/** The subset of the Lambda context we use. */
export interface LambdaContextLike {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}
