// Public API of @c2c-kit/cdk. Explicit named exports only.

export { BUNDLE_FILE, type BundlingOptions, bundleEntry } from './bundle.js';
export {
  C2cConnector,
  type C2cConnectorProps,
  CONNECTOR_ENV,
  SERVICE_PRINCIPAL,
} from './C2cConnector.js';
export {
  type AuthMaterialProps,
  ConnectorRegistration,
  type ConnectorRegistrationProps,
  type DestinationProps,
  type OAuthDestinationProps,
} from './ConnectorRegistration.js';
export { BundlingError, CdkError, ConnectorPropsError, RegistrationError } from './errors.js';
export {
  createRegistrationHandler,
  type RegistrationApi,
  type RegistrationDeps,
} from './registration/registration.js';
export {
  CLOUD_CONNECTOR_TYPE,
  CONNECTOR_DESTINATION_TYPE,
  type CustomResourceEvent,
  type CustomResourceResponse,
} from './registration/types.js';
