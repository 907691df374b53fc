import {
  ConnectorNetworkError,
  ConnectorValidationError,
  RetryBudgetExhaustedError,
} from '../errors.js';
import { type Logger, silentLogger } from '../log/logger.js';
import {
  formatIssue,
  type OperationBinding,
  queryString,
  type Result,
  ServiceException,
  sanitizeErrorType,
  serializeRequest,
  serviceExceptionFromResponse,
} from '../protocol.js';
import { type Clock, systemClock } from '../util/clock.js';
import {
  type Credentials,
  type CredentialsProvider,
  defaultCredentialsProvider,
} from './credentials.js';
import {
  resolveAttemptTimeoutMs,
  resolveEndpoint,
  resolveMaxAttempts,
  resolveRegion,
} from './endpoint.js';
import {
  classifyHttpError,
  isRetryableNetworkError,
  parseRetryAfter,
  type RetryKind,
  RetryStrategy,
  sleep,
} from './retry.js';
import { createRequestSigner, type RequestSigner } from './signing.js';
import { KeepAlivePool, type PoolResponse, RequestTimeoutError } from './transport.js';

export interface SignedClientOptions {
  /** Default: AWS_REGION / AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** Default: AWS_ENDPOINT_URL_IOT_MANAGED_INTEGRATIONS (or the older AWS_ENDPOINT_URL_IOTMANAGEDINTEGRATIONS), AWS_ENDPOINT_URL, then the regional endpoint. */
  readonly endpoint?: string | URL;
  /** Default: Lambda environment credentials, else the `@aws-sdk/credential-providers` chain. */
  readonly credentials?: Credentials | CredentialsProvider;
  /**
   * Keep-alive connections in the pool at most. Default 128: a webhook carrying many devices'
   * events sends them side by side, and every request waiting for a socket adds a round trip.
   * Sockets open only while that many requests are in flight and close after 4 s idle.
   */
  readonly connections?: number;
  /** Attempts including the first. Default `AWS_MAX_ATTEMPTS`, else 3 (AWS SDK standard mode). */
  readonly maxAttempts?: number;
  /** Retry-quota tokens. Default 500. */
  readonly retryBudget?: number;
  /** Per-attempt timeout for headers and body, ms. Default `C2C_ATTEMPT_TIMEOUT_MS`, else 5000. */
  readonly attemptTimeoutMs?: number;
  /** Validate inputs against the model before sending. Default true. */
  readonly validate?: boolean;
  readonly logger?: Logger;
  /** Jitter source (tests). */
  readonly random?: () => number;
  /** Time and timers: retry waits, deadlines, the pool's timeouts. Default: the system clock. */
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
}

export interface CallOptions {
  /**
   * Epoch ms the call must end by: no retry starts after it, and an attempt still waiting for its
   * answer then is cut off as a timeout, so a caller inside Lambda can still park the event
   * before Lambda's own timeout ends the invocation.
   */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

/** One operation as the client sends it: its HTTP binding and its input validator. */
export interface OperationSpec {
  readonly binding: OperationBinding;
  /** Checks (and normalises) the input when the client validates. */
  readonly validate: (value: unknown) => Result<unknown>;
}

/** An answer as received, whatever its status. */
export interface RawResponse {
  readonly statusCode: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** The body as text (`''` for none). */
  readonly text: string;
  /** The body parsed as JSON: `{}` for none, the text itself when it is not JSON. */
  readonly body: unknown;
  /** The service's error name (`X-Amzn-ErrorType`, e.g. `ValidationException`), when it sent one. */
  readonly errorType: string | undefined;
}

/** A request ready to sign and send, built once per call (attempts only re-sign it). */
interface Prepared {
  readonly name: string;
  readonly method: string;
  /** Path as signed (endpoint base path + operation path). */
  readonly path: string;
  /** Path and query as sent. */
  readonly target: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * The signed managed-integrations client every caller shares: model validation, restJson1
 * serialisation from the operation's binding (protocol's `serializeRequest`), SigV4 on
 * `@smithy/signature-v4` (`signing.ts`), a pool of keep-alive HTTP/1.1 connections
 * (`transport.ts`), and the AWS SDKs' standard retries (`retry.ts`). `ConnectorEventsClient` and
 * `ManagedIntegrationsClient` are thin adapters that name the operations.
 */
export class SignedClient {
  readonly region: string;
  readonly endpoint: URL;
  private readonly sign: RequestSigner;
  private readonly pool: KeepAlivePool;
  private readonly retry: RetryStrategy;
  private readonly validate: boolean;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly hostname: string;
  private readonly basePath: string;
  private readonly attemptTimeoutMs: number;
  /** The headers every request signs, with and without a JSON body (the signer copies them). */
  private readonly plainHeaders: Readonly<Record<string, string>>;
  private readonly jsonHeaders: Readonly<Record<string, string>>;

