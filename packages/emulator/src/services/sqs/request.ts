import type { Caller, EmulatorConfigLike } from '../../plugins/core-deps.js';
import { reqString } from '../../protocols/jsonMembers.js';
import { SqsError, sqsErrors } from './errors.js';
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

/**
 * A queue's URL. On AWS the host names the region (`sqs.<region>.amazonaws.com/<account>/<name>`);
 * one origin serves every region here, so the path does: `/queue/<region>/<account>/<name>`.
 */
export function queueUrl(config: EmulatorConfigLike, q: QueueRecord): string {
  return `${config.baseUrl()}/queue/${q.region}/${q.accountId}/${q.name}`;
}

const QUEUE_PATH = /^\/?(?:queue\/([a-z0-9-]{1,32})\/)?(\d{12})\/([^/]+)\/?$/;

/**
 * Resolves `QueueUrl` (any host: the SDK may rewrite it) to a queue of the caller's region. A URL
 * of another region names no queue there, as on AWS; the older `/<account>/<name>` form (no
 * region) means the caller's region.
 */
export function queueOf(input: Record<string, unknown>, ctx: Ctx, key = 'QueueUrl'): QueueRecord {
  const url = reqString(input, key, bad);
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const m = QUEUE_PATH.exec(path);
  let name: string | undefined;
  try {
    name = m ? decodeURIComponent(m[3] as string) : undefined;
  } catch {
    name = undefined;
  }
  if (!m || name === undefined) {
    throw new SqsError(
      'InvalidAddress',
      `${key}: expected ${ctx.config.baseUrl()}/queue/<region>/<accountId>/<queueName>, got ${JSON.stringify(url.slice(0, 200))}`,
      { statusCode: 404 },
    );
  }
  if (m[1] !== undefined && m[1] !== ctx.caller.region) throw sqsErrors.queueDoesNotExist();
  return ctx.store.getQueue(m[2] as string, ctx.caller.region, name);
}
