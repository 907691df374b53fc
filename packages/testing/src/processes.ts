import { readdirSync, readFileSync } from 'node:fs';

// Process helpers for tests and the chaos run that kill real processes: by pid, nothing broader.
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
