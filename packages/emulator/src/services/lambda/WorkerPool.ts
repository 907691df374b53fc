import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PoolSaturatedError } from './errors.js';

/**
 * Worker processes for one function. Each worker runs `runtime/bootstrap.mjs`, loads the handler
 * module once (warm starts), and runs one invocation at a time, like a Lambda execution
 * environment. Busy workers make the pool spawn more, up to `maxWorkers`; beyond that invocations
 * queue (bounded). A timed-out worker is killed (SIGKILL) and replaced on the next invocation.
 */

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvocationOutcome =
  | { ok: true; payload: string; logs: string }
  | { ok: false; error: LambdaErrorPayload; logs: string };

export interface InvocationRequest {
  event: string;
  awsRequestId: string;
  invokedFunctionArn: string;
  timeoutMs: number;
  clientContext?: unknown;
}

/** A worker's whole environment, and when the credentials in it expire (epoch ms), if they do. */
export interface WorkerEnvironment {
  variables: Record<string, string>;
  expiresAt?: number;
}

export interface WorkerPoolOptions {
  handlerPath: string;
  exportName: string;
  /**
   * Computed when a worker starts, so the endpoint URL is the one the emulator listens on and the
   * credentials are fresh. A worker whose credentials would expire during an invocation is
   * replaced before it gets one (as Lambda retires an environment before its credentials expire).
   */
  environment: () => WorkerEnvironment;
  maxWorkers: number;
  maxQueued: number;
  /** An idle worker is stopped after this long (Lambda recycles idle environments too). */
  idleTimeoutMs: number;
  /**
   * Receives each line a function prints (stdout/stderr), with the request id of the invocation
   * the worker was running when it printed it (none between invocations, e.g. at import).
   */
  onLog?: (line: string, requestId?: string) => void;
}

