import { resolve, sep } from 'node:path';
import { DataDirInUseError } from '@c2c-kit/emulator';
import { parseAllowedHostsFlag, parseCommandArgs, parsePort } from '../args.js';
import {
  CONNECTOR_OPTIONS,
  connectorFlags,
  DEFAULT_CONNECTOR_DIR,
  resolveConnectorSetup,
} from '../dev/connectorConfig.js';
import { runConnectorDemo } from '../dev/connectorDemo.js';
import { runDemo } from '../dev/demo.js';
import { ConnectorLog, LOG_LEVELS, type LogLevel } from '../dev/logs.js';
import { type DevStack, startDevStack } from '../dev/stack.js';
import { StartRefusedError, StepFailedError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const DEV_HELP = `Usage: c2c dev [options]

Starts the local stack: the managed-integrations emulator, the simulated Acme vendor cloud, a
connector (yours with --connector; the reference examples/acme-connector by default), run in the
emulator's Lambda host behind its Function URL and SQS work queue, and the customer dashboard.
Registers the connector, its OAuth destination and the customer's notification configuration,
prints where everything is, then the connector's log: each invocation, webhook and queued work
item with its outcome, and the connector's own lines under it.

Options:
  --demo                  play a demo unattended, narrate it, stop, exit 0 when every step
                          succeeded (non-zero naming the failed step otherwise): the seed
                          workflow with the reference connector; with another, link, discover,
                          a command per discovered device kind and one device event
  --data-dir <dir>        state directory, reused on the next start (default: .c2c)
  --memory                keep all state in memory (nothing written to disk)
  --port <n>              emulator port (default 4566; 0 = any free port)
  --vendor-port <n>       vendor cloud port (default 4567)
  --dashboard-port <n>    dashboard port (default 4568)
  --allowed-hosts <a,b>   other names the three servers answer to in Host (a container or LAN
                          host name, name:port); see docs/security.md
  --connector <path>      a connector project directory ("c2c" in its package.json, as c2c init
                          writes it), a built .js/.mjs module, or a .ts module (bundled at start)
  --function-name <name>  its Lambda function name (default: from package.json, else the file name)
  --env <NAME=value>      a variable for the connector (repeatable); values may use
                          {{vendorCloudUrl}}, {{webhookSecret}}, {{oauthClientId}}, {{oauthClientSecret}}
  --env-file <file>       variables from a NAME=value file (--env wins)
  --webhook-secret-env <NAME>  the variable the connector reads its webhook secret from; set to
                          the vendor cloud's (generated) secret unless you give one
  --vendor-url-env <NAME> the variable that gets the simulated vendor cloud's URL
  --log-level <level>     connector log: debug, info (default), warn or error
  --json                  connector log as raw JSON lines
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
    ...CONNECTOR_OPTIONS,
    'log-level': { type: 'string' },
    json: { type: 'boolean' },
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
  const text = (name: string) => {
    const v = args.values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const setup = resolveConnectorSetup(connectorFlags(args.values), io.cwd);
  const level = text('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError('dev', `--log-level: expected ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  // The connector logs at the level shown, unless its variables say otherwise.
  const connector = {
    ...setup,
    environment: { C2C_LOG_LEVEL: { value: level, from: '--log-level' }, ...setup.environment },
  };
  const log = new ConnectorLog({
    write: (line) => writeLine(io.stdout, line),
    level: level as LogLevel,
    json: args.values.json === true,
  });
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
      connector,
      functions: log.observer,
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
      // What the connector printed while it was checked says why it failed.
      log.flush();
      log.release();
      writeLine(io.stderr, `  ✗ ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
  printStatus(io, stack, dataDir, Date.now() - started);
  log.addSecrets(secretValues(stack));
  out('');
  out(`Connector log (--log-level ${level}${args.values.json === true ? ', --json' : ''}):`);
  log.release();

  if (demo) {
    out('');
    out('Demo: step by step');
    try {
      const narrator = {
        step: (name: string, text: string) => out(`\n▶ ${name}: ${text}`),
        ok: (_name: string, text: string) => out(`  ✓ ${text}`),
        detail: (text: string) => out(`    · ${text}`),
      };
      // The reference connector plays the seed workflow; any other connector the generic one.
      if (stack.connector.handler.startsWith(`${DEFAULT_CONNECTOR_DIR}${sep}`)) {
        await runDemo(stack, narrator);
      } else {
        await runConnectorDemo(stack, narrator);
      }
      out('');
      out('Demo complete: every step succeeded.');
      return 0;
    } catch (error) {
      const step = error instanceof StepFailedError ? error.step : 'demo';
      writeLine(io.stderr, `\n✗ demo failed at step "${step}": ${(error as Error).message}`);
      return 1;
    } finally {
      await stack.close();
      log.flush();
    }
  }

  out('');
  out('Running. Press Ctrl-C to stop.');
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  out(`\n${signal}: stopping…`);
  await stack.close();
  log.flush();
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
  out(`  Connector        ${stack.connector.functionName} (${stack.connector.source})`);
  out(`                   ${stack.functionArn}`);
  out(`                   Function URL ${stack.functionUrl}`);
  // Each variable the connector was given, once: secrets by where they are, never their value.
  const setup = stack.connector;
  const names = [
    ...(setup.vendorUrlEnv ? [setup.vendorUrlEnv] : []),
    setup.webhookSecretEnv,
    ...Object.keys(setup.environment),
  ];
  [...new Set(names)].forEach((name, i) => {
    const value = stack.connectorEnvironment[name] ?? '';
    const from = setup.environment[name]?.from;
    let shown: string;
    if (name === setup.webhookSecretEnv) {
      shown = `(webhook secret, ${stack.webhookSecretSource})`;
    } else if (SECRET_NAME.test(name)) {
      shown = `(secret${from ? `, from ${from}` : ''})`;
    } else {
      shown = `${value}${from ? `   (from ${from})` : name === setup.vendorUrlEnv ? '   (the vendor cloud)' : ''}`;
    }
    out(`${i === 0 ? '  Environment      ' : '                   '}${name}=${shown}`);
  });
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

/** Variable names whose values are secrets: never printed, masked in the log. */
const SECRET_NAME = /secret|token|password|credential|api[-_]?key/i;

function secretValues(stack: DevStack): string[] {
  const values = Object.entries(stack.connectorEnvironment)
    .filter(([name]) => SECRET_NAME.test(name) || name === stack.connector.webhookSecretEnv)
    .flatMap(([, value]) => value.split(','));
  const key = stack.customer.credentials.secretAccessKey;
  return [...values, key];
}
