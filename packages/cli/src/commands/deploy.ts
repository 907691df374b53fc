import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { DeployError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export const DEPLOY_HELP = `Usage: c2c deploy --synth-only --out <dir> [options]

Synthesizes a connector's AWS deployment (the @c2c-kit/cdk C2cConnector: Lambda + Function URL,
work queue + DLQ, FIFO outbox, idempotency table, alarms, IAM, the CloudConnector registration)
into a CDK cloud assembly: the CloudFormation template and the esbuild bundles, for review, CI and
cfn-lint. Nothing is deployed and no endpoint is contacted. (Deploying to AWS and --local are
coming.)

Options:
  --synth-only           write the template and bundles only (required for now)
  --out <dir>            where the cloud assembly goes (created; "cdk deploy --app <dir>" takes it)
  --connector <path>     the connector's handler file, or its package directory (package.json
                         "exports" / "main", else src/index.ts, index.ts, index.js); default "."
  --name <stack>         CloudFormation stack name (default "C2cConnector")
  --condition <name>     an export condition to bundle with, e.g. "source" inside a workspace
                         (repeatable)
  -h, --help             show this help

Exit status: 0 written, 1 the connector could not be bundled or synthesized, 2 usage error.

Example:
  $ c2c deploy --synth-only --out cdk.out --connector examples/acme-connector --condition source
  synthesized stack C2cConnector into cdk.out (no AWS endpoint contacted)`;

const COMMAND = 'deploy';
const ENTRY_FILES = ['src/index.ts', 'index.ts', 'index.js', 'index.mjs'];

/** The handler file of `--connector`: a file as given, or a package directory's entry. */
export function resolveConnectorEntry(path: string, conditions: readonly string[]): string {
  if (!existsSync(path)) throw new DeployError(`--connector ${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return path;
  const manifest = join(path, 'package.json');
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports?: Record<string, unknown>;
      main?: string;
    };
    const root = pkg.exports?.['.'];
    const targets =
      typeof root === 'string'
        ? [root]
        : root && typeof root === 'object'
          ? [...conditions, 'import', 'default'].map((c) => (root as Record<string, unknown>)[c])
          : [];
    for (const target of [...targets, pkg.main]) {
      if (typeof target === 'string' && existsSync(join(path, target))) return join(path, target);
    }
  }
  for (const file of ENTRY_FILES) if (existsSync(join(path, file))) return join(path, file);
  throw new DeployError(
    `--connector ${path}: found no handler entry (package.json exports/main, ${ENTRY_FILES.join(', ')})`,
  );
}

/** `c2c deploy --synth-only`: the cloud assembly of one C2cConnector stack. */
export async function runDeploy(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(COMMAND, argv, {
    'synth-only': { type: 'boolean' },
    out: { type: 'string' },
    connector: { type: 'string' },
    name: { type: 'string' },
    condition: { type: 'string', multiple: true },
  });
  if (values.help === true) {
    writeLine(io.stdout, DEPLOY_HELP);
    return 0;
  }
  if (values['synth-only'] !== true) {
    throw new UsageError(
      COMMAND,
      'only --synth-only is available yet (deploying to AWS and --local are coming)',
    );
  }
  if (typeof values.out !== 'string' || values.out === '') {
    throw new UsageError(COMMAND, '--out <dir> is required');
  }
  const name = typeof values.name === 'string' ? values.name : 'C2cConnector';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new UsageError(COMMAND, `--name: expected a CloudFormation stack name, got "${name}"`);
  }
  const conditions = (values.condition as unknown as string[] | undefined) ?? [];
  const out = resolve(io.cwd, values.out);
  const entry = resolveConnectorEntry(
    resolve(io.cwd, typeof values.connector === 'string' ? values.connector : '.'),
    conditions,
  );

  // Loaded here, not at start-up: aws-cdk-lib takes a while to import.
  const [{ App, Stack }, { C2cConnector, CdkError }] = await Promise.all([
    import('aws-cdk-lib'),
    import('@c2c-kit/cdk'),
  ]);
  const app = new App({ outdir: out });
  const stack = new Stack(app, name);
  try {
    new C2cConnector(stack, 'Connector', { entry, bundling: { conditions } });
  } catch (error) {
    if (error instanceof CdkError) throw new DeployError(error.message, { cause: error });
    throw error;
  }
  const assembly = app.synth();
  const artifact = assembly.getStackByName(name);
  writeLine(
    io.stdout,
    `synthesized stack ${name} into ${relative(io.cwd, out) || '.'} (no AWS endpoint contacted)`,
  );
  const resources = Object.keys(artifact.template.Resources ?? {}).length;
  writeLine(
    io.stdout,
    `  template  ${relative(io.cwd, artifact.templateFullPath)} (${resources} resources)`,
  );
  for (const dir of readdirSync(out)
    .filter((d) => d.startsWith('asset.'))
    .sort()) {
    const bundle = join(out, dir, 'index.mjs');
    const size = existsSync(bundle)
      ? ` index.mjs ${Math.round(statSync(bundle).size / 1024)} KB`
      : '';
    writeLine(io.stdout, `  asset     ${relative(io.cwd, join(out, dir))}${size}`);
  }
  return 0;
}
