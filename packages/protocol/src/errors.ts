/**
 * Errors thrown by this package's own code (builders given bad arguments). Validation never
 * throws: it returns `Result` with issues. Wire errors of the service are the generated
 * `ServiceException` subclasses, not these.
 */
import { formatIssue, type ValidationIssue } from './result.js';

/** Base of the package's errors; `code` is stable, the message may change. */
export class ProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** A builder (`buildInvocation`, `buildNotification`) was given a value that does not validate. */
export class InvalidMessageError extends ProtocolError {
  readonly issues: readonly ValidationIssue[];
  constructor(what: string, issues: readonly ValidationIssue[]) {
    super(
      'PROTOCOL_INVALID_MESSAGE',
      `${what} is invalid:\n  ${issues.map((issue) => formatIssue(issue)).join('\n  ')}`,
    );
    this.name = 'InvalidMessageError';
    this.issues = issues;
  }
}
