/**
 * node:crypto, loaded on first use instead of at import: it is the most expensive built-in a
 * handler would load on a Lambda cold start, and invocations that neither verify a
 * webhook nor sign a request (the ACK of discovery and commands) never need it.
 */
let loaded: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  loaded ??= process.getBuiltinModule('node:crypto');
  return loaded;
}
