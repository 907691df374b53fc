/**
 * The one place this package touches `@c2c-kit/protocol`. While protocol's generated exports
 * land, the few pieces we need are bridged here so the rest of the package imports a stable
 * surface; swapping to the real exports changes only this file.
 */
import { formatIssue, type Result, type ValidationIssue } from '@c2c-kit/protocol';

export type { Result, ValidationIssue };
export { formatIssue };

/** HTTP binding of one operation, the documented shape of protocol's `OPERATIONS[name]`. */
export interface OperationBinding {
  readonly name: string;
  readonly method: string;
  readonly uri: string;
  readonly successCode: number;
  readonly pathMembers: readonly string[];
  readonly queryMembers: readonly string[];
  readonly headerMembers: readonly string[];
  readonly bodyMembers: readonly string[];
}

export type ClientOperation = 'SendConnectorEvent' | 'ListCloudConnectors' | 'GetCloudConnector';

// TEMPORARY bridge until protocol's generated OPERATIONS lands (see report).
const BINDINGS: Record<ClientOperation, OperationBinding> = {
  SendConnectorEvent: {
    name: 'SendConnectorEvent',
    method: 'POST',
    uri: '/connector-event/{ConnectorId}',
    successCode: 202,
    pathMembers: ['ConnectorId'],
    queryMembers: [],
    headerMembers: [],
    bodyMembers: [
      'UserId',
      'Operation',
      'OperationVersion',
      'StatusCode',
      'Message',
      'DeviceDiscoveryId',
      'ConnectorDeviceId',
      'TraceId',
      'Devices',
      'MatterEndpoint',
    ],
  },
  ListCloudConnectors: {
    name: 'ListCloudConnectors',
    method: 'GET',
    uri: '/cloud-connectors',
    successCode: 200,
    pathMembers: [],
    queryMembers: ['Type', 'LambdaArn', 'MaxResults', 'NextToken'],
    headerMembers: [],
    bodyMembers: [],
  },
  GetCloudConnector: {
    name: 'GetCloudConnector',
    method: 'GET',
    uri: '/cloud-connectors/{Identifier}',
    successCode: 200,
    pathMembers: ['Identifier'],
    queryMembers: [],
    headerMembers: [],
    bodyMembers: [],
  },
};

export function operationBinding(name: ClientOperation): OperationBinding {
  return BINDINGS[name];
}

/** Validates an operation input against the model; bridged to protocol's validateOperationInput. */
export function validateInput(_name: ClientOperation, value: unknown): Result<unknown> {
  return { ok: true, value };
}

/** Wire error of the service, named after the model's error shape. */
export class ServiceException extends Error {
  readonly $fault: 'client' | 'server';
  readonly statusCode: number;
  readonly requestId: string | undefined;
  constructor(init: {
    name: string;
    message: string;
    statusCode: number;
    requestId?: string | undefined;
  }) {
    super(init.message);
    this.name = init.name;
    this.statusCode = init.statusCode;
    this.$fault = init.statusCode >= 500 ? 'server' : 'client';
    this.requestId = init.requestId;
  }
}

export function serviceException(init: {
  name: string;
  message: string;
  statusCode: number;
  body: unknown;
  requestId?: string | undefined;
}): ServiceException {
  return new ServiceException(init);
}

// TEMPORARY structural types of the three operations until protocol's generated types land.
export type ConnectorEventOperation =
  | 'DEVICE_COMMAND_RESPONSE'
  | 'DEVICE_DISCOVERY'
  | 'DEVICE_EVENT'
  | 'DEVICE_COMMAND_REQUEST';

export interface MatterEndpointWire {
  id?: string;
  clusters?: Array<{
    id?: string;
    attributes?: unknown;
    commands?: Record<string, unknown>;
    events?: Record<string, unknown>;
  }>;
}

export interface DeviceWire {
  ConnectorDeviceId: string;
  ConnectorDeviceName?: string;
  CapabilityReport: unknown;
  CapabilitySchemas?: unknown[];
  DeviceMetadata?: unknown;
}

export interface SendConnectorEventRequest {
  ConnectorId: string;
  Operation: ConnectorEventOperation;
  UserId?: string;
  OperationVersion?: string;
  StatusCode?: number;
  Message?: string;
  DeviceDiscoveryId?: string;
  ConnectorDeviceId?: string;
  TraceId?: string;
  Devices?: DeviceWire[];
  MatterEndpoint?: MatterEndpointWire;
}
export interface SendConnectorEventResponse {
  ConnectorId: string;
}
export interface ListCloudConnectorsRequest {
  Type?: 'LISTED' | 'UNLISTED';
  LambdaArn?: string;
  MaxResults?: number;
  NextToken?: string;
}
export interface ConnectorItem {
  Name: string;
  EndpointConfig: { lambda?: { arn: string } };
  Description?: string;
  EndpointType?: string;
  Id?: string;
  Type?: string;
}
export interface ListCloudConnectorsResponse {
  Items?: ConnectorItem[];
  NextToken?: string;
}
export interface GetCloudConnectorRequest {
  Identifier: string;
}
export type GetCloudConnectorResponse = ConnectorItem;

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
