import { ConnectorValidationError } from '../errors.js';
import {
  isOperationName,
  OPERATIONS,
  type OperationName,
  type OperationShapes,
  validateOperationInput,
} from '../protocol.js';
import {
  type CallOptions,
  type OperationSpec,
  type RawResponse,
  SignedClient,
} from './SignedClient.js';

const specs = new Map<string, OperationSpec>();

/** The binding and validator of operation `name`, built once per name. */
function operationSpec(name: string): OperationSpec {
  let spec = specs.get(name);
  if (spec === undefined) {
    if (!isOperationName(name)) {
      throw new ConnectorValidationError('operation', [
        `expected an operation of the model, got ${JSON.stringify(name)}`,
      ]);
    }
    spec = { binding: OPERATIONS[name], validate: (value) => validateOperationInput(name, value) };
    specs.set(name, spec);
  }
  return spec;
}

/**
 * The signed client for any operation of the model, by name — what a customer's backend, the
 * CLI, the dashboard and tests call the service with. Same signing, pool and retries as
 * `ConnectorEventsClient`; it carries every operation's binding and validator, so a connector's
 * Lambda bundle should use `ConnectorEventsClient` instead.
 *
 * @example
 * const client = new ManagedIntegrationsClient({ region: 'us-east-1' });
 * const { Items } = await client.call('ListCloudConnectors', { MaxResults: 10 });
 */
export class ManagedIntegrationsClient extends SignedClient {
  /** The operation's 2xx output, or its modelled `ServiceException` (retried as the SDK does). */
  async call<K extends OperationName>(
    name: K,
    input: OperationShapes[K]['input'],
    options?: CallOptions,
  ): Promise<OperationShapes[K]['output']> {
    return this.invoke(operationSpec(name), input as object, options) as Promise<
      OperationShapes[K]['output']
    >;
  }

  /** One signed attempt, answered as received whatever the status (no retries). */
  async send<K extends OperationName>(
    name: K,
    input: OperationShapes[K]['input'],
    options?: CallOptions,
  ): Promise<RawResponse> {
    return this.exchange(operationSpec(name), input as object, options);
  }
}
