// Public surface of the Lambda subset (see docs/emu-contract): the plugin the core registers and
// the host that runs functions in worker processes.
export type {
  FunctionInfo,
  InvokeOptions,
  InvokeResult,
  RegisterFunctionInput,
} from './LambdaHost.js';
export { LambdaHost } from './LambdaHost.js';
export { lambdaPlugin } from './plugin.js';
