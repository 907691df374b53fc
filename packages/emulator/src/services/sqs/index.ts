// Public surface of the SQS subset: the plugin the core registers and its error type.
export { SqsError } from './errors.js';
export { sqsPlugin } from './plugin.js';
