import { createHash } from 'node:crypto';
import type { InvocationRecord } from './invocation.js';

/**
 * Each function's recent invocations and output lines, in memory, for tools watching a function
 * they did not start (`c2c test --deployed`): what CloudWatch Logs and the service's own view
 * would show on AWS. Bounded per function (count and bytes) and in the number of functions, so a
 * long-running emulator keeps only what is recent. OAuth tokens in service envelopes are kept as
 * fingerprints (`tokenFingerprint`), never in clear.
 */

/** One finished invocation as `GET /_local/functions/:name/invocations` lists it. */
export interface JournalInvocation {
  /** Increases across the whole journal: `after=<seq>` pages forward. */
  readonly seq: number;
  readonly requestId: string;
  readonly version: string;
  /** When it started (epoch ms). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The event as invoked (JSON text), `header.auth.token` replaced by its fingerprint. */
  readonly event: string;
  readonly outcome: InvocationRecord['outcome'];
}

/** One line the function printed, or a START / END / REPORT line of an invocation. */
export interface JournalLine {
  readonly seq: number;
  readonly at: number;
  readonly requestId?: string;
  readonly line: string;
}

export interface JournalLimits {
  /** Invocations kept per function (default 1000). */
  readonly invocations: number;
  /** Output lines kept per function (default 10 000). */
  readonly lines: number;
  /** Event and reply text kept per function, in UTF-16 units (default 16 M). */
  readonly chars: number;
  /** Functions kept; the least recently active is dropped first (default 200). */
  readonly functions: number;
}

const DEFAULT_LIMITS: JournalLimits = {
  invocations: 1000,
  lines: 10_000,
  chars: 16_000_000,
  functions: 200,
};

/** `sha256:` and the first 16 hex digits of the token's SHA-256: equal tokens, equal prints. */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** The event with the OAuth token of a service envelope (`header.auth.token`) fingerprinted. */
function redacted(event: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    return event;
  }
  const auth = (parsed as { header?: { auth?: { token?: unknown } } } | null)?.header?.auth;
  if (typeof auth?.token !== 'string') return event;
  auth.token = tokenFingerprint(auth.token);
  return JSON.stringify(parsed);
}

function charsOf(i: JournalInvocation): number {
  return i.event.length + (i.outcome.ok ? i.outcome.payload.length : 0);
}

interface FunctionEntries {
  invocations: JournalInvocation[];
  lines: JournalLine[];
  chars: number;
}

export class FunctionJournal {
  readonly #limits: JournalLimits;
  /** By function ARN; Map order is recency (an entry is moved to the end when written). */
  readonly #byArn = new Map<string, FunctionEntries>();
  #seq = 0;

  constructor(limits: Partial<JournalLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  #entries(arn: string): FunctionEntries {
    let entries = this.#byArn.get(arn);
    if (entries) {
      this.#byArn.delete(arn);
    } else {
      entries = { invocations: [], lines: [], chars: 0 };
      while (this.#byArn.size >= this.#limits.functions) {
        const oldest = this.#byArn.keys().next().value as string;
        this.#byArn.delete(oldest);
      }
    }
    this.#byArn.set(arn, entries);
    return entries;
  }

  recordInvocation(functionArn: string, record: InvocationRecord): void {
    const entries = this.#entries(functionArn);
    const item: JournalInvocation = {
      seq: ++this.#seq,
      requestId: record.requestId,
      version: record.version,
      startedAt: Date.now() - Math.round(record.durationMs),
      durationMs: record.durationMs,
      event: redacted(record.event),
      outcome: record.outcome,
    };
    entries.invocations.push(item);
    entries.chars += charsOf(item);
    while (
      entries.invocations.length > this.#limits.invocations ||
      (entries.chars > this.#limits.chars && entries.invocations.length > 1)
    ) {
      entries.chars -= charsOf(entries.invocations.shift() as JournalInvocation);
    }
  }

  recordLine(functionArn: string, line: string, requestId?: string): void {
    const entries = this.#entries(functionArn);
    entries.lines.push({
      seq: ++this.#seq,
      at: Date.now(),
      ...(requestId === undefined ? {} : { requestId }),
      line,
    });
    if (entries.lines.length > this.#limits.lines) entries.lines.shift();
  }

  /** Invocations of `functionArn` after `after` (a seq), oldest first, at most `limit`. */
  invocations(functionArn: string, after: number, limit: number): JournalInvocation[] {
    return page(this.#byArn.get(functionArn)?.invocations ?? [], after, limit);
  }

  lines(functionArn: string, after: number, limit: number): JournalLine[] {
    return page(this.#byArn.get(functionArn)?.lines ?? [], after, limit);
  }

  /** The newest seq handed out (0 before anything was recorded). */
  get seq(): number {
    return this.#seq;
  }
}

function page<T extends { seq: number }>(items: readonly T[], after: number, limit: number): T[] {
  // Items are in seq order: find the first newer one from the end (callers poll for the tail).
  let start = items.length;
  while (start > 0 && (items[start - 1] as T).seq > after) start -= 1;
  return items.slice(start, start + limit);
}
