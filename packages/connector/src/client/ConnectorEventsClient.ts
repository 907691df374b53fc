import {
  GetCloudConnectorBinding,
  type GetCloudConnectorRequest,
  type GetCloudConnectorResponse,
  ListCloudConnectorsBinding,
  type ListCloudConnectorsRequest,
  type ListCloudConnectorsResponse,
  SendConnectorEventBinding,
  type SendConnectorEventRequest,
  type SendConnectorEventResponse,
  validateGetCloudConnectorRequest,
  validateListCloudConnectorsRequest,
  validateSendConnectorEventRequest,
} from '../protocol.js';
import {
  type CallOptions,
  type OperationSpec,
  SignedClient,
  type SignedClientOptions,
} from './SignedClient.js';

export type { CallOptions } from './SignedClient.js';
export type ConnectorEventsClientOptions = SignedClientOptions;

// One constant per operation (binding and validator by name, not protocol's all-operations
// tables): a connector's bundle then carries three operations, not every one of the model.
const SEND_CONNECTOR_EVENT: OperationSpec = {
  binding: SendConnectorEventBinding,
  validate: validateSendConnectorEventRequest,
};
const LIST_CLOUD_CONNECTORS: OperationSpec = {
  binding: ListCloudConnectorsBinding,
  validate: validateListCloudConnectorsRequest,
};
const GET_CLOUD_CONNECTOR: OperationSpec = {
  binding: GetCloudConnectorBinding,
  validate: validateGetCloudConnectorRequest,
};

/**
 * The signed client with the three operations a connector calls: `sendConnectorEvent` on the
 * hot path, `listCloudConnectors` and `getCloudConnector` to find its own connector id. Every
 * other operation: `ManagedIntegrationsClient` (`@c2c-kit/connector/client`).
 */
export class ConnectorEventsClient extends SignedClient {
  sendConnectorEvent(
    input: SendConnectorEventRequest,
    options?: CallOptions,
  ): Promise<SendConnectorEventResponse> {
    return this.invoke(SEND_CONNECTOR_EVENT, input, options) as Promise<SendConnectorEventResponse>;
  }

  listCloudConnectors(
    input: ListCloudConnectorsRequest = {},
    options?: CallOptions,
  ): Promise<ListCloudConnectorsResponse> {
    return this.invoke(
      LIST_CLOUD_CONNECTORS,
      input,
      options,
    ) as Promise<ListCloudConnectorsResponse>;
  }

  getCloudConnector(
    input: GetCloudConnectorRequest,
    options?: CallOptions,
  ): Promise<GetCloudConnectorResponse> {
    return this.invoke(GET_CLOUD_CONNECTOR, input, options) as Promise<GetCloudConnectorResponse>;
  }
}
