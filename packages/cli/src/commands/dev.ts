import { resolve } from 'node:path';
import { DataDirInUseError } from '@c2c-kit/emulator';
import { parseAllowedHostsFlag, parseCommandArgs, parsePort } from '../args.js';
import { runDemo } from '../dev/demo.js';
import { type DevStack, startDevStack } from '../dev/stack.js';
import { StartRefusedError, StepFailedError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const DEV_HELP = `Usage: c2c dev [options]

Starts the local stack: the managed-integrations emulator, the simulated Acme vendor cloud, the
reference connector (examples/acme-connector, run in the emulator's Lambda host behind its Function
URL and SQS work queue) and the customer dashboard. Registers the connector, its OAuth destination
and the customer's notification configuration, then prints where everything is.

Options:
  --demo                  run the seed workflow unattended, narrate it, stop, exit 0 when every
                          step succeeded (non-zero naming the failed step otherwise)
  --data-dir <dir>        state directory, reused on the next start (default: .c2c)
  --memory                keep all state in memory (nothing written to disk)
  --port <n>              emulator port (default 4566; 0 = any free port)
  --vendor-port <n>       vendor cloud port (default 4567)
  --dashboard-port <n>    dashboard port (default 4568)
  --allowed-hosts <a,b>   other names the three servers answer to in Host (a container or LAN
                          host name, name:port); see docs/security.md
  --connector <file>      connector handler module (default examples/acme-connector/dist/index.js)
  -h, --help              show this help

Ctrl-C stops everything cleanly.

Example:
  $ c2c dev --demo`;

/** `c2c dev`: returns the exit status. */
export async function runDev(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('dev', argv, {
    demo: { type: 'boolean' },
    'data-dir': { type: 'string' },
    memory: { type: 'boolean' },
    port: { type: 'string' },
    'vendor-port': { type: 'string' },
    'dashboard-port': { type: 'string' },
    'allowed-hosts': { type: 'string' },
    connector: { type: 'string' },
  });
  if (args.values.help === true) {
    writeLine(io.stdout, DEV_HELP);
    return 0;
  }
  const demo = args.values.demo === true;
  const memory = args.values.memory === true;
  const dataDirFlag = args.values['data-dir'];
  if (memory && typeof dataDirFlag === 'string') {
    throw new StepFailedError('options', 'give either --data-dir or --memory, not both');
  }
  const dataDir = memory
    ? undefined
    : resolve(io.cwd, typeof dataDirFlag === 'string' ? dataDirFlag : '.c2c');
  const connector = args.values.connector;
  const allowedHosts = parseAllowedHostsFlag('dev', args.values['allowed-hosts']);
  const out = (line = '') => writeLine(io.stdout, line);

  out(demo ? 'c2c dev --demo: starting the local stack' : 'c2c dev: starting the local stack');
  const started = Date.now();
  let stack: DevStack;
  try {
    stack = await startDevStack({
      ...(dataDir === undefined ? {} : { dataDir }),
      emulatorPort: parsePort('dev', 'port', args.values.port) ?? 4566,
      vendorPort: parsePort('dev', 'vendor-port', args.values['vendor-port']) ?? 4567,
      dashboardPort: parsePort('dev', 'dashboard-port', args.values['dashboard-port']) ?? 4568,
      allowedHosts,
      ...(typeof connector === 'string' ? { connectorModule: resolve(io.cwd, connector) } : {}),
      progress: ({ step, state, detail }) => {
        if (state === 'done') out(`  ✓ ${step.padEnd(22)} ${detail ?? ''}`.trimEnd());
      },
    });
  } catch (error) {
    // Another process on this data dir: one line, exit 2, like c2c-emulator.
    if (error instanceof StepFailedError && error.cause instanceof DataDirInUseError) {
      throw new StartRefusedError(error.cause.message, { cause: error.cause });
    }
    if (error instanceof StepFailedError) {
      writeLine(io.stderr, `  ✗ ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
  printStatus(io, stack, dataDir, Date.now() - started);

  if (demo) {
    out('');
    out('Demo: the seed workflow, step by step');
    try {
      await runDemo(stack, {
        step: (name, text) => out(`\n▶ ${name}: ${text}`),
        ok: (_name, text) => out(`  ✓ ${text}`),
        detail: (text) => out(`    · ${text}`),
      });
      out('');
      out('Demo complete: every step succeeded.');
      return 0;
    } catch (error) {
      const step = error instanceof StepFailedError ? error.step : 'demo';
      writeLine(io.stderr, `\n✗ demo failed at step "${step}": ${(error as Error).message}`);
      return 1;
    } finally {
      await stack.close();
    }
  }

  out('');
  out('Running. Press Ctrl-C to stop.');
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  out(`\n${signal}: stopping…`);
  await stack.close();
  out('stopped.');
  return 0;
}

function printStatus(io: CliIo, stack: DevStack, dataDir: string | undefined, ms: number): void {
  const out = (line = '') => writeLine(io.stdout, line);
  const users = stack.demoUsers.map((u) => `${u.username} / ${u.password}`).join(', ');
  out('');
  out(`c2c dev is up (${ms} ms)`);
  out(`  Dashboard        ${stack.dashboardUrl}`);
  out(`  Emulator         ${stack.emulatorUrl}`);
  // The emulator's key pair, generated for this data dir (or this start with --memory): printed
  // so the developer can point an SDK or the AWS CLI at it; it opens nothing but this emulator.
  const key = stack.customer.credentials;
  out(
    `  Credentials      AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}`,
  );
  out(
    `                   AWS_ENDPOINT_URL=${stack.emulatorUrl} AWS_REGION=${stack.region} (account ${stack.customer.accountId})`,
  );
  out(`  Vendor cloud     ${stack.vendorCloudUrl}   (demo users: ${users})`);
  out(`  Connector        ${stack.functionArn}`);
  out(`                   Function URL ${stack.functionUrl}`);
  out(`  Connector id     ${stack.connectorId}   destination ${stack.connectorDestinationId}`);
  out(`  Notifications    ${stack.notificationStreamUrl}`);
  // Where an event the service still refuses after retries waits (retried by the connector),
  // where one that failed for good goes, and how to re-send that (with the Credentials line's
  // environment).
  out(`  Outbox           ${stack.outboxQueueUrl}   (retried by the connector)`);
  out(`  Dead letters     ${stack.deadLetterQueueUrl}`);
  out(`                   replay: c2c replay --queue-url ${stack.deadLetterQueueUrl}`);
  out(`  Data             ${dataDir ?? 'in memory'}`);
}
