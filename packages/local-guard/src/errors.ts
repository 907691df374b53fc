/**
 * Codes of the local guard. A refused request is not thrown: the guard returns a `Refusal`
 * carrying one of the `LOCAL_GUARD_*` codes and the server answers it. Only a wrong guard
 * configuration throws (`LocalGuardConfigError`).
 */
export const GUARD_CODES = {
  /** The Host header names no address or name this server answers to (DNS rebinding). */
  host: 'LOCAL_GUARD_HOST',
  /** A state-changing request came from another origin (a web page on another site or port). */
  origin: 'LOCAL_GUARD_ORIGIN',
  /** A CORS preflight this route does not answer (not a loopback origin, or a local control route). */
  preflight: 'LOCAL_GUARD_PREFLIGHT',
  /** The per-run token is missing or wrong. */
  token: 'LOCAL_GUARD_TOKEN',
  /** A body that is not `application/json` on a local control route. */
  contentType: 'LOCAL_GUARD_CONTENT_TYPE',
} as const;

export type GuardCode = (typeof GUARD_CODES)[keyof typeof GUARD_CODES];

/** Base class of the guard's errors; `code` is stable. */
export class LocalGuardError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalGuardError';
    this.code = code;
  }
}

/** An invalid guard option (an `allowedHosts` entry that is not a host name). */
export class LocalGuardConfigError extends LocalGuardError {
  constructor(message: string) {
    super('LOCAL_GUARD_CONFIG', message);
    this.name = 'LocalGuardConfigError';
  }
}
