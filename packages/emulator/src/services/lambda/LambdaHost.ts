import { randomUUID } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import { DEFAULT_ACCOUNT_ID, generateCredentials } from '../../config.js';
import { newDatabase } from '../../plugins/db.js';
import { LambdaServiceError, lambdaErrors, PoolSaturatedError } from './errors.js';
import type { ExecutionCredentialIssuer } from './executionRole.js';
import { type FunctionScope, parseFunctionRef } from './functionRef.js';
import { type FunctionInfo, FunctionRegistry } from './functionRegistry.js';
import { functionUrlPath } from './functionUrl.js';
import {
  type InvocationRecord,
  type InvokeOptions,
  type InvokeResult,
  invocationFrame,
  toInvokeResult,
} from './invocation.js';
import { workerEnvironment } from './processEnv.js';
import type { RegisterFunctionInput } from './registration.js';
import type { FunctionVersions } from './versions.js';
import { type InvocationOutcome, type WorkerEnvironment, WorkerPool } from './WorkerPool.js';

/**
 * Runs the emulator's Lambda functions: registrations in SQLite (`FunctionRegistry`), each
 * function's workers in a `WorkerPool`, invocations as Lambda's Invoke API runs them.
 */

export interface LambdaHostOptions {
  /** Where registrations persist (`lambda_functions`); an in-memory database when omitted. */
  db?: Db;
  /** The region of functions registered without one, and of bare names (default us-east-1). */
  region?: string;
  /** Endpoint the functions call back into (`AWS_ENDPOINT_URL`). */
  baseUrl?: () => string;
  /** The accounts' long-term keys (the first is the default account). */
  credentials?: ReadonlyArray<{ accessKeyId: string; secretAccessKey: string; accountId: string }>;
  /**
   * Issues each new worker the temporary credentials of the function's execution role, as Lambda
   * does; the emulator issues them from its STS store. Without it (a host of its own), a worker
   * gets its account's long-term key from `credentials`.
   */
  executionCredentials?: ExecutionCredentialIssuer;
  maxWorkersPerFunction?: number;
  maxQueuedPerFunction?: number;
  /** Idle workers are stopped after this long (default 10 minutes); the next call cold-starts. */
  idleTimeoutMs?: number;
  /** Delays before the retries of a failed asynchronous (Event) invocation; Lambda retries twice. */
  asyncRetryDelaysMs?: readonly number[];
  /**
   * Receives each line a function prints, with the request id of the invocation it printed it
   * in (none for lines printed outside one), and the START / END / REPORT lines Lambda adds.
   */
  onLog?: (functionName: string, line: string, requestId?: string, functionArn?: string) => void;
  /** Receives each finished invocation: what was invoked, how long it took, what it returned. */
  onInvocation?: (record: InvocationRecord) => void;
}

interface LiveFunction {
  info: FunctionInfo;
  pool: WorkerPool;
}

