// Public surface of the Lambda subset (see the emulator contract): the plugin the core registers,
// the host that runs functions in worker processes, and the errors it throws.
export type { LambdaErrorCode } from './errors.js';
export { FunctionRegistrationError, LambdaServiceError } from './errors.js';
export type { FunctionInfo } from './functionRegistry.js';
export type { InvocationRecord, InvokeOptions, InvokeResult } from './invocation.js';
export type { JournalInvocation, JournalLine } from './journal.js';
export { tokenFingerprint } from './journal.js';
export type { LambdaHostOptions } from './LambdaHost.js';
export { LambdaHost } from './LambdaHost.js';
export { lambdaPlugin } from './plugin.js';
export type { RegisterFunctionInput } from './registration.js';
