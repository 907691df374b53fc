// @c2c-kit/testing: what only this repository's tests need, in one place. Private (never
// published) and read from source. The stack a customer runs is not here: tests start it from
// `@c2c-kit/cli/stack`, the same bring-up as `c2c dev` and `c2c test`.
export {
  type BinOptions,
  type BinResult,
  LOOSE_BOUNDS,
  runBin,
  type StartedBin,
  startBin,
} from './c2c-bin.js';
export { cfnLint } from './cfn-lint.js';
export {
  OTHER_ACCOUNT_CREDENTIALS,
  sdkClientConfig,
  TEST_CREDENTIALS,
  TEST_REGION,
} from './credentials.js';
export {
  FAST_INVOKE,
  putTestConnector,
  sendTestConnectorEvent,
  startTestEmulator,
  useEmulatorWithSdkClient,
  withTestEmulator,
} from './emulator.js';
export { fanModeEndpoints, fanReport } from './fixtures.js';
export { until } from './polling.js';
export { createTestQueue, type TestQueueOptions } from './queues.js';
export { webhookHeaders } from './webhooks.js';
