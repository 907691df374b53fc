import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * Starts `c2c-emulator` as a child process (from source, via tsx; or the JavaScript file `entry`,
 * e.g. a bundle); resolves once it listens.
 */
export async function spawnEmulator(
  args: string[],
  entry?: string,
): Promise<{ child: ChildProcess; url: string; logs: string[] }> {
  const program = entry === undefined ? ['--conditions=source', '--import', 'tsx', BIN] : [entry];
  const child = spawn(process.execPath, [...program, '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave an orphan process behind when start-up fails.
      child.kill('SIGKILL');
      reject(new Error(`emulator did not start:\n${logs.join('\n')}`));
    }, 30_000);
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'c2c-emulator listening' && entry.url !== undefined) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not JSON
        }
        nl = buffer.indexOf('\n');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return { child, url, logs };
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
