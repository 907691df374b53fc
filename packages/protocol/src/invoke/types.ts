/**
 * The four Lambda invocations managed integrations sends a connector, and the connector's reply.
 * Hand-written: the Smithy model does not describe them. Key names marked UNCONFIRMED in the
 * contract are decided in `inferred.ts`.
 */
import type { MatterEndpoint } from '../generated/types.js';

export const CONNECTOR_OPERATIONS = [
  'AWS.ActivateUser',
  'AWS.DiscoverDevices',
  'AWS.SendCommand',
  'AWS.DeactivateUser',
] as const;

/** `payload.operationName` of an invocation. */
export type ConnectorOperationName = (typeof CONNECTOR_OPERATIONS)[number];

/** `header.auth` for OAuth 2.0 connectors: the end user's access token. */
export interface OAuthInvocationAuth {
  readonly type: 'OAuth2.0';
  /** End-user access token. Secret: never log it (see `redactInvocation`). */
  readonly token: string;
}

/** `header.auth` for General Authorization: where the connector reads the credential. */
export interface GeneralAuthorizationInvocationAuth {
  readonly type: 'GeneralAuthorization';
  readonly secretsManager: { readonly arn: string; readonly versionId: string };
}

export type InvocationAuth = OAuthInvocationAuth | GeneralAuthorizationInvocationAuth;

export interface InvocationHeader {
  readonly auth: InvocationAuth;
}

interface PayloadBase<N extends ConnectorOperationName> {
  readonly operationName: N;
  /** "1.0.0" (ActivateUser) or "1.0" in examples; any non-empty string is accepted. */
  readonly operationVersion: string;
  /** CloudConnector id; lets a connector learn its own id from any invocation. */
  readonly connectorId: string;
}

export type ActivateUserPayload = PayloadBase<'AWS.ActivateUser'>;
export type DeactivateUserPayload = PayloadBase<'AWS.DeactivateUser'>;

export interface DiscoverDevicesPayload extends PayloadBase<'AWS.DiscoverDevices'> {
  /** To echo as `SendConnectorEvent.DeviceDiscoveryId` (key UNCONFIRMED, see inferred.ts). */
  readonly deviceDiscoveryId: string;
}

export interface SendCommandPayload extends PayloadBase<'AWS.SendCommand'> {
  readonly connectorDeviceId: string;
  /** MI-generated; echo as `SendConnectorEvent.TraceId` of the DEVICE_COMMAND_RESPONSE. */
  readonly traceId: string;
  /** Commands as Matter endpoints; `attributes` normalised to the map form. */
  readonly endpoints: MatterEndpoint[];
}

export interface Invocation<P> {
  readonly header: InvocationHeader;
  readonly payload: P;
}

export type ActivateUserInvocation = Invocation<ActivateUserPayload>;
export type DiscoverDevicesInvocation = Invocation<DiscoverDevicesPayload>;
export type SendCommandInvocation = Invocation<SendCommandPayload>;
export type DeactivateUserInvocation = Invocation<DeactivateUserPayload>;

/** Any invocation, discriminated by `payload.operationName`. */
export type ConnectorInvocation =
  | ActivateUserInvocation
  | DiscoverDevicesInvocation
  | SendCommandInvocation
  | DeactivateUserInvocation;

/**
 * The connector's synchronous reply (ACK or error). Only ActivateUser's is documented; the others
 * are assumed to share it (inferred.ts).
 */
export interface ConnectorInvokeReply {
  readonly header: { readonly responseCode: number };
  readonly payload: {
    readonly responseMessage?: string;
    /** ActivateUser only: the globally unique end-user id. */
    readonly userId?: string;
  };
}
