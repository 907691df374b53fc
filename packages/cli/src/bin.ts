#!/usr/bin/env node
import { runCli } from './main.js';

// SIGINT/SIGTERM become a promise the long-running commands await, so they can close servers and
// the database before exiting instead of being killed mid-write.
const stopSignal = new Promise<string>((resolve) => {
  const onSignal = (signal: string) => resolve(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
});

// The AWS SDK warns on every start that future versions need Node 22; c2c supports Node 20.19+
// and that notice would bury the status block. Every other warning is still printed.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!/NodeVersionSupportWarning/.test(`${warning.name} ${warning.message}`))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  stopSignal,
});
process.exitCode = code;
// Long-running commands have closed their servers by now; stdin may still hold the loop open.
process.stdin.unref?.();
setImmediate(() => process.exit(code)).unref();
