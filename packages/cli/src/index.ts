export type { ReplayFailure } from './commands/replay.js';
export { runReplay } from './commands/replay.js';
export type { InputKind, ValidateReport } from './commands/validate.js';
export { validateDocument } from './commands/validate.js';
export type { CheckDef, CheckFamily } from './conformance/catalog.js';
export { CHECKS, selectChecks } from './conformance/catalog.js';
export { runChecks } from './conformance/runner.js';
export type { ConformanceTarget } from './conformance/session.js';
export { openSession } from './conformance/session.js';
export type {
  CheckResult,
  ConformanceReport,
  ConformanceSettings,
} from './conformance/types.js';
// A function's code as Lambda takes it (UpdateFunctionCode's ZipFile), from a bundle directory
// zipped as CDK's asset publishing zips it.
export { zipAsset } from './deploy/zipAsset.js';
export {
  describeMatterEndpoint,
  summariseInvocation,
  summariseSendConnectorEvent,
} from './describe.js';
export type { ConnectorFlags, ConnectorSetup, ProjectConfig } from './dev/connectorConfig.js';
export { resolveConnectorSetup } from './dev/connectorConfig.js';
export type { ConnectorDemoResult } from './dev/connectorDemo.js';
export { runConnectorDemo } from './dev/connectorDemo.js';
export type {
  CustomerAccount,
  DashboardOptions,
  DashboardServer,
  DemoUser,
} from './dev/dashboardServer.js';
export { startDashboard } from './dev/dashboardServer.js';
export type { DemoNarrator, DemoOptions, DemoResult } from './dev/demo.js';
export { DEMO_STEPS, oauthLogin, runDemo } from './dev/demo.js';
export type { ConnectorLogOptions, LogLevel } from './dev/logs.js';
export { ConnectorLog } from './dev/logs.js';
export type { ArrivedNotification } from './dev/notificationWatcher.js';
export { NotificationWatcher } from './dev/notificationWatcher.js';
export type { SseEvent } from './dev/sse.js';
export { formatSse, SseParser } from './dev/sse.js';
export type { DevStack, DevStackOptions } from './dev/stack.js';
export { startDevStack } from './dev/stack.js';
export {
  CliError,
  InputReadError,
  ReplayError,
  StartRefusedError,
  StepFailedError,
  UpstreamError,
  UsageError,
} from './errors.js';
export type { CliIo } from './io.js';
export { runCli } from './main.js';
export type { DescribedNotification } from './notifications.js';
export { describeNotification } from './notifications.js';
export { type OutboxDevicePlan, planReplay } from './replayPlan.js';
