/**
 * Errors of the Lambda subset (restJson1). Status codes and the casing of the message member
 * (`Message` vs `message` varies by shape) follow the Lambda model in
 * `codegen/inputs/lambda-2015-03-31.botocore-service-2.json`; `tests/lambda-model.test.ts`
 * checks this table against it.
 */
export const LAMBDA_ERRORS = {
  ResourceNotFoundException: { status: 404, messageKey: 'Message' },
  InvalidParameterValueException: { status: 400, messageKey: 'message' },
  InvalidRequestContentException: { status: 400, messageKey: 'message' },
  RequestTooLargeException: { status: 413, messageKey: 'message' },
  TooManyRequestsException: { status: 429, messageKey: 'message' },
  ResourceConflictException: { status: 409, messageKey: 'message' },
  PreconditionFailedException: { status: 412, messageKey: 'message' },
  UnsupportedMediaTypeException: { status: 415, messageKey: 'message' },
  ServiceException: { status: 500, messageKey: 'Message' },
} as const;

export type LambdaErrorCode = keyof typeof LAMBDA_ERRORS;

/** A Lambda API error; `code` is the wire name, stable. Thrown by `LambdaHost` and the routes. */
export class LambdaServiceError extends Error {
  override readonly name: string = 'LambdaServiceError';
  readonly code: LambdaErrorCode;
  readonly statusCode: number;

  constructor(code: LambdaErrorCode, message: string) {
    super(message);
    this.code = code;
    this.statusCode = LAMBDA_ERRORS[code].status;
  }
}

export const lambdaErrors = {
  functionNotFound: (arn: string): LambdaServiceError =>
    new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arn}`),
  /** A function ARN of another region than the one the request is signed for. */
  otherRegion: (arnRegion: string, region: string): LambdaServiceError =>
    new LambdaServiceError(
      'ResourceNotFoundException',
      `Functions from '${arnRegion}' are not reachable in this region ('${region}')`,
    ),
  invalidParameter: (message: string): LambdaServiceError =>
    new LambdaServiceError('InvalidParameterValueException', message),
  tooManyRequests: (): LambdaServiceError =>
    new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.'),
} as const;

/** Misuse of the programmatic `LambdaHost` API (bad registration input). */
export class FunctionRegistrationError extends Error {
  override readonly name = 'FunctionRegistrationError';
  readonly code = 'LAMBDA_BAD_REGISTRATION';
}

/** Every worker of a function is busy and its queue is full (surfaces as TooManyRequestsException). */
export class PoolSaturatedError extends Error {
  override readonly name = 'PoolSaturatedError';
  readonly code = 'LAMBDA_POOL_SATURATED';
}

/** A Function URL handler returned something that is not a valid response (surfaces as a 502). */
export class FunctionUrlResponseError extends Error {
  override readonly name = 'FunctionUrlResponseError';
  readonly code = 'LAMBDA_URL_BAD_RESPONSE';
}
