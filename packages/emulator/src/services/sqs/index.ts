// Public surface of the SQS subset: the plugin the core registers.
export { sqsPlugin } from './plugin.js';
