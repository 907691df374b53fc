import { join, resolve } from 'node:path';
import {
  CREDENTIALS_FILE_NAME,
  DataDirInUseError,
  EMULATOR_FLAGS_HELP,
  EmulatorConfigError,
  emulatorOptionsFromCli,
  NonLoopbackHostError,
  nonLoopbackWarning,
  parseEmulatorCli,
  type RunningEmulator,
  startEmulator,
} from '@c2c-kit/emulator';
import { cleanParseArgsMessage } from '../args.js';
import { StartRefusedError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const EMULATOR_HELP = `Usage: c2c emulator [options]

Runs the managed-integrations emulator alone (also serving the Lambda, SQS and Secrets Manager
subsets a connector uses). Point an SDK at it with AWS_ENDPOINT_URL.

Options (the emulator package's own c2c-emulator bin takes the same):
${EMULATOR_FLAGS_HELP}

Defaults here: --data-dir .c2c/emulator (relative to the current directory), no request log.`;

export async function runEmulator(argv: readonly string[], io: CliIo): Promise<number> {
  let options: ReturnType<typeof parseEmulatorCli>;
  try {
    options = parseEmulatorCli(argv, {
      dataDir: resolve(io.cwd, '.c2c/emulator'),
      logLevel: undefined,
    });
  } catch (error) {
    if (error instanceof NonLoopbackHostError) {
      throw new StartRefusedError(error.message, { cause: error });
    }
    if (error instanceof EmulatorConfigError) {
      throw new UsageError('emulator', cleanParseArgsMessage(error.message), { cause: error });
    }
    throw error;
  }
  if (options === 'help') {
    writeLine(io.stdout, EMULATOR_HELP);
    return 0;
  }
  // A relative --data-dir is relative to where c2c was started.
  if (options.dataDir !== undefined) options.dataDir = resolve(io.cwd, options.dataDir);
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator(emulatorOptionsFromCli(options));
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      throw new StartRefusedError(error.message, { cause: error });
    }
    throw error;
  }
  const warning = nonLoopbackWarning(options.host, options.verify);
  if (warning !== undefined) writeLine(io.stderr, `c2c emulator: ${warning}`);
  const key = emulator.credentials;
  // The key pair is printed so SDKs can be pointed here; a secret passed in is not repeated.
  const secret = options.credentials === undefined ? key.secretAccessKey : '(as given)';
  writeLine(io.stdout, `emulator listening on ${emulator.url}`);
  writeLine(io.stdout, `  AWS_ENDPOINT_URL=${emulator.url}`);
  writeLine(io.stdout, `  AWS_ACCESS_KEY_ID=${key.accessKeyId} (account ${key.accountId})`);
  writeLine(io.stdout, `  AWS_SECRET_ACCESS_KEY=${secret}`);
  if (options.credentials === undefined && options.dataDir !== undefined) {
    writeLine(io.stdout, `  key pair kept in ${join(options.dataDir, CREDENTIALS_FILE_NAME)}`);
  }
  writeLine(io.stdout, `  SigV4 verification ${options.verify ? 'on' : 'OFF'}`);
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  writeLine(io.stdout, `${signal}: stopping…`);
  await emulator.close();
  return 0;
}
