// Public surface of the Secrets Manager subset: the plugin the core registers, and the reader it
// decorates as `app.secrets`.
export type { SecretReader, SecretValue } from './plugin.js';
export { secretsManagerPlugin } from './plugin.js';
