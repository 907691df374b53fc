import { PassThrough } from 'node:stream';
import { runCli } from '@c2c-kit/cli';

// `@c2c-kit/testing/cli`, not in the index: only the tests that run c2c in-process load the CLI.

/**
 * Runs `runCli` in this process (no child, no build) with captured output: for commands whose
 * flags or in-process work a test checks many times over, and whose code the coverage run counts.
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
