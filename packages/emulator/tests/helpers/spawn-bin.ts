import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startProcess, waitForLine } from '@c2c-kit/testing/processes';

const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** A started `c2c-emulator`: the child (to signal it), its URL, and its output so far as lines. */
export interface SpawnedEmulator {
  readonly child: ChildProcess;
  readonly url: string;
  /** Read when needed: each read is what it printed up to then (stdout, then stderr). */
  readonly logs: string[];
}

/**
 * Starts `c2c-emulator` as a child process (from source, via tsx; or the JavaScript file `entry`,
 * e.g. a bundle); resolves once it logs that it listens.
 */
export async function spawnEmulator(args: string[], entry?: string): Promise<SpawnedEmulator> {
  const program = entry === undefined ? ['--conditions=source', '--import', 'tsx', BIN] : [entry];
  const started = startProcess(process.execPath, [...program, '--port', '0', ...args], {
    cwd: ROOT,
    // Only a backstop against a test that hangs: each test stops its emulator itself.
    timeoutMs: 600_000,
  });
  let url: string;
  try {
    const banner = await waitForLine(started, (line) => listeningUrl(line) !== undefined, {
      timeoutMs: 30_000,
    });
    url = listeningUrl(banner) as string;
  } catch (error) {
    // Never leave an orphan process behind when start-up fails.
    started.child.kill('SIGKILL');
    throw error;
  }
  return {
    child: started.child,
    url,
    get logs() {
      return [...lines(started.stdout()), ...lines(started.stderr())];
    },
  };
}

/** The URL of the emulator's JSON start banner, when `line` is that banner. */
function listeningUrl(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    return entry.msg === 'c2c-emulator listening' ? entry.url : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/** Whole lines, without the empty one after a final newline. */
function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
