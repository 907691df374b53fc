import { CliError, UsageError } from './errors.js';
import { type CliIo, writeLine } from './io.js';

export const MAIN_HELP = `Usage: c2c <command> [options]

Build, run and test cloud-to-cloud connectors for Managed integrations for AWS IoT Device Management.

Commands:
  validate <file|->   validate a SendConnectorEvent body or a connector invoke envelope
  init <dir>          write a new connector project (handler, vendor client, tests, bundle)
  dev                 run the local stack (emulator, vendor cloud, a connector, dashboard)
  test                check a connector against the service's contract, as AWS would
  replay              re-send the events a connector parked in its outbox / dead-letter
  deploy              deploy the connector to AWS, into the emulator (--local) or --synth-only
  emulator            run only the managed-integrations emulator
  vendor-cloud        run only the simulated vendor device cloud

Run "c2c <command> --help" for a command's options.`;

type CommandRunner = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * Commands are imported lazily so `c2c validate` does not load the servers of `c2c dev`: the
 * validator's start-up time is what a pre-commit hook or CI step pays on every call.
 */
const COMMANDS: Record<string, () => Promise<CommandRunner>> = {
  validate: async () => (await import('./commands/validate.js')).runValidate,
  init: async () => (await import('./commands/init.js')).runInit,
  dev: async () => (await import('./commands/dev.js')).runDev,
  test: async () => (await import('./commands/test.js')).runTest,
  replay: async () => (await import('./commands/replay.js')).runReplay,
  deploy: async () => (await import('./commands/deploy.js')).runDeploy,
  emulator: async () => (await import('./commands/emulator.js')).runEmulator,
  'vendor-cloud': async () => (await import('./commands/vendor-cloud.js')).runVendorCloud,
};

/** Runs the `c2c` command line; returns the exit status and never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      writeLine(io.stdout, MAIN_HELP);
      return name === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) {
      throw new UsageError(
        '',
        `unknown command "${name}" (expected one of: ${Object.keys(COMMANDS).join(', ')})`,
      );
    }
    const run = await load();
    return await run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    const helpFor = error.command === '' ? 'c2c --help' : `c2c ${error.command} --help`;
    const prefix = error.command === '' ? 'c2c' : `c2c ${error.command}`;
    writeLine(io.stderr, `${prefix}: ${error.message}`);
    writeLine(io.stderr, `Run "${helpFor}" for usage.`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    writeLine(io.stderr, `c2c: ${error.message}`);
    return error.exitCode;
  }
  // An unexpected failure is our bug: say so in one line, keep the stack for C2C_DEBUG=1.
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `c2c: internal error: ${message}`);
  if (io.env.C2C_DEBUG === '1' && error instanceof Error && error.stack) {
    writeLine(io.stderr, error.stack);
  }
  return 1;
}
