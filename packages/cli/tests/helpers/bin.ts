import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/index.js';

export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `c2c` bin in a child process on the current sources (tsx, with the `source`
 * export condition so workspace packages resolve to their sources too, like the tests do).
 */
export function runBin(
  args: readonly string[],
  options: { stdin?: string; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', BIN, ...args],
      {
        cwd: options.cwd ?? PACKAGE_DIR,
        env: { ...process.env, NODE_OPTIONS: '', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs `runCli` in this process (no child, no build) with captured output: for commands whose
 * flags or in-process work a test checks many times over.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await runCli(args, { stdin: new PassThrough(), stdout, stderr, ...options });
  return { code, stdout: out, stderr: err };
}
