import type { FunctionObserver, InvocationRecord } from '@c2c-kit/emulator';

/**
 * The connector's log in the `c2c dev` terminal. Each Lambda invocation — a service operation, a
 * webhook on the Function URL, a batch from the work queue or the outbox — becomes one line with
 * its level, what it was, its outcome, duration and request id; the lines the connector printed
 * during it follow, indented. Secrets the stack knows are masked in everything printed.
 *
 *   12:01:02.345 INFO  AWS.DiscoverDevices         200 Device discovery started.  (12 ms, req 3f2a9c1e)
 *       info  work enqueued  deviceDiscoveryId=…
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface ConnectorLogOptions {
  /** Where finished lines go (the terminal). */
  readonly write: (line: string) => void;
  /** Lower levels are not shown (default `info`). */
  readonly level?: LogLevel;
  /** Raw lines: the connector's own JSON lines as printed, one JSON object per invocation. */
  readonly json?: boolean;
  /** Values never printed (webhook secret, client secrets); masked as `[REDACTED]`. */
  readonly secrets?: readonly string[];
}

interface Line {
  readonly level: LogLevel;
  readonly text: string;
  /** Plain text: the rest of a multi-line message, at the level of the line before. */
  readonly continues?: boolean;
}

/** The connector's log view; hand `observer` to the emulator (`functions`), `flush()` at the end. */
export class ConnectorLog {
  readonly #options: ConnectorLogOptions;
  readonly #min: number;
  readonly #pending = new Map<string, string[]>();
  readonly #secrets: string[] = [];
  /** Lines held back while the stack starts (printed after its status, or with its failure). */
  #held: string[] | undefined = [];

  constructor(options: ConnectorLogOptions) {
    this.#options = options;
    this.#min = RANK[options.level ?? 'info'];
    this.addSecrets(options.secrets ?? []);
  }

  /** More values to mask (known once the stack runs: the generated webhook secret, …). */
  addSecrets(values: readonly string[]): void {
    // Very short values would mask innocent text; real secrets are longer.
    for (const v of values) if (v.length >= 8 && !this.#secrets.includes(v)) this.#secrets.push(v);
  }

  /** Prints what was held back during start, and from now on every line as it comes. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const line of held) this.#options.write(line);
  }

  #write(line: string): void {
    const masked = this.#mask(line);
    if (this.#held) this.#held.push(masked);
    else this.#options.write(masked);
  }

  readonly observer: FunctionObserver = {
    onLog: (_fn, line, requestId) => this.#onLine(line, requestId),
    onInvocation: (record) => this.#onInvocation(record),
  };

  /** Prints what is still buffered (invocations cut short by a stop). */
  flush(): void {
    for (const [requestId, lines] of this.#pending) {
      this.#emit('info', `(unfinished invocation, req ${requestId.slice(0, 8)})`, lines);
    }
    this.#pending.clear();
  }

  #mask(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.replaceAll(secret, '[REDACTED]');
    return out;
  }

  #onLine(line: string, requestId: string | undefined): void {
    // Lambda's own framing; the invocation line says the same, better.
    if (/^(START|END|REPORT) RequestId: /.test(line)) return;
    if (this.#options.json) {
      this.#write(line);
      return;
    }
    if (requestId === undefined) {
      const parsed = connectorLine(line);
      if (RANK[parsed.level] >= this.#min) this.#write(`    ${parsed.text}`);
      return;
    }
    const lines = this.#pending.get(requestId) ?? [];
    if (lines.length < 500) lines.push(line);
    this.#pending.set(requestId, lines);
  }

  #onInvocation(record: InvocationRecord): void {
    const lines = this.#pending.get(record.requestId) ?? [];
    this.#pending.delete(record.requestId);
    const summary = summarise(record);
    if (this.#options.json) {
      const entry = {
        time: new Date().toISOString(),
        type: 'invocation',
        level: summary.level,
        function: record.functionName,
        requestId: record.requestId,
        operation: summary.what,
        outcome: summary.outcome,
        durationMs: Math.round(record.durationMs),
      };
      if (RANK[summary.level] >= this.#min) this.#write(JSON.stringify(entry));
      return;
    }
    const header = `${summary.what.padEnd(27)} ${summary.outcome}  (${Math.round(record.durationMs)} ms, req ${record.requestId.slice(0, 8)})`;
    this.#emit(summary.level, header, lines, summary.detail);
  }

