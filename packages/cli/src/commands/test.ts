import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { CHECKS, selectChecks } from '../conformance/catalog.js';
import { configVendor, readVendorConfig } from '../conformance/configVendor.js';
import {
  failureDetail,
  junitXml,
  noteLines,
  resultLine,
  summaryLine,
} from '../conformance/report.js';
import { runChecks } from '../conformance/runner.js';
import { openSession, type Session, type VendorWorld } from '../conformance/session.js';
import { simVendor } from '../conformance/simVendor.js';
import { type ConformanceSettings, DEFAULT_SETTINGS, exitStatus } from '../conformance/types.js';
import { CONNECTOR_OPTIONS } from '../dev/connectorConfig.js';
import { StepFailedError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';
import { DEPLOYED_OPTIONS, deployedTarget, moduleTarget } from './testTargets.js';

export const TEST_HELP = `Usage: c2c test [options]
       c2c test --deployed <function> --vendor-url <url> [options]

Plays the managed-integrations service against a connector and reports, check by check, whether
AWS will accept it: the invocation contract, discovery, commands, retries, events and webhook
security. The connector runs in the emulator's Lambda host exactly as under c2c dev, with the
simulated vendor cloud as its resource server (or your cloud, with --vendor-config). No AWS
account is needed and nothing is kept: the stack runs in memory on free ports.
With --deployed the suite tests a connector c2c deploy --local put into a running emulator
instead, and leaves what it made there (a test user with devices, managed things).
Every check, why AWS needs it and how to fix a failure: docs/conformance.md.

Options:
  --connector <path>      the connector: a project directory ("c2c" in its package.json), a
                          built .js/.mjs module or a .ts module (default: the current directory)
  --function-name <name>  its Lambda function name (as for c2c dev)
  --env <NAME=value>      a variable for the connector (repeatable; as for c2c dev)
  --env-file <file>       variables from a NAME=value file (--env wins)
  --webhook-secret-env <NAME>  the variable the connector reads its webhook secret from (with
                          --deployed: default the one variable holding a whsec_ value)
  --vendor-url-env <NAME> the variable that gets the vendor cloud's URL (with --deployed: the
                          one the suite points at its counting proxy while it runs; default
                          the one variable whose value is the vendor's URL)
  --vendor-config <file>  test against your own cloud: a JSON file with the test account and
                          what the suite may do there; checks needing what it lacks are "not run"

Deployed connector:
  --deployed <function>   the connector's Lambda function in a running emulator: its name or
                          ARN (the FunctionName output), or the name of the stack c2c deploy
                          --local deployed from this directory
  --vendor-url <url>      the simulated vendor cloud it calls (c2c vendor-cloud); the suite
                          points that cloud's webhooks at the function
  --endpoint <url>        the emulator (default AWS_ENDPOINT_URL, else http://127.0.0.1:4566)
  --data-dir <dir>        its data directory, whose credentials.json signs the suite's calls
                          when AWS_ACCESS_KEY_ID is not set (default .c2c/emulator)
  --region <region>       its region (default AWS_REGION, else us-east-1)
  --only <ids>            run only these checks (comma-separated ids; "commands" or "contract.d"
                          select every id starting so)
  --skip <ids>            leave these checks out (same form)
  --ack-ms <n>            bound on every invocation's answer (default 2000, the service's)
  --command-response-ms <n>  wait for a command's DEVICE_COMMAND_RESPONSE (default 60000, the
                          service's)
  --event-latency-ms <n>  bound from a change at the vendor to its DEVICE_EVENT (default 5000)
  --delivery-ms <n>       how long events refused by injected faults may take to arrive once
                          the faults end (default 30000)
  --quiet-ms <n>          how long to watch for something that must not happen, when the suite
                          cannot see that nothing more can (default 1000)
  --json                  print the report as one JSON document instead of lines
  --junit <file>          also write the report as JUnit XML (for CI)
  -h, --help              show this help

Exit status: 0 every check ran and passed, 1 a check failed, 3 none failed but some did not run,
2 usage error, 130 stopped (Ctrl-C) after closing the session.

Examples:
  $ c2c test --connector ../my-connector --junit conformance.xml
  $ c2c test --deployed AcmeConnector --vendor-url http://127.0.0.1:4000`;

const BOUNDS = {
  'ack-ms': 'ackMs',
  'command-response-ms': 'commandResponseMs',
  'event-latency-ms': 'eventLatencyMs',
  'delivery-ms': 'deliveryMs',
  'quiet-ms': 'quietMs',
} as const;

function list(raw: string | boolean | undefined): string[] {
  return typeof raw === 'string'
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];
}

