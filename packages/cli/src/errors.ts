/**
 * Errors of the `c2c` command line. Each has a stable `code` (listed in docs/cli.md) and maps to an
 * exit status, so scripts can tell a usage mistake (2) from a failed check or step (1).
 */
export class CliError extends Error {
  readonly code: string;
  /** Process exit status this error ends the command with. */
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The command line itself is wrong: unknown command or flag, missing or malformed argument. */
export class UsageError extends CliError {
  /** The command whose `--help` explains the right usage (`''` for the top level). */
  readonly command: string;

  constructor(command: string, message: string, options?: ErrorOptions) {
    super('C2C_CLI_USAGE', message, 2, options);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** An input file could not be read (missing, a directory, unreadable). */
export class InputReadError extends CliError {
  readonly file: string;

  constructor(file: string, reason: string, options?: ErrorOptions) {
    super('C2C_CLI_INPUT_READ', `cannot read ${file}: ${reason}`, 1, options);
    this.name = 'InputReadError';
    this.file = file;
  }
}

/** A step of `c2c dev` (start-up or demo) failed; `step` names it for the user and for scripts. */
export class StepFailedError extends CliError {
  readonly step: string;

  constructor(step: string, reason: string, options?: ErrorOptions) {
    super('C2C_CLI_STEP_FAILED', `step "${step}" failed: ${reason}`, 1, options);
    this.name = 'StepFailedError';
    this.step = step;
  }
}

/** A call from the dev stack to the emulator or vendor cloud returned an error status. */
export class UpstreamError extends CliError {
  readonly status: number;
  /** The service's error name (`ValidationException`) when it sent one. */
  readonly errorType: string | undefined;

  constructor(what: string, status: number, errorType: string | undefined, detail: string) {
    const type = errorType ? ` ${errorType}` : '';
    super('C2C_CLI_UPSTREAM', `${what} failed with HTTP ${status}${type}: ${detail}`, 1);
    this.name = 'UpstreamError';
    this.status = status;
    this.errorType = errorType;
  }
}

/** `c2c replay` could not read or use the outbox, or an entry in it is not a replayable event. */
export class ReplayError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CLI_REPLAY', message, 1, options);
    this.name = 'ReplayError';
  }
}

/**
 * A server would not start, for a reason the user settles: its data directory is in use by
 * another process, or `--host` is not a loopback address and `--allow-non-loopback` was not given.
 */
export class StartRefusedError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CLI_START_REFUSED', message, 2, options);
    this.name = 'StartRefusedError';
  }
}

/** `c2c deploy` could not bundle or synthesize the connector (the message names the cause). */
export class DeployError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super('C2C_CLI_DEPLOY', message, 1, options);
    this.name = 'DeployError';
  }
}
