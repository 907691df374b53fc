import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startProcess, waitForLine } from '@c2c-kit/testing/processes';
import type { FaultConfig } from '../../src/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** The JSON start banner `c2c-emulator` prints on stdout once it listens (src/bin.ts). */
export interface EmulatorBanner {
  readonly level: number;
  readonly time: number;
  readonly msg: 'c2c-emulator listening';
  readonly url: string;
  /** The data dir, or `:memory:`. */
  readonly dataDir: string;
  readonly verify: boolean;
  readonly faults: FaultConfig;
  /** As `--retain-events` spells it: `off`, a count, or an age such as `7d`. */
  readonly retainEvents: string;
  readonly accessKeyId: string;
  /** `[REDACTED]` when the user passed the key pair in. */
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** Where a generated key pair is kept, with a data dir only. */
  readonly credentialsFile?: string;
}

/** A started `c2c-emulator`: the child (to signal it), its URL, and its output so far as lines. */
export interface SpawnedEmulator {
  readonly child: ChildProcess;
  readonly url: string;
  /** Its start banner, parsed. */
  readonly banner: EmulatorBanner;
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
  let banner: EmulatorBanner;
  try {
    const line = await waitForLine(started, (l) => parseBanner(l) !== undefined, {
      timeoutMs: 30_000,
    });
    banner = parseBanner(line) as EmulatorBanner;
  } catch (error) {
    // Never leave an orphan process behind when start-up fails.
    started.child.kill('SIGKILL');
    throw error;
  }
  return {
    child: started.child,
    url: banner.url,
    banner,
    get logs() {
      return [...lines(started.stdout()), ...lines(started.stderr())];
    },
  };
}

/** The emulator's JSON start banner, when `line` is that banner. */
function parseBanner(line: string): EmulatorBanner | undefined {
  try {
    const entry = JSON.parse(line) as Partial<EmulatorBanner> | null;
    return entry?.msg === 'c2c-emulator listening' && typeof entry.url === 'string'
      ? (entry as EmulatorBanner)
      : undefined;
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
