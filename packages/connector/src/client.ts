// Public API of @c2c-kit/connector/client: the signed managed-integrations client. Explicit named
// exports only.

export {
  ConnectorEventsClient,
  type ConnectorEventsClientOptions,
} from './client/ConnectorEventsClient.js';
export type { Credentials, CredentialsProvider } from './client/credentials.js';
export { defaultCredentialsProvider } from './client/credentials.js';
export { resolveEndpoint, SERVICE_ENDPOINT_VARIABLES } from './client/endpoint.js';
export { ManagedIntegrationsClient } from './client/ManagedIntegrationsClient.js';
export { type RetryOptions, RetryStrategy } from './client/retry.js';
export type {
  CallOptions,
  RawResponse,
  SignedClient,
  SignedClientOptions,
} from './client/SignedClient.js';
export type { Clock } from './util/clock.js';
export { NodeSha256 } from './util/sha256.js';
