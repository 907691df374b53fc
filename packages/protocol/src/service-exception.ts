/**
 * Base class of the service's modelled errors (`ValidationException`, `ResourceNotFoundException`,
 * …), shaped like the AWS SDK's so code written against either reads the same.
 */

export interface ServiceExceptionInit {
  /** Model name of the error shape, e.g. `ValidationException`. */
  readonly name: string;
  readonly message: string;
  readonly statusCode: number;
}

/**
 * The AWS SDK standard retry classification, used because the model has no `@retryable` traits:
 * 429 is throttling; 500, 502, 503 and 504 are transient.
 */
export function retryClass(statusCode: number): { throttling: boolean } | undefined {
  if (statusCode === 429) return { throttling: true };
  if (statusCode === 500 || statusCode === 502 || statusCode === 503 || statusCode === 504) {
    return { throttling: false };
  }
  return undefined;
}

export class ServiceException extends Error {
  /** `client` for 4xx, `server` for 5xx — as the model's `@error` trait says. */
  readonly $fault: 'client' | 'server';
  /** Set when a retry may succeed; `throttling` when the caller should slow down. */
  readonly $retryable: { readonly throttling: boolean } | undefined;
  readonly statusCode: number;
  /** `x-amzn-RequestId` of the response, when known. */
  readonly requestId: string | undefined;

  constructor(
    init: ServiceExceptionInit,
    options?: { requestId?: string | undefined; cause?: unknown },
  ) {
    super(init.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = init.name;
    this.statusCode = init.statusCode;
    this.$fault = init.statusCode >= 500 ? 'server' : 'client';
    this.$retryable = retryClass(init.statusCode);
    this.requestId = options?.requestId;
  }

  /** Modelled members besides `Message` (e.g. `ResourceId`, `ResourceType`). */
  get members(): Record<string, unknown> {
    return {};
  }

  /** The restJson1 error body: `{ Message, ...members }`. */
  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { Message: this.message };
    for (const [k, v] of Object.entries(this.members)) if (v !== undefined) body[k] = v;
    return body;
  }
}
