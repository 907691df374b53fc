import { formatIssue, type ValidationIssue } from '@c2c-kit/protocol';

/** Stable codes of every error this package throws (listed in docs/errors.md by the lead). */
export type MatterErrorCode =
  | 'MATTER_INVALID_ID'
  | 'MATTER_UNKNOWN_ELEMENT'
  | 'MATTER_INVALID_VALUE'
  | 'MATTER_BUILDER_ARGUMENT';

/** Base class of every error thrown by `@c2c-kit/matter`. */
export class MatterError extends Error {
  readonly code: MatterErrorCode;

  constructor(code: MatterErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MatterError';
    this.code = code;
  }
}

/** An id that is neither `0x…` hex nor decimal, or out of the 32-bit range. */
export class MatterIdError extends MatterError {
  readonly received: unknown;

  constructor(message: string, received: unknown) {
    super('MATTER_INVALID_ID', message);
    this.name = 'MatterIdError';
    this.received = received;
  }
}

/** A cluster, attribute, command, event, field or device type that Matter 1.4 does not define. */
export class UnknownMatterElementError extends MatterError {
  readonly element: string;
  readonly reference: string | number;

  constructor(element: string, reference: string | number, where?: string) {
    super(
      'MATTER_UNKNOWN_ELEMENT',
      `unknown Matter 1.4 ${element} ${JSON.stringify(reference)}${where ? ` in ${where}` : ''}`,
    );
    this.name = 'UnknownMatterElementError';
    this.element = element;
    this.reference = reference;
  }
}

/** A value or payload failed validation; `issues` holds every problem with its field path. */
export class MatterValidationError extends MatterError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('MATTER_INVALID_VALUE', `${first ? formatIssue(first) : 'invalid value'}${more}`);
    this.name = 'MatterValidationError';
    this.issues = issues;
  }
}

/** A builder got an argument it cannot turn into a Matter value (unknown mode name, NaN…). */
export class MatterBuilderError extends MatterError {
  constructor(message: string) {
    super('MATTER_BUILDER_ARGUMENT', message);
    this.name = 'MatterBuilderError';
  }
}
