import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseAllowedHosts } from '@c2c-kit/local-guard';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/**
 * `node:util` parseArgs in strict mode, with its errors (thrown as `TypeError` with a
 * `ERR_PARSE_ARGS_*` code) turned into a `UsageError` naming the command, so the bin prints one
 * clear line and exits 2 instead of a stack trace.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: Options,
  maxPositionals = 0,
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(command, cleanParseArgsMessage(error), { cause: error });
  }
  if (parsed.positionals.length > maxPositionals && parsed.values.help !== true) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => JSON.stringify(p));
    throw new UsageError(command, `unexpected argument ${extra.join(' ')}`);
  }
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

/** parseArgs messages carry advice for `--` that does not apply here; keep the first sentence. */
export function cleanParseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('. To specify')[0] ?? message;
  return first.replace(/^Unknown option '([^']+)'.*$/s, 'unknown option $1');
}

/** Parses `--allowed-hosts a,b:8080`: extra names the local servers answer to (docs/security.md). */
export function parseAllowedHostsFlag(
  command: string,
  raw: string | boolean | undefined,
): string[] {
  try {
    return parseAllowedHosts(typeof raw === 'string' ? raw : '');
  } catch (error) {
    throw new UsageError(command, (error as Error).message, { cause: error });
  }
}

/** Parses a TCP port flag: an integer 0–65535 (0 = any free port). */
export function parsePort(command: string, flag: string, raw: string | boolean | undefined) {
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(command, `--${flag}: expected a port number 0-65535, got "${raw}"`);
  }
  return port;
}
