import { join, relative, resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { type AssemblyStack, bundleSize, pickStack } from '../deploy/assembly.js';
import {
  DEFAULT_EMULATOR_DATA_DIR,
  emulatorCredentials,
  emulatorEndpoint,
  emulatorRegion,
  noCredentialsHint,
} from '../deploy/emulatorTarget.js';
import { cliIoHost } from '../deploy/ioHost.js';
import { outputValues, printOutputsAndNextStep } from '../deploy/outputs.js';
import { RECORD_DIR } from '../deploy/records.js';
import { APPLIED_TYPES, RECORDED_TYPES } from '../deploy/resourceTypes.js';
import { type AppSource, appSource, synthesize } from '../deploy/synth.js';
import { DeployError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export { resolveConnectorEntry } from '../deploy/connectorEntry.js';

/** A list of names as indented lines of at most 100 characters. */
function wrapList(names: readonly string[]): string {
  const lines = [''];
  for (const name of names) {
    const last = lines.length - 1;
    const line = lines[last] as string;
    if (line !== '' && line.length + name.length + 4 > 100) lines.push(name);
    else lines[last] = line === '' ? name : `${line}, ${name}`;
  }
  return lines.map((l, i) => `  ${l}${i < lines.length - 1 ? ',' : ''}`).join('\n');
}

export const DEPLOY_HELP = `Usage: c2c deploy [target] [source] [options]

Synthesizes a connector's deployment (the @c2c-kit/cdk C2cConnector: Lambda + Function URL, work
queue + DLQ, FIFO outbox, idempotency table, alarms, IAM, the CloudConnector registration) with the
CDK toolkit, then deploys that one template and its bundles to the target.

Target (one of):
  (none)                 AWS, with the standard credential chain and region (AWS_PROFILE,
                         AWS_REGION, ~/.aws/config …), through the CDK toolkit (CloudFormation);
                         the account and region must be bootstrapped ("npx cdk bootstrap")
  --local                the emulator "c2c emulator" runs here: AWS_ENDPOINT_URL, else
                         http://127.0.0.1:4566
  --endpoint <url>       an emulator at <url>
  --synth-only           no endpoint: write the cloud assembly to --out and stop

Source (default: the "app" of ./cdk.json if there is one, else --connector .):
  --app <dir|command>    a CDK app command (as cdk.json's "app"), a project directory with a
                         cdk.json (its app, run there) or a synthesized cloud assembly
  --connector <path>     a connector's handler file or package directory (package.json "exports" /
                         "main", else src/index.ts, index.ts, index.js), deployed as one stack
  --name <stack>         the --connector stack's name (default "C2cConnector")
  --condition <name>     export condition to bundle --connector with, e.g. "source" (repeatable)
  -c, --context <k=v>    CDK context for the app (repeatable)

Options:
  --stack <name>         the stack to deploy when the app has several
  --out <dir>            where the cloud assembly goes (required with --synth-only; default a
                         temporary directory)
  --parameter <k=v>      a CloudFormation parameter value (repeatable)
  --region <region>      region (AWS: default from the credential chain; emulator: AWS_REGION,
                         else us-east-1)
  --profile <name>       AWS profile (AWS target only)
  --data-dir <dir>       the emulator's data directory, whose credentials.json signs local
                         deploys when AWS_ACCESS_KEY_ID is not set (default .c2c/emulator)
  --destroy              tear the stack down instead (AWS: the CloudFormation stack; emulator:
                         what the last local deploy made, custom resources sent their Delete)
  --yes                  approve IAM changes and destroys without asking
  --verbose              show the toolkit's debug output
  -h, --help             show this help

The local deploy applies the very template and bundle assets with an applier of c2c-kit's own (not
an emulated CloudFormation). Resource types it applies:
${wrapList(APPLIED_TYPES)}
recorded without being enforced:
${wrapList(RECORDED_TYPES)}
and every other type is refused by name. See docs/deploy.md.

Exit status: 0 done, 1 synthesis or deployment failed (the reason printed), 2 usage error.

Examples:
  $ c2c deploy --synth-only --out cdk.out --connector examples/acme-connector --condition source
  $ c2c deploy --local --app "npx tsx --conditions=source src/app.ts" -c acmeApiUrl=http://127.0.0.1:4000
  $ c2c deploy --app cdk.out --stack AcmeConnector`;

const COMMAND = 'deploy';

type Target = { kind: 'synth-only' } | { kind: 'aws' } | { kind: 'emulator'; endpoint: string };

function keyValues(flag: string, raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (raw as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(COMMAND, `--${flag}: expected key=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function targetOf(values: Record<string, unknown>, io: CliIo): Target {
  const chosen = ['synth-only', 'local', 'endpoint'].filter((f) => values[f] !== undefined);
  if (chosen.length > 1) {
    throw new UsageError(COMMAND, `choose one target, got --${chosen.join(' and --')}`);
  }
  if (values['synth-only'] === true) return { kind: 'synth-only' };
  if (values.local === true || typeof values.endpoint === 'string') {
    const given = typeof values.endpoint === 'string' ? values.endpoint : undefined;
    return { kind: 'emulator', endpoint: emulatorEndpoint(COMMAND, given, io.env) };
  }
  return { kind: 'aws' };
}

/** `c2c deploy`: synthesize, then write, deploy to AWS, or apply to the emulator. */
export async function runDeploy(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(COMMAND, argv, {
    'synth-only': { type: 'boolean' },
    local: { type: 'boolean' },
    endpoint: { type: 'string' },
    out: { type: 'string' },
    app: { type: 'string' },
    connector: { type: 'string' },
    name: { type: 'string' },
    stack: { type: 'string' },
    condition: { type: 'string', multiple: true },
    context: { type: 'string', multiple: true, short: 'c' },
    parameter: { type: 'string', multiple: true },
    region: { type: 'string' },
    profile: { type: 'string' },
    'data-dir': { type: 'string' },
    destroy: { type: 'boolean' },
    yes: { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (values.help === true) {
    writeLine(io.stdout, DEPLOY_HELP);
    return 0;
  }
  const target = targetOf(values, io);
  if (target.kind === 'synth-only' && (typeof values.out !== 'string' || values.out === '')) {
    throw new UsageError(COMMAND, '--synth-only needs --out <dir>');
  }
  if (target.kind === 'synth-only' && values.destroy === true) {
    throw new UsageError(COMMAND, '--destroy needs a target: AWS (no flag), --local or --endpoint');
  }
  const name = typeof values.name === 'string' ? values.name : undefined;
  if (name !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new UsageError(COMMAND, `--name: expected a CloudFormation stack name, got "${name}"`);
  }
  if (target.kind === 'aws' && io.env.AWS_ENDPOINT_URL) {
    throw new UsageError(
      COMMAND,
      `AWS_ENDPOINT_URL is set (${io.env.AWS_ENDPOINT_URL}): deploying to AWS would send CloudFormation calls there; use --endpoint for an emulator, or unset it`,
    );
  }
  const source = appSource(
    {
      ...(typeof values.app === 'string' ? { app: values.app } : {}),
      ...(typeof values.connector === 'string' ? { connector: values.connector } : {}),
      conditions: (values.condition as unknown as string[] | undefined) ?? [],
      ...(name === undefined ? {} : { stackName: name }),
    },
    io.cwd,
  );
  const context = keyValues('context', values.context);
  const parameters = keyValues('parameter', values.parameter);
  const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : undefined;
  const region = typeof values.region === 'string' ? values.region : undefined;

  const { Toolkit, BaseCredentials, ToolkitError } = await import('@aws-cdk/toolkit-lib');
  const toolkit = new Toolkit({
    ioHost: cliIoHost(io, { verbose: values.verbose === true, yes: values.yes === true }),
    color: false,
    emojis: false,
    ...(target.kind === 'aws'
      ? {
          sdkConfig: {
            baseCredentials: BaseCredentials.awsCliCompatible({
              ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
              ...(region ? { defaultRegion: region } : {}),
            }),
          },
        }
      : { sdkConfig: { baseCredentials: BaseCredentials.none() } }),
  });
  try {
    if (target.kind === 'aws') {
      const { deployToAws } = await import('../deploy/aws.js');
      return await deployToAws(io, toolkit, source, {
        context,
        parameters,
        ...(out ? { outdir: out } : {}),
        ...(typeof values.stack === 'string' ? { stack: values.stack } : {}),
        destroy: values.destroy === true,
      });
    }
    const synthesized = await synthesize(toolkit, source, {
      ...(out ? { outdir: out } : {}),
      context,
      resolveEnvironment: false,
    });
    try {
      const stack = pickStack(
        synthesized.stacks,
        typeof values.stack === 'string' ? values.stack : sourceStackName(source),
      );
      if (target.kind === 'synth-only') {
        reportSynth(io, synthesized.dir, stack);
        return 0;
      }
      return await deployToEmulator(io, stack, target.endpoint, {
        region: emulatorRegion(region, io.env),
        parameters,
        dataDir: resolve(
          io.cwd,
          typeof values['data-dir'] === 'string' ? values['data-dir'] : DEFAULT_EMULATOR_DATA_DIR,
        ),
        destroy: values.destroy === true,
      });
    } finally {
      await synthesized.dispose();
    }
  } catch (error) {
    // The toolkit's errors (synthesis, credentials, CloudFormation) are the user's to read.
    if (error instanceof ToolkitError) throw new DeployError(error.message, { cause: error });
    throw error;
  }
}

function sourceStackName(source: AppSource): string | undefined {
  return source.kind === 'connector' ? source.stackName : undefined;
}

function reportSynth(io: CliIo, dir: string, stack: AssemblyStack): void {
  writeLine(
    io.stdout,
    `synthesized stack ${stack.name} into ${relative(io.cwd, dir) || '.'} (no AWS endpoint contacted)`,
  );
  const resources = Object.keys(stack.template.Resources).length;
  writeLine(
    io.stdout,
    `  template  ${relative(io.cwd, stack.templateFile)} (${resources} resources)`,
  );
  const assets = [
    ...new Set(
      [...stack.assetsByObjectKey.values()].filter((a) => a.packaging === 'zip').map((a) => a.path),
    ),
  ].sort();
  for (const path of assets) {
    const size = bundleSize(path);
    writeLine(
      io.stdout,
      `  asset     ${relative(io.cwd, path)}${size === undefined ? '' : ` index.mjs ${Math.round(size / 1024)} KB`}`,
    );
  }
}

interface EmulatorTargetOptions {
  readonly region: string;
  readonly parameters: Record<string, string>;
  readonly dataDir: string;
  readonly destroy: boolean;
}

async function deployToEmulator(
  io: CliIo,
  stack: AssemblyStack,
  endpoint: string,
  o: EmulatorTargetOptions,
): Promise<number> {
  const { deployLocal } = await import('../deploy/local.js');
  const credentials = await emulatorCredentials(io.env, o.dataDir);
  if (credentials === undefined) {
    throw new DeployError(`no credentials for the emulator: ${noCredentialsHint()}`);
  }
  writeLine(
    io.stdout,
    `${o.destroy ? 'destroying' : 'deploying'} stack ${stack.name} in the emulator at ${endpoint} (${o.region})`,
  );
  const width = Math.max(...Object.keys(stack.template.Resources).map((id) => id.length));
  const result = await deployLocal({
    stack,
    endpoint,
    region: o.region,
    credentials,
    parameters: o.parameters,
    recordDir: join(io.cwd, RECORD_DIR),
    destroy: o.destroy,
    onProgress: (id, type, status) =>
      writeLine(io.stdout, `  ${id.padEnd(width)}  ${type.padEnd(34)} ${status}`),
  });
  if (result.record === undefined) {
    writeLine(io.stdout, `stack ${stack.name} is gone from the emulator`);
    return 0;
  }
  const rules = Object.keys(stack.template.Rules ?? {});
  if (rules.length > 0) {
    writeLine(
      io.stdout,
      `rules not evaluated locally: ${rules.join(', ')} (the emulator needs no CDK bootstrap stack)`,
    );
  }
  writeLine(io.stdout, `deployed; record kept in ${relative(io.cwd, result.recordFile)}`);
  printOutputsAndNextStep(io, stack.name, outputValues(result.record.outputs), {
    region: o.region,
    endpoint,
  });
  return 0;
}
