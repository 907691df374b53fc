/**
 * The one place this package touches `@c2c-kit/protocol`: the rest of the package imports
 * this stable surface. Invoke envelopes are still bridged locally (see below) until
 * protocol's `validateConnectorInvocation` is published.
 */
import {
  type ConnectorItem,
  formatIssue,
  type GetCloudConnectorRequest,
  type GetCloudConnectorResponse,
  type ListCloudConnectorsRequest,
  type ListCloudConnectorsResponse,
  type SendConnectorEventRequest as ModelSendConnectorEventRequest,
  OPERATIONS,
  type OperationBinding,
  type Result,
  type SendConnectorEventResponse,
  ServiceException,
  serviceExceptionFromResponse,
  type ValidationIssue,
  validateOperationInput,
} from '@c2c-kit/protocol';

export type {
  ConnectorItem,
  GetCloudConnectorRequest,
  GetCloudConnectorResponse,
  ListCloudConnectorsRequest,
  ListCloudConnectorsResponse,
  ModelSendConnectorEventRequest,
  OperationBinding,
  Result,
  SendConnectorEventResponse,
  ValidationIssue,
};
export { formatIssue, ServiceException, serviceExceptionFromResponse };
/**
 * Matter endpoint in wire form, typed loosely on purpose: `attributes`/`commands` are Smithy
 * documents, and values built with @c2c-kit/matter are plain records. The client validates
 * every request against the model at run time before it is sent.
 */
export interface MatterEndpointWire {
  id?: string;
  clusters?: Array<{
    id?: string;
    attributes?: unknown;
    commands?: Record<string, unknown>;
    events?: Record<string, unknown>;
  }>;
}

/** A discovered device in wire form (CapabilityReport checked at run time). */
export interface DeviceWire {
  ConnectorDeviceId: string;
  ConnectorDeviceName?: string;
  CapabilityReport: unknown;
  CapabilitySchemas?: unknown[];
  DeviceMetadata?: unknown;
}

/** SendConnectorEvent input as the model defines it, with document-typed parts loosened. */
export type SendConnectorEventRequest = Omit<
  ModelSendConnectorEventRequest,
  'MatterEndpoint' | 'Devices'
> & { MatterEndpoint?: MatterEndpointWire; Devices?: DeviceWire[] };

export type ClientOperation = 'SendConnectorEvent' | 'ListCloudConnectors' | 'GetCloudConnector';

export function operationBinding(name: ClientOperation): OperationBinding {
  return OPERATIONS[name];
}

/** Model validation (SendConnectorEvent is normalised: `attributes` array form → map form). */
export function validateInput(name: ClientOperation, value: unknown): Result<unknown> {
  return validateOperationInput(name, value);
}

// ---------------------------------------------------------------------------------------------
// Invoke envelopes (TEMPORARY bridge to protocol's validateConnectorInvocation).

export type ConnectorOperationName =
  | 'AWS.ActivateUser'
  | 'AWS.DiscoverDevices'
  | 'AWS.SendCommand'
  | 'AWS.DeactivateUser';

export interface ConnectorInvocation {
  header: {
    auth:
      | { type: 'OAuth2.0'; token: string }
      | { type: 'GeneralAuthorization'; secretsManager: { arn: string; versionId: string } };
  };
  payload: {
    operationName: ConnectorOperationName;
    operationVersion?: string;
    connectorId: string;
    deviceDiscoveryId?: string;
    traceId?: string;
    connectorDeviceId?: string;
    endpoints?: MatterEndpointWire[];
  };
}

export interface ConnectorInvokeReply {
  header: { responseCode: number };
  payload: { responseMessage: string; userId?: string };
}

const OPERATION_NAMES: readonly string[] = [
  'AWS.ActivateUser',
  'AWS.DiscoverDevices',
  'AWS.SendCommand',
  'AWS.DeactivateUser',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateInvocation(value: unknown): Result<ConnectorInvocation> {
  const issues: ValidationIssue[] = [];
  const need = (path: string, v: unknown, message = 'expected a non-empty string') => {
    if (typeof v !== 'string' || v === '') issues.push({ path, message, received: v });
  };
  if (!isRecord(value))
    return { ok: false, issues: [{ path: '', message: 'expected an object', received: value }] };
  const header = value.header;
  const payload = value.payload;
  if (!isRecord(payload)) {
    issues.push({ path: 'payload', message: 'expected an object', received: payload });
  } else {
    if (!OPERATION_NAMES.includes(payload.operationName as string)) {
      issues.push({
        path: 'payload.operationName',
        message: `expected one of ${OPERATION_NAMES.join(', ')}`,
        received: payload.operationName,
      });
    }
    need('payload.connectorId', payload.connectorId);
    if (payload.operationName === 'AWS.DiscoverDevices')
      need('payload.deviceDiscoveryId', payload.deviceDiscoveryId);
    if (payload.operationName === 'AWS.SendCommand') {
      need('payload.traceId', payload.traceId);
      need('payload.connectorDeviceId', payload.connectorDeviceId);
      if (!Array.isArray(payload.endpoints) || payload.endpoints.length === 0) {
        issues.push({
          path: 'payload.endpoints',
          message: 'expected a non-empty array',
          received: payload.endpoints,
        });
      }
    }
  }
  const auth = isRecord(header) ? header.auth : undefined;
  if (!isRecord(auth)) {
    issues.push({ path: 'header.auth', message: 'expected an object', received: auth });
  } else if (auth.type === 'OAuth2.0') {
    if (typeof auth.token !== 'string' || auth.token === '') {
      issues.push({ path: 'header.auth.token', message: 'expected a non-empty string' });
    }
  } else if (auth.type === 'GeneralAuthorization') {
    const sm = auth.secretsManager;
    if (!isRecord(sm))
      issues.push({
        path: 'header.auth.secretsManager',
        message: 'expected an object',
        received: sm,
      });
    else {
      need('header.auth.secretsManager.arn', sm.arn);
      need('header.auth.secretsManager.versionId', sm.versionId);
    }
  } else {
    issues.push({
      path: 'header.auth.type',
      message: 'expected "OAuth2.0" or "GeneralAuthorization"',
      received: auth.type,
    });
  }
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, value: value as unknown as ConnectorInvocation };
}
