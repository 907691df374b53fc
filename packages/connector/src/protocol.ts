/**
 * The one place this package touches `@c2c-kit/protocol`: the rest of the package imports
 * this stable surface.
 */
import {
  type ConnectorInvocation,
  type ConnectorInvokeReply,
  type ConnectorItem,
  DISCOVERY_REQUEST_BYTES,
  formatIssue,
  GetCloudConnectorBinding,
  type GetCloudConnectorRequest,
  type GetCloudConnectorResponse,
  isOperationName,
  ListCloudConnectorsBinding,
  type ListCloudConnectorsRequest,
  type ListCloudConnectorsResponse,
  type SendConnectorEventRequest as ModelSendConnectorEventRequest,
  OPERATIONS,
  type OperationBinding,
  type OperationName,
  type OperationShapes,
  queryString,
  type Result,
  SendConnectorEventBinding,
  type SendConnectorEventResponse,
  ServiceException,
  sanitizeErrorType,
  serializeRequest,
  serviceExceptionFromResponse,
  type ValidationIssue,
  validateConnectorInvocation,
  validateGetCloudConnectorRequest,
  validateListCloudConnectorsRequest,
  validateOperationInput,
  validateSendConnectorEventRequest,
} from '@c2c-kit/protocol';

export type {
  ConnectorInvocation,
  ConnectorInvokeReply,
  ConnectorItem,
  GetCloudConnectorRequest,
  GetCloudConnectorResponse,
  ListCloudConnectorsRequest,
  ListCloudConnectorsResponse,
  ModelSendConnectorEventRequest,
  OperationBinding,
  OperationName,
  OperationShapes,
  Result,
  SendConnectorEventResponse,
  ValidationIssue,
};
// The client's operations: the three a connector sends as one constant each (a bundle that names
// only them skips the others); `OPERATIONS` and `validateOperationInput` (every operation) for
// ManagedIntegrationsClient only.
export {
  DISCOVERY_REQUEST_BYTES,
  formatIssue,
  GetCloudConnectorBinding,
  isOperationName,
  ListCloudConnectorsBinding,
  OPERATIONS,
  queryString,
  SendConnectorEventBinding,
  ServiceException,
  sanitizeErrorType,
  serializeRequest,
  serviceExceptionFromResponse,
  validateGetCloudConnectorRequest,
  validateListCloudConnectorsRequest,
  validateOperationInput,
  validateSendConnectorEventRequest,
};
/** Invoke envelope validation (protocol's hand-written envelope rules). */
export const validateInvocation = validateConnectorInvocation;
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
