import type { InvocationOutcome, LambdaErrorPayload } from './WorkerPool.js';

/** Options of `LambdaHost.invoke`. */
export interface InvokeOptions {
  invocationType?: 'RequestResponse' | 'Event';
  /** Overrides the function's timeout for this invocation (the managed-integrations service uses 2 s). */
  timeoutMs?: number;
  /** Decoded `X-Amz-Client-Context`, handed to the function as `context.clientContext`. */
  clientContext?: unknown;
  /** The caller's account, for names without an account part; the default account otherwise. */
  accountId?: string;
  /**
   * The region the caller's request is signed for: names resolve there, and an ARN of another
   * region is `ResourceNotFoundException`. Left out, an ARN names its own region and a bare name
   * the configured one.
   */
  region?: string;
}

export interface InvokeResult {
  /** 200 for RequestResponse (also when the function failed), 202 for Event. */
  statusCode: number;
  /** The function's JSON result, or Lambda's `{errorType, errorMessage, trace}` on failure. */
  payload: Buffer;
  functionError?: 'Unhandled';
  executedVersion: string;
  requestId: string;
  /** The last 4 KB of the invocation's log output (Lambda's `LogType: Tail`). */
  logTail: string;
}

/** One finished invocation, for `LambdaHostOptions.onInvocation` (a developer's log view). */
export interface InvocationRecord {
  readonly functionName: string;
  /** The unqualified ARN (names repeat across accounts and regions). */
  readonly functionArn: string;
  readonly version: string;
  readonly requestId: string;
  /** The event as invoked (JSON text; it may hold tokens: never print it whole). */
  readonly event: string;
  readonly durationMs: number;
  /** The function's JSON result, or Lambda's error (`Runtime.ImportModuleError`, …). */
  readonly outcome:
    | { readonly ok: true; readonly payload: string }
    | { readonly ok: false; readonly error: LambdaErrorPayload };
}

/** Lambda's synchronous response limit (6 MB). */
const MAX_RESPONSE_BYTES = 6_291_556;

/**
 * The lines Lambda's log stream (and `LogType: Tail`) frames an invocation with: `START` before
 * the function's output; a timeout notice, `END` and `REPORT` after it.
 */
export function invocationFrame(input: {
  requestId: string;
  version: string;
  timeoutMs: number;
  durationMs: number;
  outcome: InvocationOutcome;
}): { start: string[]; end: string[] } {
  const { requestId, durationMs: ms } = input;
  const start = [`START RequestId: ${requestId} Version: ${input.version}`];
  const end = [`END RequestId: ${requestId}`];
  if (!input.outcome.ok && input.outcome.error.errorType === 'Sandbox.Timedout') {
    end.unshift(
      `${new Date().toISOString()} ${requestId} Task timed out after ${(input.timeoutMs / 1000).toFixed(2)} seconds`,
    );
  }
  end.push(
    `REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: 128 MB`,
  );
  return { start, end };
}

/** A RequestResponse outcome as the Invoke API answers it (a too-large result is a failure). */
export function toInvokeResult(
  outcome: InvocationOutcome,
  requestId: string,
  version: string,
): InvokeResult {
  if (outcome.ok && Buffer.byteLength(outcome.payload) > MAX_RESPONSE_BYTES) {
    return toInvokeResult(
      {
        ok: false,
        error: {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        },
        logs: outcome.logs,
      },
      requestId,
      version,
    );
  }
  if (outcome.ok) {
    return {
      statusCode: 200,
      payload: Buffer.from(outcome.payload, 'utf8'),
      executedVersion: version,
      requestId,
      logTail: outcome.logs,
    };
  }
  return {
    statusCode: 200,
    payload: Buffer.from(JSON.stringify(outcome.error), 'utf8'),
    functionError: 'Unhandled',
    executedVersion: version,
    requestId,
    logTail: outcome.logs,
  };
}
