import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Process helpers for tests and the chaos run: spawning a child with its output collected under a
// kill timer, and killing real processes by pid, nothing broader.
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
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
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
