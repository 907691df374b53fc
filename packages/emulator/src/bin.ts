#!/usr/bin/env node
import { join } from 'node:path';
import { type CliOptions, emulatorOptionsFromCli, HELP, parseCli } from './cli.js';
import { CREDENTIALS_FILE_NAME } from './credentials.js';
import { DataDirInUseError, NonLoopbackHostError } from './errors.js';
import { nonLoopbackWarning } from './listen.js';
import { type RunningEmulator, startEmulator } from './server.js';
import { formatRetention } from './store/retention.js';

/** Refusals the user can act on: one line, exit 2, no stack. */
function refuse(error: Error): never {
  process.stderr.write(`c2c-emulator: ${error.message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof NonLoopbackHostError) refuse(error);
    process.stderr.write(`c2c-emulator: ${(error as Error).message}\nTry --help.\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  let emu: RunningEmulator;
  try {
    emu = await startEmulator(emulatorOptionsFromCli(options));
  } catch (error) {
    if (error instanceof DataDirInUseError) refuse(error);
    throw error;
  }
  const warning = nonLoopbackWarning(options.host, options.verify);
  if (warning !== undefined) process.stderr.write(`c2c-emulator: ${warning}\n`);
  const key = emu.credentials;
  // The start banner is always printed (whatever --log-level says): tools wait for it. It names
  // the key pair so SDKs can be pointed here; a secret the user passed in is already theirs and
  // is not repeated.
  process.stdout.write(
    `${JSON.stringify({
      level: 30,
      time: Date.now(),
      msg: 'c2c-emulator listening',
      url: emu.url,
      dataDir: options.dataDir ?? ':memory:',
      verify: options.verify,
      faults: options.faults,
      retainEvents: formatRetention(options.retainEvents),
      accessKeyId: key.accessKeyId,
      secretAccessKey: options.credentials === undefined ? key.secretAccessKey : '[REDACTED]',
      accountId: key.accountId,
      ...(options.credentials === undefined && options.dataDir !== undefined
        ? { credentialsFile: join(options.dataDir, CREDENTIALS_FILE_NAME) }
        : {}),
    })}\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    emu.app.log.info({ signal }, 'shutting down');
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

// Not a top-level await: the bin runs this file bundled as CommonJS (scripts/bundle-bin.mjs).
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
