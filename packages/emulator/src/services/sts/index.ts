// Public surface of the STS subset: the plugin the core registers, and the session store the
// SigV4 verifier and the Lambda host share (temporary credentials, kept in SQLite).
export { StsError } from './errors.js';
export { stsPlugin } from './plugin.js';
export type { IssuedSession, SessionCredential, SessionStoreOptions } from './SessionStore.js';
export { SessionStore, sessionStoreFor } from './SessionStore.js';