/** `c2c test`: returns the exit status. */
export async function runTest(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('test', argv, {
    ...CONNECTOR_OPTIONS,
    'vendor-config': { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    'ack-ms': { type: 'string' },
    'command-response-ms': { type: 'string' },
    'event-latency-ms': { type: 'string' },
    'delivery-ms': { type: 'string' },
    'quiet-ms': { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    ...DEPLOYED_OPTIONS,
  });
  if (args.values.help === true) {
    writeLine(io.stdout, TEST_HELP);
    return 0;
  }
  const text = (name: string) => {
    const v = args.values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const selection = selectChecks(list(args.values.only), list(args.values.skip));
  if (selection.unknown.length > 0) {
    throw new UsageError(
      'test',
      `no check matches ${selection.unknown.map((u) => JSON.stringify(u)).join(', ')} (ids: ${CHECKS.map((c) => c.id).join(', ')})`,
    );
  }
  if (selection.ids.length === 0)
    throw new UsageError('test', '--only and --skip leave no check to run');
  const settings: Record<string, number> = { ...DEFAULT_SETTINGS };
  for (const [flag, field] of Object.entries(BOUNDS)) {
    const raw = text(flag);
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3_600_000) {
      throw new UsageError(
        'test',
        `--${flag}: expected milliseconds from 1 to 3600000, got "${raw}"`,
      );
    }
    settings[field] = Number(raw);
  }
  const configFile = text('vendor-config');
  const config =
    configFile === undefined ? undefined : readVendorConfig(resolve(io.cwd, configFile));
  const deployed = text('deployed');
  const target =
    deployed === undefined
      ? moduleTarget(args.values, io, config, configFile)
      : await deployedTarget(deployed, args.values, io);
  const junit = text('junit');
  const json = args.values.json === true;
  const out = (line = '') => {
    if (!json) writeLine(io.stdout, line);
  };
  if (target.kind === 'module') {
    out(
      `c2c test: ${target.setup.source} (${target.setup.functionName}), starting the local stack…`,
    );
  } else {
    out(`c2c test: ${target.functionName} in the emulator at ${target.emulatorUrl}…`);
    if (config?.env !== undefined) {
      out('  --vendor-config "env" is not applied: a deployed function has its deployed variables');
    }
  }
  let session: Session;
  try {
    // A deployed connector's own webhook secret is the one to sign with when the file gives none
    // (in-process, the file's webhookSecret is what the connector gets).
    const deployedSecret = (world: VendorWorld) =>
      target.kind === 'deployed' ? world.webhookSecret : undefined;
    session = await openSession(target, settings as unknown as ConformanceSettings, (world) =>
      config ? configVendor(config, world.emulatorUrl, deployedSecret(world)) : simVendor(world),
    );
  } catch (error) {
    if (error instanceof StepFailedError) {
      writeLine(io.stderr, `c2c test: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const ready = target.kind === 'module' ? 'stack up' : 'found it and its connector';
  out(`  ${ready} in ${session.stackStartMs} ms; resource server: ${session.vendor.description}`);
  out('');
  let report: Awaited<ReturnType<typeof runChecks>>;
  try {
    const run = runChecks(session, {
      ids: selection.ids,
      onResult: (r) => out(resultLine(r)),
    });
    // Ctrl-C ends the run, but only once the session is closed: a deployed function gets its
    // variables back (the suite points them at its own proxies while it runs).
    const stop = io.stopSignal?.then((signal) => ({ signal }));
    const first = await (stop === undefined ? run : Promise.race([run, stop]));
    if ('signal' in first) {
      writeLine(io.stderr, `c2c test: ${first.signal}: stopped; closing the session…`);
      return 130;
    }
    report = first;
  } finally {
    await session.close();
  }
  const failed = report.results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    out('');
    out('Failures:');
    for (const r of failed) {
      for (const line of failureDetail(r)) out(line);
      out('');
    }
  }
  const notes = noteLines(report);
  if (notes.length > 0) {
    out('');
    for (const line of notes) out(line);
  }
  out('');
  out(summaryLine(report));
  if (json) writeLine(io.stdout, JSON.stringify(report, null, 2));
  if (junit !== undefined) writeFileSync(resolve(io.cwd, junit), junitXml(report));
  return exitStatus(report);
}
