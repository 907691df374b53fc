import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Process helpers for tests and the chaos run: spawning a child with its output collected under a
// kill timer, waiting for a line it prints, and killing real processes by pid, nothing broader.
// Imported as `@c2c-kit/testing/processes` (no vitest in it, so the chaos run can use it).

/** Pids of a process's children (Linux /proc), e.g. the Lambda host's worker processes. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const p of text.split(/\s+/)) if (p !== '') out.push(Number(p));
    } catch {
      // The task ended meanwhile.
    }
  }
  return out;
}

/** SIGKILL to `pid`; false when there is no such process (any more). */
export function sigkill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** How a child process ended and what it printed. */
export interface ProcessResult {
  /** Its exit status; null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it outlived `timeoutMs` and was killed for it. */
  readonly timedOut: boolean;
}

export interface ProcessOptions {
  /** Its working directory (default: this process's). */
  readonly cwd?: string;
  /** Its whole environment (default: this process's); callers merge `process.env` themselves. */
  readonly env?: NodeJS.ProcessEnv;
  /** SIGKILLed (the child only, not its own children) after this long. */
  readonly timeoutMs: number;
  /** Written to its stdin, which is then closed; without it, stdin is not connected at all. */
  readonly input?: string;
}

/** A running child: the process (to signal it), what it printed so far, and its end. */
export interface StartedProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Settles on 'close' (all output read); rejects only when it could not be started. */
  readonly exited: Promise<ProcessResult>;
}

/** Starts `command` with its output collected and a kill timer, the one way tests spawn. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // Decoded by the stream, so a character split across two chunks arrives whole.
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  let timedOut = false;
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  if (child.stdin !== null) {
    // A child that exits without reading its input closes the pipe: EPIPE here is not an error
    // of the run, whose end `exited` reports.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  }
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `command` (`startProcess`) to its end. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return startProcess(command, args, options).exited;
}

export interface WaitForLineOptions {
  /** Rejects after this long without a matching line; the child is left running for the caller. */
  readonly timeoutMs: number;
}

/** How much of each stream a failed wait shows. */
const TAIL_CHARS = 4000;

/**
 * Resolves with the first whole line of the child's stdout (printed so far or later) that matches:
 * the `RegExp`'s match (for its groups) or the line the predicate accepted. Rejects with the tail
 * of stdout and stderr when the child ends first or `timeoutMs` passes; it never kills the child,
 * so a caller that gives up kills it (a server test usually does in its `finally`).
 */
export function waitForLine(
  started: StartedProcess,
  match: RegExp,
  options: WaitForLineOptions,
): Promise<RegExpExecArray>;
export function waitForLine(
  started: StartedProcess,
  match: (line: string) => boolean,
  options: WaitForLineOptions,
): Promise<string>;
export function waitForLine(
  started: StartedProcess,
  match: RegExp | ((line: string) => boolean),
  options: WaitForLineOptions,
): Promise<RegExpExecArray | string> {
  const test = (line: string): RegExpExecArray | string | null => {
    if (typeof match === 'function') return match(line) ? line : null;
    match.lastIndex = 0;
    return match.exec(line);
  };
  const wanted =
    typeof match === 'function' ? 'line the predicate accepts' : `line matching ${match}`;
  const { child } = started;
  return new Promise((resolve, reject) => {
    let scanned = 0;
    let done = false;
    // Whole lines from `scanned` on; at the end of the output its unterminated last line too.
    const scan = (atEnd: boolean): boolean => {
      if (done) return true;
      const text = started.stdout();
      for (;;) {
        const nl = text.indexOf('\n', scanned);
        if (nl === -1 && !(atEnd && scanned < text.length)) return false;
        const end = nl === -1 ? text.length : nl;
        const found = test(text.slice(scanned, end).replace(/\r$/, ''));
        scanned = end + 1;
        if (found !== null) {
          settle();
          resolve(found);
          return true;
        }
      }
    };
    const onData = () => {
      scan(false);
    };
    const timer = setTimeout(() => {
      settle();
      reject(
        failure(started, `no ${wanted} on stdout within ${options.timeoutMs} ms; still running`),
      );
    }, options.timeoutMs);
    const settle = () => {
      done = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
    };
    // Registered after startProcess's own listener, so `started.stdout()` already holds the chunk.
    child.stdout?.on('data', onData);
    started.exited.then(
      (result) => {
        if (scan(true)) return;
        settle();
        const how = result.signal === null ? `with status ${result.code}` : `on ${result.signal}`;
        reject(failure(started, `exited ${how} before printing a ${wanted}`));
      },
      (error: unknown) => {
        if (done) return;
        settle();
        reject(error);
      },
    );
    scan(false);
  });
}

function failure(started: StartedProcess, what: string): Error {
  const tail = (name: string, text: string) =>
    text === ''
      ? `${name}: (nothing)`
      : `${name}${text.length > TAIL_CHARS ? ` (last ${TAIL_CHARS} characters)` : ''}:\n${text.slice(-TAIL_CHARS)}`;
  const command = started.child.spawnargs.join(' ');
  return new Error(
    `${command} (pid ${started.child.pid}): ${what}\n${tail('stdout', started.stdout())}\n${tail('stderr', started.stderr())}`,
  );
}
