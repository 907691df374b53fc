import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `c2c` bin's source: run with tsx and the `source` condition, as `npx c2c` after a build. */
const BIN = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
const CLI_DIR = fileURLToPath(new URL('../../cli/', import.meta.url));
// Resolved here, not from the child's working directory, which may be any temporary directory.
const TSX = import.meta.resolve('tsx');

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

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
export interface StartedBin {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<BinResult>;
}

/**
 * Starts the real `c2c` bin in a child process on the current sources (tsx, with the `source`
 * export condition so workspace packages resolve to their sources too, like the tests do).
 */
export function startBin(args: readonly string[], options: BinOptions = {}): StartedBin {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, BIN, ...args], {
    cwd: options.cwd ?? CLI_DIR,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<BinResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end(options.stdin ?? '');
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
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
