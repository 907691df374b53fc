/**
 * Errors of the STS subset (awsQuery: `<ErrorResponse><Error><Type/><Code/><Message/>`). Codes and
 * statuses are the ones STS answers with; `STS_SIGNATURE_CODES` renames the core's SigV4 failures
 * to the names STS uses for them (`InvalidClientTokenId` where a JSON service says
 * `UnrecognizedClientException`).
 */
export class StsError extends Error {
  override readonly name = 'StsError';
  /** Wire error code (`ValidationError`, `AccessDenied`, …); stable. */
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const STS_SIGNATURE_CODES: Readonly<Record<string, string>> = {
  UnrecognizedClientException: 'InvalidClientTokenId',
  ExpiredTokenException: 'ExpiredToken',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
};

export const stsErrors = {
  /** AWS's wording for a member that fails its model constraint. */
  validation: (member: string, value: unknown, constraint: string): StsError =>
    new StsError(
      'ValidationError',
      `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value).slice(0, 200)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
    ),
  accessDenied: (message: string): StsError => new StsError('AccessDenied', message, 403),
  invalidAction: (action: string, version: string): StsError =>
    new StsError(
      'InvalidAction',
      `Could not find operation ${action.slice(0, 64)} for version ${version.slice(0, 20)}`,
    ),
} as const;
