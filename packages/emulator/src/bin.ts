#!/usr/bin/env node
import { type CliOptions, emulatorOptionsFromCli, HELP, parseCli } from './cli.js';
import { DEFAULT_CREDENTIALS, type EmulatorCredential } from './config.js';
import { startEmulator } from './server.js';

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`c2c-emulator: ${(error as Error).message}\nTry --help.\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const emu = await startEmulator(emulatorOptionsFromCli(options));
  const key = options.credentials[0] as EmulatorCredential;
  // The start banner is always printed (whatever --log-level says): tools wait for it.
  process.stdout.write(
    `${JSON.stringify({
      level: 30,
      time: Date.now(),
      msg: 'c2c-emulator listening',
      url: emu.url,
      dataDir: options.dataDir ?? ':memory:',
      verify: options.verify,
      faults: options.faults,
      accessKeyId: key.accessKeyId,
      // The default local pair is public by design; a custom secret is never printed.
      secretAccessKey:
        key.secretAccessKey === DEFAULT_CREDENTIALS.secretAccessKey
          ? key.secretAccessKey
          : '[REDACTED]',
      accountId: key.accountId,
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

await main();
