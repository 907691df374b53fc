import type { Caller, EmulatorConfigLike } from './context.js';
import { SqsError, sqsErrors } from './errors.js';
import { reqString } from './fields.js';
import type { QueueRecord, SqsStore } from './SqsStore.js';

/** What every SQS operation handler gets, and the queue a request's `QueueUrl` names. */

export const bad = (message: string): SqsError => sqsErrors.invalidParameter(message);

export interface Ctx {
  store: SqsStore;
  config: EmulatorConfigLike;
  caller: Caller;
  signal: AbortSignal;
}

export type Handler = (input: Record<string, unknown>, ctx: Ctx) => unknown | Promise<unknown>;

export function queueUrl(config: EmulatorConfigLike, q: QueueRecord): string {
  return `${config.baseUrl()}/${q.accountId}/${q.name}`;
}

/** Resolves `QueueUrl` (any host: the SDK may rewrite it) to a queue of the caller's region. */
export function queueOf(input: Record<string, unknown>, ctx: Ctx, key = 'QueueUrl'): QueueRecord {
  const url = reqString(input, key, bad);
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const m = /^\/?(\d{12})\/([^/]+)\/?$/.exec(path);
  if (!m) {
    throw new SqsError(
      'InvalidAddress',
      `${key}: expected ${ctx.config.baseUrl()}/<accountId>/<queueName>, got ${JSON.stringify(url.slice(0, 200))}`,
      {
        statusCode: 404,
      },
    );
  }
  return ctx.store.getQueue(m[1] as string, ctx.caller.region, decodeURIComponent(m[2] as string));
}