  #emit(level: LogLevel, header: string, raw: readonly string[], detail: string[] = []): void {
    let previous: LogLevel = 'info';
    const lines = raw.map((text) => {
      const line = connectorLine(text);
      previous = line.continues ? previous : line.level;
      return { ...line, level: previous };
    });
    const worst = lines.reduce((w, l) => (RANK[l.level] > RANK[w] ? l.level : w), level);
    if (RANK[worst] < this.#min) return;
    const time = new Date().toISOString().slice(11, 23);
    this.#write(`${time} ${level.toUpperCase().padEnd(5)} ${header}`);
    for (const d of detail) this.#write(`      ${d}`);
    for (const l of lines) {
      if (RANK[l.level] >= this.#min) this.#write(`    ${l.text}`);
    }
  }
}

interface Summary {
  readonly level: LogLevel;
  readonly what: string;
  readonly outcome: string;
  readonly detail?: string[];
}

type Json = Record<string, unknown>;

function parse(text: string): Json | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function levelOfStatus(status: number): LogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** What an invocation was (from its event) and how it ended (from its result). */
export function summarise(record: InvocationRecord): Summary {
  const event = parse(record.event) ?? {};
  const what = describeEvent(event);
  if (!record.outcome.ok) {
    const { errorType, errorMessage, trace } = record.outcome.error;
    // Where it was thrown (the first frames), not the runtime's own.
    const frames = (trace ?? []).slice(1, 4).map((f) => f.trim());
    return { level: 'error', what, outcome: `${errorType}: ${errorMessage}`, detail: frames };
  }
  const result = parse(record.outcome.payload) ?? {};
  const header = result.header as { responseCode?: number } | undefined;
  if (typeof header?.responseCode === 'number') {
    const message = (result.payload as { responseMessage?: string } | undefined)?.responseMessage;
    return {
      level: levelOfStatus(header.responseCode),
      what,
      outcome: `${header.responseCode} ${message ?? ''}`.trim(),
    };
  }
  if (typeof result.statusCode === 'number') {
    const body = typeof result.body === 'string' ? (parse(result.body) ?? {}) : {};
    const said = body.error ?? body.status ?? '';
    const events = typeof body.events === 'number' ? ` (${body.events} event(s))` : '';
    return {
      level: levelOfStatus(result.statusCode),
      what,
      outcome: `${result.statusCode} ${String(said)}${events}`.trim(),
    };
  }
  if (Array.isArray(result.batchItemFailures)) {
    const failed = result.batchItemFailures.length;
    const total = Array.isArray(event.Records) ? event.Records.length : failed;
    return {
      level: failed > 0 ? 'warn' : 'info',
      what,
      outcome: failed > 0 ? `${failed} of ${total} failed; SQS redelivers them` : 'done',
    };
  }
  return { level: 'info', what, outcome: 'done' };
}

function describeEvent(event: Json): string {
  const payload = event.payload as Json | undefined;
  if (typeof payload?.operationName === 'string') {
    const device =
      typeof payload.connectorDeviceId === 'string' ? ` ${payload.connectorDeviceId}` : '';
    return `${payload.operationName}${device}`;
  }
  const http = (event.requestContext as { http?: { method?: string } } | undefined)?.http;
  if (http?.method) return `webhook ${http.method} ${String(event.rawPath ?? '/')}`;
  if (Array.isArray(event.Records)) {
    const records = event.Records as Array<{ eventSourceARN?: string; body?: string }>;
    const queue =
      String(records[0]?.eventSourceARN ?? '')
        .split(':')
        .pop() || 'queue';
    const kinds = [
      ...new Set(
        records.map((r) => parse(r.body ?? '')?.kind).filter((k) => typeof k === 'string'),
      ),
    ];
    const of = kinds.length > 0 ? ` (${kinds.join(', ')})` : '';
    return `${queue.endsWith('.fifo') ? 'outbox' : 'work'}: ${records.length} item${records.length === 1 ? '' : 's'}${of}`;
  }
  return 'invoke';
}

/** Fields shown after a connector line's message (the rest is noise in a terminal). */
const HIDDEN = new Set(['time', 'level', 'message', 'msg', 'requestId', 'connectorId']);

/** One line the connector printed: its JSON log line, a console line, or plain text. */
export function connectorLine(line: string): Line {
  const json = parse(line);
  if (json && typeof json.message === 'string') {
    const level = (LOG_LEVELS as readonly string[]).includes(String(json.level))
      ? (json.level as LogLevel)
      : 'info';
    const fields = Object.entries(json)
      .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`);
    return { level, text: `${level.padEnd(5)} ${json.message}  ${fields.join(' ')}`.trimEnd() };
  }
  // console.log through the Lambda runtime: time, request id, LEVEL, message.
  const cells = line.split('\t');
  if (cells.length >= 4 && /^(INFO|DEBUG|WARN|ERROR|TRACE)$/.test(cells[2] ?? '')) {
    const message = cells.slice(3).join('\t');
    // Node's own warnings go through console.error; they are warnings.
    const level: LogLevel = /^\(node:\d+\) \w*Warning/.test(message)
      ? 'warn'
      : (({ TRACE: 'debug' } as Record<string, LogLevel>)[cells[2] as string] ??
        ((cells[2] as string).toLowerCase() as LogLevel));
    return { level, text: `${level.padEnd(5)} ${message}` };
  }
  return { level: 'info', text: `      ${line}`, continues: true };
}

/** An error with its cause chain; anything else as compact JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string')
    return /^[\w.:/@,+-]*$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'message' in value) {
    const parts: string[] = [];
    let current: unknown = value;
    for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
      const e = current as { name?: string; message?: string; code?: string; cause?: unknown };
      parts.push(`${e.name ?? 'Error'}: ${e.message ?? ''}${e.code ? ` (${e.code})` : ''}`);
      current = e.cause;
    }
    return JSON.stringify(parts.join(' ← caused by '));
  }
  return JSON.stringify(value);
}
