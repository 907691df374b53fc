import { hashId } from '../util/sha256.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Correlation ids carried on every line of one unit of work. */
export interface LogContext {
  readonly traceId?: string;
  readonly deviceDiscoveryId?: string;
  readonly connectorDeviceId?: string;
  /** Raw user id: it is hashed before it is written. */
  readonly userId?: string;
  readonly webhookId?: string;
  readonly connectorId?: string;
  readonly operation?: string;
  readonly requestId?: string;
  /**
   * Known secret values of this unit of work (the invocation's access token, a GA secret): any
   * occurrence in a line — even inside a message a vendor library wrote — is masked. Not logged.
   */
  readonly redactValues?: readonly string[];
  readonly [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `context` too. */
  child(context: LogContext): Logger;
}

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go; default `process.stdout.write` (CloudWatch picks up stdout). */
  readonly sink?: (line: string) => void;
  readonly now?: () => number;
}

// Key names whose values are credentials. Matched case-insensitively anywhere in the key.
const SECRET_KEY = /token|secret|password|authorization|signature|credential|api[-_]?key|cookie/i;
const REDACTED = '[REDACTED]';

/** Deep copy with secrets replaced and user ids hashed; cycles and depth bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    // The cause too (redacted the same way): "failed" alone does not say why.
    const cause = value.cause === undefined ? undefined : redact(value.cause, depth + 1, seen);
    return {
      name: value.name,
      message: value.message,
      code: (value as { code?: unknown }).code,
      ...(cause === undefined ? {} : { cause }),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && !/^(traceId|tokenType|signatureScheme)$/i.test(key)) {
      out[key] = v === undefined ? undefined : REDACTED;
    } else if (/^userid$/i.test(key) && typeof v === 'string') {
      out.userIdHash = hashId(v);
    } else {
      out[key] = redact(v, depth + 1, seen);
    }
  }
  return out;
}

/**
 * Structured JSON logger: one line per entry, correlation ids merged in, tokens/secrets/
 * signatures redacted by key name and user ids hashed — so a connector author cannot leak
 * them by logging a whole request.
 */
export function createJsonLogger(
  options: JsonLoggerOptions = {},
  context: LogContext = {},
): Logger {
  const min = LEVELS[options.level ?? (process.env.C2C_LOG_LEVEL as LogLevel) ?? 'info'] ?? 20;
  const sink = options.sink ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  const { redactValues, ...rest } = context;
  const base = redact(rest) as Record<string, unknown>;
  // Very short values would mask innocent text; real tokens and secrets are longer.
  const masks = (redactValues ?? []).filter((v) => typeof v === 'string' && v.length >= 8);
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const extra = fields ? (redact(fields) as Record<string, unknown>) : undefined;
    let line = JSON.stringify({
      time: new Date(now()).toISOString(),
      level,
      message,
      ...base,
      ...extra,
    });
    for (const secret of masks) {
      line = line
        .replaceAll(secret, REDACTED)
        .replaceAll(JSON.stringify(secret).slice(1, -1), REDACTED);
    }
    sink(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (ctx) =>
      createJsonLogger(options, {
        ...context,
        ...ctx,
        redactValues: [...(context.redactValues ?? []), ...(ctx.redactValues ?? [])],
      }),
  };
}

/** Discards everything (benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
