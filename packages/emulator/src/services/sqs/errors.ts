/**
 * Errors of the SQS subset. Wire names (`code`) and status codes follow the SQS model as shipped in
 * `@aws-sdk/client-sqs` (awsJson1_0 + awsQueryCompatible): the body carries `__type`, the
 * `x-amzn-query-error` header the legacy query code the SDK maps back to `error.Code`.
 */
export class SqsError extends Error {
  override readonly name: string = 'SqsError';
  /** Wire error name (`QueueDoesNotExist`, …); stable. */
  readonly code: string;
  readonly statusCode: number;
  /** Legacy query-protocol code, sent in `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue`). */
  readonly queryCode: string;
  readonly fault: 'Sender' | 'Receiver';

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; queryCode?: string; fault?: 'Sender' | 'Receiver' } = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = options.statusCode ?? 400;
    this.queryCode = options.queryCode ?? code;
    this.fault = options.fault ?? 'Sender';
  }
}

export const sqsErrors = {
  queueDoesNotExist: (): SqsError =>
    new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', {
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
    }),
  queueNameExists: (name: string): SqsError =>
    new SqsError(
      'QueueNameExists',
      `A queue already exists with the same name (${name}) and a different value for an attribute.`,
      { queryCode: 'QueueAlreadyExists' },
    ),
  invalidParameter: (message: string): SqsError => new SqsError('InvalidParameterValue', message),
  missingParameter: (field: string): SqsError =>
    new SqsError('MissingParameter', `The request must contain the parameter ${field}.`),
  invalidAttributeName: (message: string): SqsError =>
    new SqsError('InvalidAttributeName', message),
  invalidAttributeValue: (message: string): SqsError =>
    new SqsError('InvalidAttributeValue', message),
  receiptHandleIsInvalid: (handle: string): SqsError =>
    new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle.slice(0, 64)}" is not a valid receipt handle.`,
      { statusCode: 404 },
    ),
  messageNotInflight: (): SqsError =>
    new SqsError('MessageNotInflight', 'The message referred to is not in flight.', {
      queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    }),
  emptyBatch: (field: string): SqsError =>
    new SqsError('EmptyBatchRequest', `There should be at least one ${field} in the request.`, {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    }),
  tooManyEntries: (count: number): SqsError =>
    new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${count}.`,
      { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
    ),
  batchIdsNotDistinct: (id: string): SqsError =>
    new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
      queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    }),
  invalidBatchEntryId: (id: string): SqsError =>
    new SqsError(
      'InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got "${id.slice(0, 90)}".`,
      { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
    ),
  batchTooLong: (size: number): SqsError =>
    new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than 1048576 bytes. You have sent ${size} bytes.`,
      { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong' },
    ),
  invalidMessageContents: (message: string): SqsError =>
    new SqsError('InvalidMessageContents', message),
} as const;
