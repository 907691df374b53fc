import { join, resolve } from 'node:path';
import type { VendorConfig } from '../conformance/configVendor.js';
import type { ConformanceTarget } from '../conformance/session.js';
import {
  DEFAULT_EMULATOR_DATA_DIR,
  emulatorCredentials,
  emulatorEndpoint,
  emulatorRegion,
  noCredentialsHint,
} from '../deploy/emulatorTarget.js';
import {
  type ConnectorSetup,
  connectorFlags,
  resolveConnectorSetup,
} from '../dev/connectorConfig.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

// What `c2c test` runs against, from its flags: a connector module it deploys into a stack of its
// own, or (`--deployed`) a function already deployed into a running emulator.

/** The flags of the deployed target (`c2c test --help`, "Deployed connector"). */
export const DEPLOYED_OPTIONS = {
  deployed: { type: 'string' },
  'vendor-url': { type: 'string' },
  endpoint: { type: 'string' },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
} as const;

/** Flags that configure a connector the suite runs itself: meaningless for a deployed one. */
const MODULE_ONLY = ['connector', 'function-name', 'env', 'env-file'] as const;

type Values = Readonly<Record<string, unknown>>;

const text = (values: Values, name: string) => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

/** `--connector` (default: the project in the current directory) and its variables. */
export function moduleTarget(
  values: Values,
  io: CliIo,
  config: VendorConfig | undefined,
  configFile: string | undefined,
): ConformanceTarget {
  const stray = Object.keys(DEPLOYED_OPTIONS).filter((f) => values[f] !== undefined);
  if (stray.length > 0) {
    throw new UsageError('test', `--${stray.join(', --')}: only with --deployed <function>`);
  }
  let setup: ConnectorSetup;
  try {
    // Without --connector: the project in the current directory (a project's own npm script).
    setup = resolveConnectorSetup(
      { ...connectorFlags(values), connector: text(values, 'connector') ?? '.' },
      io.cwd,
    );
  } catch (error) {
    // The connector flags are c2c dev's; the help to read is this command's.
    if (error instanceof UsageError) throw new UsageError('test', error.message, { cause: error });
    throw error;
  }
  if (config) {
    // The vendor config's variables and webhook secret: over package.json's, under the user's
    // own --env and --env-file.
    const environment = { ...setup.environment };
    const from = `--vendor-config ${configFile}`;
    const given = (name: string) => {
      const entry = environment[name];
      return entry !== undefined && !entry.from.endsWith('package.json');
    };
    const vars = {
      ...config.env,
      ...(config.webhookSecret === undefined
        ? {}
        : { [setup.webhookSecretEnv]: config.webhookSecret }),
    };
    for (const [name, value] of Object.entries(vars)) {
      if (!given(name)) environment[name] = { value, from };
    }
    setup = { ...setup, environment };
  }
  return { kind: 'module', setup };
}

/**
 * `name` when it names a stack `c2c deploy --local` deployed from `cwd` to this emulator: its
 * connector function (the FunctionName output); else `name` itself, a function's name or ARN.
 */
async function recordedFunction(
  cwd: string,
  endpoint: string,
  region: string,
  name: string,
): Promise<string> {
  const [{ stackRecords, RECORD_DIR }, { findOutputs, outputValues }] = await Promise.all([
    import('../deploy/records.js'),
    import('../deploy/outputs.js'),
  ]);
  const records = stackRecords(join(cwd, RECORD_DIR), endpoint, region, name);
  if (records.length === 0) return name;
  const functions = records.flatMap((r) => findOutputs(outputValues(r.outputs), 'FunctionName'));
  if (functions.length !== 1) {
    throw new UsageError(
      'test',
      functions.length === 0
        ? `--deployed ${name}: the stack deployed from here has no FunctionName output (a C2cConnector's); give the function's name`
        : `--deployed ${name}: the stack deployed from here has several connector functions (${functions.join(', ')}); give one's name`,
    );
  }
  return functions[0] as string;
}

/** `--deployed <function>`: where the emulator is, how to sign to it, the vendor cloud. */
export async function deployedTarget(
  functionName: string,
  values: Values,
  io: CliIo,
): Promise<ConformanceTarget> {
  const stray = MODULE_ONLY.filter((f) => values[f] !== undefined);
  if (stray.length > 0) {
    throw new UsageError(
      'test',
      `--${stray.join(', --')}: not with --deployed (the deployed function has its own code and variables)`,
    );
  }
  if (!/^[A-Za-z0-9_:.$-]{1,170}$/.test(functionName)) {
    throw new UsageError(
      'test',
      `--deployed: expected a Lambda function name or ARN, got "${functionName.slice(0, 80)}"`,
    );
  }
  const vendorCloudUrl = text(values, 'vendor-url');
  if (vendorCloudUrl === undefined && values['vendor-config'] === undefined) {
    throw new UsageError(
      'test',
      '--deployed needs the vendor cloud the function calls: --vendor-url <url> (c2c vendor-cloud), or --vendor-config <file>',
    );
  }
  if (
    vendorCloudUrl !== undefined &&
    (!URL.canParse(vendorCloudUrl) || !/^https?:$/.test(new URL(vendorCloudUrl).protocol))
  ) {
    throw new UsageError('test', `--vendor-url: expected an http(s) URL, got "${vendorCloudUrl}"`);
  }
  const emulatorUrl = emulatorEndpoint('test', text(values, 'endpoint'), io.env);
  const dataDir = resolve(io.cwd, text(values, 'data-dir') ?? DEFAULT_EMULATOR_DATA_DIR);
  const credentials = await emulatorCredentials(io.env, dataDir);
  if (credentials === undefined) {
    throw new UsageError('test', `no credentials for the emulator: ${noCredentialsHint()}`);
  }
  const webhookSecretEnv = text(values, 'webhook-secret-env');
  const vendorUrlEnv = text(values, 'vendor-url-env');
  const region = emulatorRegion(text(values, 'region'), io.env);
  return {
    kind: 'deployed',
    functionName: await recordedFunction(io.cwd, emulatorUrl, region, functionName),
    emulatorUrl,
    region,
    credentials,
    ...(vendorCloudUrl === undefined ? {} : { vendorCloudUrl: vendorCloudUrl.replace(/\/+$/, '') }),
    ...(webhookSecretEnv === undefined ? {} : { webhookSecretEnv }),
    ...(vendorUrlEnv === undefined ? {} : { vendorUrlEnv }),
  };
}
