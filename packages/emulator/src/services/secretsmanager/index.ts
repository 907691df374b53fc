// Public surface of the Secrets Manager subset: the plugin the core registers, the reader it
// decorates as `app.secrets`, and the error type that reader throws.
export { SecretsManagerError } from './errors.js';
export type { SecretReader, SecretValue } from './plugin.js';
export { secretsManagerPlugin } from './plugin.js';