export class LambdaHost {
  readonly #db: Db;
  readonly #ownsDb: boolean;
  readonly #region: string;
  readonly #baseUrl: () => string;
  readonly #credentials: NonNullable<LambdaHostOptions['credentials']>;
  readonly #options: LambdaHostOptions;
  readonly #registry: FunctionRegistry;
  readonly #live = new Map<string, LiveFunction>();
  /** Pools replaced by an update whose invocations are still running (stopped on close). */
  readonly #retired = new Set<WorkerPool>();
  /** Published versions and aliases (`lambda_versions`, `lambda_aliases`). */
  readonly versions: FunctionVersions;
  readonly #asyncTimers = new Set<NodeJS.Timeout>();
  readonly #asyncRuns = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: LambdaHostOptions = {}) {
    this.#options = options;
    this.#ownsDb = options.db === undefined;
    this.#db = options.db ?? newDatabase(':memory:');
    this.#region = options.region ?? 'us-east-1';
    this.#baseUrl = options.baseUrl ?? (() => 'http://127.0.0.1');
    // A host of its own (tests, tools) signs with a fresh pair; the emulator passes its keys.
    this.#credentials = options.credentials ?? [generateCredentials()];
    this.#registry = new FunctionRegistry(
      this.#db,
      () => this.#defaults(),
      (fn) => this.functionUrl(fn),
    );
    this.versions = this.#registry.versions;
  }

  get region(): string {
    return this.#region;
  }

  get defaultAccountId(): string {
    return this.#credentials[0]?.accountId ?? DEFAULT_ACCOUNT_ID;
  }

  /** Where the Function URL of a function is served. */
  functionUrl(fn: { name: string; accountId: string; region: string }): string {
    return `${this.#baseUrl()}/lambda-url/${functionUrlPath(fn, this.#defaults())}/`;
  }

  #defaults(): { accountId: string; region: string } {
    return { accountId: this.defaultAccountId, region: this.#region };
  }

  /**
   * Registers (or replaces) a function. Replacing retires its workers, so the next invocation
   * loads the new code and configuration; one already running finishes as it started (Lambda's
   * own behaviour on UpdateFunctionConfiguration and UpdateFunctionCode).
   */
  registerFunction(input: RegisterFunctionInput): FunctionInfo {
    const info = this.#registry.register(input);
    this.#dropLive(info, 'retire');
    return info;
  }

  /** Removes a function (with its versions and aliases); returns false when there was none. */
  deleteFunction(nameOrArn: string, scope: FunctionScope = {}): boolean {
    const info = this.getFunction(nameOrArn, scope);
    if (!info) return false;
    this.#registry.delete(info);
    this.#dropLive(info, 'close');
    return true;
  }

  /** Workers are keyed by function and version. */
  #liveKey(fn: { accountId: string; region: string; name: string }, version?: string): string {
    return `${fn.accountId}:${fn.region}:${fn.name}:${version ?? ''}`;
  }

  /** Stops (`close`) or retires the workers of a function, of every version. */
  #dropLive(
    fn: { accountId: string; region: string; name: string },
    how: 'close' | 'retire',
  ): void {
    const prefix = this.#liveKey(fn);
    for (const [liveKey, live] of this.#live) {
      if (liveKey.startsWith(prefix)) {
        if (how === 'close') live.pool.close();
        else this.#retire(live.pool);
        this.#live.delete(liveKey);
      }
    }
  }

  #retire(pool: WorkerPool): void {
    pool.retire();
    this.#retired.add(pool);
    for (const old of this.#retired) if (old.size === 0) this.#retired.delete(old);
  }

  /**
   * A function by name, partial or full ARN, or undefined. The parts the reference leaves out
   * come from `scope` (see `FunctionScope`); an ARN of another region than `scope.region` is
   * undefined. A qualifier picks `$LATEST`, a published version or an alias's version; one that
   * names none of them is undefined too.
   */
  getFunction(nameOrArn: string, scope: FunctionScope = {}): FunctionInfo | undefined {
    return this.#registry.get(nameOrArn, scope);
  }

  /** The functions of `scope`'s account and region (each left out: all of them). */
  listFunctions(scope: FunctionScope = {}): FunctionInfo[] {
    return this.#registry.list(scope);
  }

  /** Like `getFunction`, but throws Lambda's ResourceNotFoundException. */
  requireFunction(nameOrArn: string, scope: FunctionScope = {}): FunctionInfo {
    return this.#registry.require(nameOrArn, scope);
  }

  #environment(info: FunctionInfo): WorkerEnvironment {
    // Its own account's credentials, or none: a function never signs as another account.
    const issue = this.#options.executionCredentials;
    const credentials = issue
      ? issue({ accountId: info.accountId, name: info.name })
      : this.#credentials.find((c) => c.accountId === info.accountId);
    return workerEnvironment(info, credentials, this.#baseUrl());
  }

  #pool(info: FunctionInfo): WorkerPool {
    const key = this.#liveKey(info, info.version);
    let live = this.#live.get(key);
    if (!live || live.info.lastModified.getTime() !== info.lastModified.getTime()) {
      if (live) this.#retire(live.pool);
      const onLog = this.#options.onLog;
      live = {
        info,
        pool: new WorkerPool({
          handlerPath: info.handler,
          exportName: info.exportName,
          environment: () => this.#environment(info),
          maxWorkers: this.#options.maxWorkersPerFunction ?? 4,
          maxQueued: this.#options.maxQueuedPerFunction ?? 100,
          idleTimeoutMs: this.#options.idleTimeoutMs ?? 600_000,
          ...(onLog
            ? {
                onLog: (line: string, requestId?: string) =>
                  onLog(info.name, line, requestId, info.arn),
              }
            : {}),
        }),
      };
      this.#live.set(key, live);
    }
    return live.pool;
  }

  async #run(
    info: FunctionInfo,
    event: string,
    requestId: string,
    invokedArn: string,
    options: InvokeOptions,
  ): Promise<InvocationOutcome> {
    const timeoutMs = options.timeoutMs ?? info.timeoutSeconds * 1000;
    const started = performance.now();
    let outcome: InvocationOutcome;
    try {
      outcome = await this.#pool(info).invoke({
        event,
        awsRequestId: requestId,
        invokedFunctionArn: invokedArn,
        timeoutMs,
        ...(options.clientContext !== undefined ? { clientContext: options.clientContext } : {}),
      });
    } catch (error) {
      if (error instanceof PoolSaturatedError) throw lambdaErrors.tooManyRequests();
      throw error;
    }
    // Frame the output the way Lambda's log stream (and LogType Tail) shows an invocation.
    const ms = performance.now() - started;
    const { start, end } = invocationFrame({
      requestId,
      version: info.version,
      timeoutMs,
      durationMs: ms,
      outcome,
    });
    const onLog = this.#options.onLog;
    if (onLog) for (const line of [...start, ...end]) onLog(info.name, line, requestId, info.arn);
    this.#options.onInvocation?.({
      functionName: info.name,
      functionArn: info.arn,
      version: info.version,
      requestId,
      event,
      durationMs: ms,
      outcome: outcome.ok
        ? { ok: true, payload: outcome.payload }
        : { ok: false, error: outcome.error },
    });
    const logs = `${start.join('\n')}\n${outcome.logs}${end.join('\n')}\n`;
    return { ...outcome, logs: logs.slice(-4096) };
  }

  /**
   * Invokes a function the way Lambda's Invoke API does. Function failures (throws, crashes,
   * timeouts) are results with `functionError: 'Unhandled'`; unknown functions, non-JSON payloads
   * and saturation throw `LambdaServiceError`.
   */
  async invoke(
    nameOrArn: string,
    payload: Buffer | string,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    if (this.#closed)
      throw new LambdaServiceError('ServiceException', 'The function host is closed.');
    const info = this.requireFunction(nameOrArn, options);
    const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
    const event = text.trim() === '' ? '{}' : text;
    try {
      JSON.parse(event);
    } catch (error) {
      throw new LambdaServiceError(
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
      );
    }
    const ref = parseFunctionRef(nameOrArn);
    const invokedArn = ref?.qualifier ? `${info.arn}:${ref.qualifier}` : info.arn;
    const requestId = randomUUID();
    if (options.invocationType === 'Event') {
      this.#runAsync(info, event, requestId, invokedArn, options);
      return {
        statusCode: 202,
        payload: Buffer.alloc(0),
        executedVersion: info.version,
        requestId,
        logTail: '',
      };
    }
    const outcome = await this.#run(info, event, requestId, invokedArn, options);
    return toInvokeResult(outcome, requestId, info.version);
  }

  /** Event invocations: accepted at once, run in the background, retried like Lambda (twice). */
  #runAsync(
    info: FunctionInfo,
    event: string,
    requestId: string,
    invokedArn: string,
    options: InvokeOptions,
  ): void {
    const delays = this.#options.asyncRetryDelaysMs ?? [1000, 2000];
    const attempt = async (n: number): Promise<void> => {
      if (this.#closed) return;
      let failed = true;
      try {
        const outcome = await this.#run(info, event, requestId, invokedArn, options);
        failed = !outcome.ok;
      } catch {
        failed = true;
      }
      const delay = delays[n];
      if (failed && delay !== undefined && !this.#closed) {
        const timer = setTimeout(() => {
          this.#asyncTimers.delete(timer);
          track(attempt(n + 1));
        }, delay);
        this.#asyncTimers.add(timer);
      }
    };
    const track = (p: Promise<void>): void => {
      this.#asyncRuns.add(p);
      void p.finally(() => this.#asyncRuns.delete(p));
    };
    track(attempt(0));
  }

  /** Stops every worker and pending retry; later invocations throw. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#asyncTimers) clearTimeout(t);
    this.#asyncTimers.clear();
    for (const live of this.#live.values()) live.pool.close();
    this.#live.clear();
    for (const pool of this.#retired) pool.close();
    this.#retired.clear();
    await Promise.allSettled([...this.#asyncRuns]);
    if (this.#ownsDb) this.#db.close();
  }
}
