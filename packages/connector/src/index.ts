// Public API of @c2c-kit/connector. Explicit named exports only.

export type { CallOptions, ConnectorEventsClientOptions } from './client/ConnectorEventsClient.js';
export { ConnectorEventsClient } from './client/ConnectorEventsClient.js';
export type { Credentials, CredentialsProvider } from './client/credentials.js';
export { defaultCredentialsProvider } from './client/credentials.js';
export { resolveEndpoint } from './client/endpoint.js';
export { type RetryOptions, RetryStrategy } from './client/retry.js';
export {
  CommandDeadlineError,
  CommandRejectedError,
  ConnectorConfigError,
  ConnectorError,
  ConnectorIdResolutionError,
  ConnectorNetworkError,
  ConnectorValidationError,
  MalformedResponseError,
  PiiInDeviceIdError,
  RetryBudgetExhaustedError,
  SecretResolutionError,
  UnknownVendorEventError,
  VendorCallbackError,
  WebhookVerificationError,
} from './errors.js';
export {
  type CommandTarget,
  commandFailureEvent,
  commandResponseEvents,
  type DiscoveryTarget,
  deviceDiscoveryEvent,
  deviceDiscoveryEvents,
  deviceEvent,
  wireMessage,
} from './events/builders.js';
export type { Delivered, EndpointCheck, EventSender } from './events/delivery.js';
export { DEFAULT_COMMAND_DEADLINE_MS } from './handler/commandDeadline.js';
export type { ConnectorHandler, ConnectorResult } from './handler/createConnector.js';
export { createConnector } from './handler/createConnector.js';
export type {
  ConnectorOptions,
  ConnectorPolicy,
  ConnectorRuntimeParts,
} from './handler/options.js';
export type { OutboxPolicy } from './handler/outboxDrain.js';
export type { ConnectorStats } from './handler/runtime.js';
export { type SecretReader, SecretsManagerReader } from './handler/secrets.js';
export type {
  AuthContext,
  CallbackContext,
  CommandContext,
  CommandResult,
  ConnectorCallbacks,
  DiscoveredDevice,
  LambdaContextLike,
  UserContext,
} from './handler/types.js';
export type { FunctionUrlResponse, WebhookOptions } from './handler/webhooks.js';
export type { SqsBatchResponse } from './handler/work.js';
export {
  type ConnectorStore,
  IdempotencyInProgressError,
  type IdempotencyRecord,
  type IdempotencyStore,
  lazyStore,
  MemoryIdempotencyStore,
  type ParkedMarkers,
  type PutIfAbsentResult,
  type RunOnceOptions,
  runOnce,
} from './idempotency/store.js';
export {
  createJsonLogger,
  type JsonLoggerOptions,
  type LogContext,
  type Logger,
  type LogLevel,
  redact,
  silentLogger,
} from './log/logger.js';
export {
  isPermanentReplayError,
  MemoryOutbox,
  type Outbox,
  type OutboxEntry,
  type ReplayFailure,
  type ReplayReport,
  type ReplaySender,
  replayOutbox,
  type UnreadableOutboxMessage,
} from './outbox/outbox.js';
export { SqsOutbox, type SqsOutboxOptions } from './outbox/sqsOutbox.js';
export {
  InProcessWorkQueue,
  type InvocationAuth,
  type SqsRecord,
  SqsWorkQueue,
  type SqsWorkQueueOptions,
  type WorkItem,
  type WorkQueue,
} from './queue/workQueue.js';
export {
  type ConnectorDirectory,
  type FunctionArnLookup,
  lambdaArnMatches,
  lambdaFunctionArnLookup,
  lookupFunctionArnWithLambda,
  type ResolveConnectorIdOptions,
  resolveConnectorId,
} from './resolve/connectorId.js';
export { assertNoObviousPii } from './translate/pii.js';
export {
  type ClusterFragment,
  type DeviceEvent,
  defineTranslator,
  mapValue,
  mergeClusters,
  type RuleOutput,
  type Translate,
  type TranslateOutput,
  type TranslationRule,
  type Translator,
  type TranslatorSpec,
  toDeviceEvents,
} from './translate/translator.js';
export { type Clock, systemClock } from './util/clock.js';
export {
  decodeStandardSecret,
  type GitHubStyleOptions,
  githubStyleWebhooks,
  type StandardWebhooksOptions,
  type StripeStyleOptions,
  signGitHubStyle,
  signStandardWebhook,
  signStripeStyle,
  standardWebhooks,
  stripeStyleWebhooks,
  type VerifiedWebhook,
  type WebhookRequest,
  type WebhookSecret,
  type WebhookVerifier,
} from './webhooks/verify.js';
