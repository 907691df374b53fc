/**
 * Errors of the emulator itself (configuration, start-up) and the request-level errors the core
 * raises before a route runs (body parsing, SigV4). Request-level errors carry the AWS error name
 * (`awsCode`) and HTTP status, so each service plugin renders them in its own protocol style.
 */
export class EmulatorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmulatorError';
    this.code = code;
  }
}

/** Bad emulator options or CLI flags. */
export class EmulatorConfigError extends EmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super('EMULATOR_CONFIG', message, options);
    this.name = 'EmulatorConfigError';
  }
}

/**
 * Another live process holds the data directory's lock (`emulator.lock`). Two emulators on one
 * directory would share its SQLite file, credentials and secrets.
 */
export class DataDirInUseError extends EmulatorError {
  readonly dataDir: string;
  /** The process holding the lock, when the lock file names one. */
  readonly pid: number | undefined;
  constructor(dataDir: string, pid: number | undefined, options?: ErrorOptions) {
    const by = pid === undefined ? 'another emulator process' : `another emulator (pid ${pid})`;
    super(
      'EMULATOR_DATA_DIR_IN_USE',
      `data dir ${dataDir} is in use by ${by}; stop it or use another --data-dir`,
      options,
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

/**
 * Asked to listen on an address other machines can reach without saying so: the local APIs
 * (`/_local/*`, Function URLs, `--no-verify`) answer anyone who can connect.
 */
export class NonLoopbackHostError extends EmulatorError {
  readonly host: string;
  constructor(host: string, how: string) {
    super(
      'EMULATOR_NON_LOOPBACK_HOST',
      `refusing to listen on ${host}: not a loopback address; ${how} to allow it`,
    );
    this.name = 'NonLoopbackHostError';
    this.host = host;
  }
}

/**
 * An AWS-service plugin was registered without the core's decorations (`app.db`,
 * `app.emulatorConfig`): a composition mistake, never a request error.
 */
export class MissingCoreDependencyError extends EmulatorError {
  constructor(message: string) {
    super('EMULATOR_MISSING_CORE_DEPENDENCY', message);
    this.name = 'MissingCoreDependencyError';
  }
}

/** A request rejected before its handler ran; rendered by the route's service in its wire format. */
export class RequestRejectedError extends EmulatorError {
  /** The AWS error name put on the wire (`InvalidSignatureException`, …). */
  readonly awsCode: string;
  readonly statusCode: number;
  constructor(code: string, awsCode: string, statusCode: number, message: string) {
    super(code, message);
    this.name = 'RequestRejectedError';
    this.awsCode = awsCode;
    this.statusCode = statusCode;
  }
}

/** The request body is not valid JSON (message names line and column). */
export class MalformedBodyError extends RequestRejectedError {
  constructor(message: string) {
    super('MALFORMED_BODY', 'SerializationException', 400, message);
    this.name = 'MalformedBodyError';
  }
}

/** A single-valued query parameter appears more than once (`?code=a&code=b`). */
export class RepeatedQueryParameterError extends RequestRejectedError {
  constructor(name: string) {
    super(
      'REPEATED_QUERY_PARAMETER',
      'ValidationException',
      400,
      `Query parameter ${JSON.stringify(name.slice(0, 64))} is repeated; it takes a single value.`,
    );
    this.name = 'RepeatedQueryParameterError';
  }
}

/** SigV4 verification failed; `awsCode` is the error AWS returns for that failure. */
export class SignatureError extends RequestRejectedError {
  constructor(awsCode: SignatureFailure, message: string) {
    super(
      `SIGV4_${awsCode.replace(/Exception$/, '').toUpperCase()}`,
      awsCode,
      STATUS_BY_FAILURE[awsCode],
      message,
    );
    this.name = 'SignatureError';
  }
}

/** The AWS error names a SigV4 check can fail with, and the status each comes with. */
export type SignatureFailure =
  | 'UnrecognizedClientException'
  | 'ExpiredTokenException'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException';

const STATUS_BY_FAILURE: Record<SignatureFailure, number> = {
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
};
