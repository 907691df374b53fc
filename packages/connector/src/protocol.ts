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