/** Resolves the bootstrap next to this module (src/) or, from dist/, in the shipped src/. */
function bootstrapPath(): string {
  const candidates = [
    new URL('./runtime/bootstrap.mjs', import.meta.url),
    new URL('../../../src/services/lambda/runtime/bootstrap.mjs', import.meta.url),
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  return fileURLToPath(candidates[0] as URL);
}

const BOOTSTRAP = bootstrapPath();
/** How much of a function's output one invocation keeps (Lambda's LogType Tail returns 4 KB). */
const LOG_KEEP = 4096;
/** At most this long before its credentials expire, a worker is replaced. */
const REFRESH_AHEAD_MAX_MS = 5 * 60_000;

interface Pending {
  request: InvocationRequest;
  resolve: (outcome: InvocationOutcome) => void;
}

class Worker {
  readonly child: ChildProcess;
  busy: Pending | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #id = 0;
  #logs = '';
  dead = false;
  readonly #startedAt = Date.now();
  readonly #expiresAt: number | undefined;

  constructor(
    readonly pool: WorkerPool,
    options: WorkerPoolOptions,
  ) {
    const environment = options.environment();
    this.#expiresAt = environment.expiresAt;
    this.child = fork(BOOTSTRAP, [options.handlerPath, options.exportName], {
      // The whole environment, never the emulator's own: its NODE_OPTIONS does not leak in, and
      // the function's configuration cannot set one (processEnv.ts).
      env: environment.variables,
      // Without this, the worker inherits the test runner's or tsx's loader flags.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      if (this.busy) this.#logs = (this.#logs + text).slice(-LOG_KEEP * 4);
      if (options.onLog) {
        const requestId = this.busy?.request.awsRequestId;
        for (const line of text.split('\n')) if (line !== '') options.onLog(line, requestId);
      }
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.child.on('message', (message: unknown) => this.#onMessage(message));
    this.child.on('exit', (code, signal) => this.#onExit(code, signal));
    this.child.on('error', () => this.#onExit(null, null));
  }

  /**
   * Whether this worker's credentials outlast an invocation of `timeoutMs` starting now, with a
   * fifth of their lifetime (at most 5 minutes) to spare.
   */
  freshFor(timeoutMs: number): boolean {
    if (this.#expiresAt === undefined) return true;
    const spare = Math.min(REFRESH_AHEAD_MAX_MS, (this.#expiresAt - this.#startedAt) / 5);
    return this.#expiresAt - spare > Date.now() + timeoutMs;
  }

  run(pending: Pending): void {
    clearTimeout(this.#idleTimer);
    this.busy = pending;
    this.#logs = '';
    this.#id += 1;
    const { request } = pending;
    const deadlineMs = Date.now() + request.timeoutMs;
    this.#timer = setTimeout(() => {
      const seconds = (request.timeoutMs / 1000).toFixed(2);
      this.#complete({
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${request.awsRequestId} Error: Task timed out after ${seconds} seconds`,
        },
        logs: '',
      });
      // A timed-out environment is not reused: the handler may still be running.
      this.kill();
    }, request.timeoutMs);
    this.child.send({
      type: 'invoke',
      id: this.#id,
      event: request.event,
      context: {
        awsRequestId: request.awsRequestId,
        invokedFunctionArn: request.invokedFunctionArn,
        deadlineMs,
        clientContext: request.clientContext,
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${request.awsRequestId.replace(/-/g, '').slice(0, 24)};Sampled=0`,
      },
    });
  }

  #onMessage(message: unknown): void {
    const m = message as {
      type?: string;
      id?: number;
      payload?: string;
      error?: LambdaErrorPayload;
      fatal?: boolean;
    };
    if (!this.busy || m.id !== this.#id) return;
    if (m.type === 'error' && m.error && m.fatal) {
      // The runtime exits after an uncaught error: report it, then never reuse this worker.
      const error = m.error;
      const logs = this.#logs;
      this.dead = true;
      this.#complete({ ok: false, error, logs });
      this.child.kill('SIGKILL');
      this.pool.removeWorker(this);
      return;
    }
    if (m.type === 'result' && typeof m.payload === 'string') {
      this.#complete({ ok: true, payload: m.payload, logs: this.#logs });
    } else if (m.type === 'error' && m.error) {
      this.#complete({ ok: false, error: m.error, logs: this.#logs });
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.dead) return;
    this.dead = true;
    if (this.busy) {
      const status = signal ? `signal ${signal}` : `exit status ${code ?? 'unknown'}`;
      this.#complete({
        ok: false,
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${this.busy.request.awsRequestId} Error: Runtime exited with error: ${status}`,
        },
        logs: this.#logs,
      });
    }
    this.pool.removeWorker(this);
  }

  #complete(outcome: InvocationOutcome): void {
    const pending = this.busy;
    if (!pending) return;
    clearTimeout(this.#timer);
    this.busy = undefined;
    pending.resolve({ ...outcome, logs: outcome.logs.slice(-LOG_KEEP) });
    if (!this.dead) this.pool.workerIdle(this);
  }

  /** Stops this worker if it stays idle for `ms`; the timer never keeps the process alive. */
  idleFor(ms: number): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (!this.busy) this.kill();
    }, ms);
    this.#idleTimer.unref();
  }

  kill(): void {
    clearTimeout(this.#idleTimer);
    if (!this.dead) {
      this.dead = true;
      if (this.busy) {
        this.#complete({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${this.busy.request.awsRequestId} Error: Runtime exited with error: signal SIGKILL`,
          },
          logs: this.#logs,
        });
      }
      this.child.kill('SIGKILL');
      this.pool.removeWorker(this);
    }
  }
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Set<Worker>();
  readonly #queue: Pending[] = [];
  #closed = false;
  /** Replaced by a newer configuration: what it holds finishes, nothing new starts here. */
  #retired = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#workers.size;
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.#closed || this.#retired) {
      return Promise.resolve({
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: 'function host is closed' },
        logs: '',
      });
    }
    return new Promise<InvocationOutcome>((resolve, reject) => {
      let idle: Worker | undefined;
      for (const w of [...this.#workers]) {
        if (w.busy || w.dead) continue;
        if (w.freshFor(request.timeoutMs)) {
          idle = w;
          break;
        }
        w.kill(); // its credentials are about to expire: a new worker gets fresh ones
      }
      const pending: Pending = { request, resolve };
      if (idle) {
        idle.run(pending);
      } else if (this.#workers.size < this.#options.maxWorkers) {
        const w = new Worker(this, this.#options);
        this.#workers.add(w);
        w.run(pending);
      } else if (this.#queue.length < this.#options.maxQueued) {
        this.#queue.push(pending);
      } else {
        reject(new PoolSaturatedError('Rate Exceeded.'));
      }
    });
  }

  workerIdle(worker: Worker): void {
    const next = this.#queue[0];
    if (next === undefined && this.#retired) worker.kill();
    else if (next === undefined) worker.idleFor(this.#options.idleTimeoutMs);
    else if (worker.freshFor(next.request.timeoutMs)) worker.run(this.#queue.shift() as Pending);
    // Stale credentials: removing the worker starts a fresh one for the queue.
    else worker.kill();
  }

  removeWorker(worker: Worker): void {
    this.#workers.delete(worker);
    // Queued work gets a fresh worker in place of the one that died.
    if (!this.#closed && this.#queue.length > 0 && this.#workers.size < this.#options.maxWorkers) {
      const next = this.#queue.shift() as Pending;
      const w = new Worker(this, this.#options);
      this.#workers.add(w);
      w.run(next);
    }
  }

  /**
   * Ends this pool as Lambda replaces a function's environments after an update of its code or
   * configuration: idle workers stop now; an invocation already running (or queued) finishes in
   * the environment it started with, and its worker stops after it. `close` still stops all.
   */
  retire(): void {
    this.#retired = true;
    for (const w of [...this.#workers]) if (!w.busy) w.kill();
  }

  /** Kills every worker; running and queued invocations fail with Runtime.ExitError. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) {
      pending.resolve({
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: 'function host is closed' },
        logs: '',
      });
    }
    for (const w of [...this.#workers]) w.kill();
  }
}
