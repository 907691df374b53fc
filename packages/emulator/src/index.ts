export type { NotificationEnvelope } from '@c2c-kit/protocol';
export type { EmulatorOptions } from './app.js';
export { buildEmulator } from './app.js';
// The emulator's command-line flags, shared by the c2c-emulator bin and `c2c emulator`.
export type {
  CliDefaults as EmulatorCliDefaults,
  CliOptions as EmulatorCliOptions,
} from './cli.js';
export {
  emulatorOptionsFromCli,
  FLAGS_HELP as EMULATOR_FLAGS_HELP,
  parseCli as parseEmulatorCli,
} from './cli.js';
export type {
  EmulatorConfig,
  EmulatorCredential,
  FaultConfig,
  FunctionObserver,
} from './config.js';
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  generateCredentials,
  HANG_LIMIT_MS,
  parseFaults,
} from './config.js';
export { CREDENTIALS_FILE_NAME, readCredentialsFile } from './credentials.js';
export { LOCK_FILE_NAME } from './dataDir.js';
export type { SignatureFailure } from './errors.js';
export {
  DataDirInUseError,
  EmulatorConfigError,
  EmulatorError,
  MalformedBodyError,
  NonLoopbackHostError,
  RequestRejectedError,
  SignatureError,
} from './errors.js';
export { faultIssues, injectedFault } from './faults.js';
export { nonLoopbackWarning } from './listen.js';
export { type LoopbackServer, listenOnLoopback } from './local/loopback.js';
export type { DeliveryStats, KinesisDeliveryOptions } from './notifications/hub.js';
export type { AwsServiceName } from './plugins/aws-service.js';
export { awsServiceConstraint } from './plugins/aws-service.js';
export type { WireError } from './plugins/error-render.js';
export { toWireError } from './plugins/error-render.js';
export { sendRestJsonError } from './protocols/restJson.js';
export type { RunningEmulator } from './server.js';
export { startEmulator } from './server.js';
export type {
  ManagedIntegrationsHandle,
  ManagedIntegrationsOptions,
} from './services/iotmanagedintegrations/index.js';
export type { InvocationRecord } from './services/lambda/index.js';
export { tokenFingerprint } from './services/lambda/index.js';
export type {
  AwsRequestIdentity,
  SignedRequestInput,
  SigV4VerifierOptions,
} from './sigv4/verifier.js';
export { SigV4Verifier } from './sigv4/verifier.js';
export type { EventRetention } from './store/retention.js';
export { DEFAULT_EVENT_RETENTION, parseRetention } from './store/retention.js';
