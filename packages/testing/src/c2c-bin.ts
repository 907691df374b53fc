import { fileURLToPath } from 'node:url';
import { type ProcessResult, type StartedProcess, startProcess } from './processes.js';

/** The `c2c` bin's source: run with tsx and the `source` condition, as `npx c2c` after a build. */
const BIN = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
const CLI_DIR = fileURLToPath(new URL('../../cli/', import.meta.url));
// Resolved here, not from the child's working directory, which may be any temporary directory.
const TSX = import.meta.resolve('tsx');

export type BinResult = ProcessResult;

export interface BinOptions {
  /** Written to its stdin, which is then closed (default: nothing). */
  readonly stdin?: string;
  /** Its working directory (default: packages/cli). */
  readonly cwd?: string;
  /** Killed (SIGKILL) after this long (default 20 s). */
  readonly timeoutMs?: number;
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A running `c2c`: the child (to signal it), what it printed so far, and its end. */
export type StartedBin = StartedProcess;

/**
 * Starts the real `c2c` bin in a child process on the current sources (tsx, with the `source`
 * export condition so workspace packages resolve to their sources too, like the tests do).
 */
export function startBin(args: readonly string[], options: BinOptions = {}): StartedBin {
  return startProcess(process.execPath, ['--conditions=source', '--import', TSX, BIN, ...args], {
    cwd: options.cwd ?? CLI_DIR,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    timeoutMs: options.timeoutMs ?? 20_000,
    input: options.stdin ?? '',
  });
}

/** Runs the real `c2c` bin (`startBin`) to its end. */
export function runBin(args: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  return startBin(args, options).exited;
}

/**
 * Time bounds for `c2c test` runs that must pass: the service's 2 s and 5 s are defaults a
 * connector meets with room on a quiet machine, but a test must not depend on this machine's
 * speed (CI runs many test files at once). Fixtures that break a bound use the defaults and miss
 * them by far.
 */
export const LOOSE_BOUNDS: readonly string[] = ['--ack-ms', '10000', '--event-latency-ms', '20000'];
