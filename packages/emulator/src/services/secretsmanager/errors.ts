/**
 * Errors of the Secrets Manager subset (awsJson1_1): `__type` is the wire name, `Message` the text.
 * Messages never contain secret values.
 */
export class SecretsManagerError extends Error {
  override readonly name: string = 'SecretsManagerError';
  /** Wire error name (`ResourceNotFoundException`, …); stable. */
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const secretsErrors = {
  notFound: (detail = ''): SecretsManagerError =>
    new SecretsManagerError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret${detail}.`,
    ),
  exists: (message: string): SecretsManagerError =>
    new SecretsManagerError('ResourceExistsException', message),
  invalidParameter: (message: string): SecretsManagerError =>
    new SecretsManagerError('InvalidParameterException', message),
  invalidRequest: (message: string): SecretsManagerError =>
    new SecretsManagerError('InvalidRequestException', message),
} as const;