  constructor(options: SignedClientOptions = {}) {
    const env = options.env ?? process.env;
    this.region = resolveRegion(options.region, env);
    this.endpoint =
      options.endpoint !== undefined
        ? new URL(options.endpoint.toString())
        : resolveEndpoint(this.region, env);
    const credentials = options.credentials ?? defaultCredentialsProvider(env);
    const provider: CredentialsProvider =
      typeof credentials === 'function' ? credentials : () => Promise.resolve(credentials);
    this.sign = createRequestSigner({ region: this.region, credentials: provider });
    this.clock = options.clock ?? systemClock;
    this.attemptTimeoutMs = resolveAttemptTimeoutMs(options.attemptTimeoutMs, env);
    this.pool = new KeepAlivePool(this.endpoint, {
      connections: options.connections ?? 128,
      timeoutMs: this.attemptTimeoutMs,
      clock: this.clock,
    });
    const maxAttempts = resolveMaxAttempts(options.maxAttempts, env);
    this.retry = new RetryStrategy({
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(options.retryBudget !== undefined ? { budget: options.retryBudget } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
    this.validate = options.validate ?? true;
    this.logger = options.logger ?? silentLogger;
    this.hostname = this.endpoint.hostname;
    this.basePath = this.endpoint.pathname.replace(/\/$/, '');
    this.plainHeaders = { host: this.endpoint.host };
    this.jsonHeaders = { host: this.endpoint.host, 'content-type': 'application/json' };
  }

  /** Tokens left in the retry budget. */
  get retryTokens(): number {
    return this.retry.availableTokens;
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Calls an operation as the AWS SDK does: the parsed 2xx body, or the modelled
   * `ServiceException`; throttling, 5xx and connection failures retried within the budget.
   */
  protected async invoke(
    operation: OperationSpec,
    input: object,
    options: CallOptions = {},
  ): Promise<unknown> {
    const request = this.prepare(operation, input);
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      let retryKind: RetryKind | undefined;
      let retryAfter: number | undefined;
      let failure: Error;
      try {
        const response = await this.attemptWithin(request, options);
        const status = response.statusCode;
        const { text } = response;
        const parsed = parseJson(text);
        if (status >= 200 && status < 300) {
          this.retry.release(spent);
          return parsed ?? {};
        }
        const responseHeaders = response.headers as Record<string, string | string[] | undefined>;
        const exception = serviceExceptionFromResponse(status, responseHeaders, parsed ?? text);
        if (!exception.message) exception.message = `${request.name} failed with HTTP ${status}`;
        failure = exception;
        retryKind = classifyHttpError(status, exception.name);
        retryAfter = parseRetryAfter(responseHeaders, this.clock.now());
      } catch (error) {
        if (!isRetryableNetworkError(error)) throw error;
        failure = error as Error;
        retryKind = 'transient';
      }

      if (retryKind === undefined || attempt >= this.retry.maxAttempts) {
        throw finalFailure(request.name, failure, attempt);
      }
      const cost = this.retry.acquire(retryKind);
      if (cost === undefined) {
        throw new RetryBudgetExhaustedError(
          `${request.name}: retry budget exhausted after ${failure.name}; failing fast`,
          { cause: failure },
        );
      }
      spent += cost;
      const delay = this.retry.delayMs(retryKind, attempt - 1, retryAfter);
      if (options.deadline !== undefined && this.clock.now() + delay > options.deadline) {
        throw finalFailure(request.name, failure, attempt);
      }
      this.logger.warn('retrying', {
        operation: request.name,
        attempt,
        error: failure.name,
        delayMs: delay,
      });
      await sleep(this.clock, delay, options.signal);
    }
  }

  /**
   * One signed attempt, answered as received (no retries, no exception for an error status):
   * for callers that relay or inspect the service's answer themselves.
   */
  protected async exchange(
    operation: OperationSpec,
    input: object,
    options: CallOptions = {},
  ): Promise<RawResponse> {
    const request = this.prepare(operation, input);
    let response: PoolResponse;
    try {
      response = await this.attempt(request, options.signal);
    } catch (error) {
      if (!isRetryableNetworkError(error)) throw error;
      throw finalFailure(request.name, error as Error, 1);
    }
    const { text, headers } = response;
    const parsed = parseJson(text);
    const body = parsed === undefined ? text : parsed;
    const type = headers['x-amzn-errortype'];
    return {
      statusCode: response.statusCode,
      headers,
      text,
      body,
      errorType: typeof type === 'string' ? sanitizeErrorType(type) : undefined,
    };
  }

  /** Validates (when asked to), checks the labels and serialises, once per call. */
  private prepare(operation: OperationSpec, input: object): Prepared {
    const binding = operation.binding;
    const name = binding.name;
    let value = input;
    if (this.validate) {
      const result = operation.validate(input);
      if (!result.ok) {
        throw new ConnectorValidationError(`${name} input`, result.issues.map(formatIssue));
      }
      // The validated value is normalised (e.g. the attributes array form → map form).
      value = result.value as object;
    }
    // An empty or missing label would send the request to another route: never sent.
    for (const member of binding.pathMembers) {
      const label = (value as Record<string, unknown>)[member];
      if (typeof label !== 'string' || label === '') {
        const got = label === undefined ? 'nothing' : JSON.stringify(label);
        throw new ConnectorValidationError(`${name} input`, [
          `${name}.${member}: expected a non-empty string (URI label), got ${got}`,
        ]);
      }
    }
    const built = serializeRequest(binding, value);
    let headers = built.body !== undefined ? this.jsonHeaders : this.plainHeaders;
    for (const _ in built.headers) {
      headers = { ...headers, ...built.headers };
      break;
    }
    const path = this.basePath + built.path;
    let target = path;
    for (const _ in built.query) {
      target += queryString(built.query);
      break;
    }
    return {
      name,
      method: built.method,
      path,
      target,
      query: built.query,
      headers,
      body: built.body,
    };
  }

  /** One attempt, cut off at the call's deadline when that comes before the attempt timeout. */
  private async attemptWithin(request: Prepared, options: CallOptions): Promise<PoolResponse> {
    const { deadline, signal } = options;
    const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - this.clock.now();
    if (left >= this.attemptTimeoutMs) return this.attempt(request, signal);
    const cut = new AbortController();
    const timer = this.clock.setTimeout(
      () =>
        cut.abort(new RequestTimeoutError(`no response by the call's deadline (${left} ms away)`)),
      Math.max(0, left),
    );
    try {
      return await this.attempt(
        request,
        signal === undefined ? cut.signal : AbortSignal.any([signal, cut.signal]),
      );
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Signs (per attempt: the signature embeds the time) and sends. */
  private async attempt(request: Prepared, signal: AbortSignal | undefined): Promise<PoolResponse> {
    const signedHeaders = await this.sign(
      {
        method: request.method,
        hostname: this.hostname,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: request.body,
      },
      new Date(this.clock.now()),
    );
    return this.pool.request({
      method: request.method,
      path: request.target,
      headers: signedHeaders,
      body: request.body,
      signal,
    });
  }
}

/** A body as JSON: `{}` for none, undefined when it is not JSON. */
function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error a call ends with: the service's own, or a network error naming the attempts. */
function finalFailure(name: string, failure: Error, attempts: number): Error {
  return failure instanceof ServiceException
    ? failure
    : new ConnectorNetworkError(`${name}: ${failure.message}`, attempts, { cause: failure });
}
