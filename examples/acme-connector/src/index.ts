import type { ConnectorHandler, ConnectorResult, LambdaContextLike } from '@c2c-kit/connector';
import { configFromEnv, createAcmeConnector } from './connector.js';

export { AcmeClient, type AcmeClientOptions } from './acmeClient.js';
export type { AcmeCommand, AcmeDevice, AcmeEvent, AcmeKind, AcmeStates } from './acmeTypes.js';
export { type AcmeConnectorConfig, configFromEnv, createAcmeConnector } from './connector.js';
export {
  AcmeApiError,
  AcmeConfigError,
  AcmeConnectorError,
} from './errors.js';
export {
  ACME_EVENT_TYPES,
  parseAcmeEvent,
  type TranslatedEvent,
  translateAcmeEvent,
} from './events.js';
export { type MatterCommandEndpoint, type PlannedCommand, planCommands } from './fromMatter.js';
export { capabilityReportFor, KNOWN_MEMBERS, PRESET_OF, stateToClusters } from './toMatter.js';

let instance: ConnectorHandler | undefined;

/**
 * The Lambda entry point. Built on first use, so importing the module never fails; a missing
 * environment variable surfaces as an error reply naming it (the runtime turns the throw into one).
 */
export async function handler(
  event: unknown,
  context?: LambdaContextLike,
): Promise<ConnectorResult> {
  if (!instance) {
    try {
      instance = createAcmeConnector(configFromEnv());
    } catch (error) {
      return {
        header: { responseCode: 500 },
        payload: {
          responseMessage: error instanceof Error ? error.message : 'configuration error',
        },
      } as ConnectorResult;
    }
  }
  return instance(event, context);
}
