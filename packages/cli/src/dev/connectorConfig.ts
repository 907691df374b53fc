import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { StepFailedError, UsageError } from '../errors.js';

const run = promisify(execFile);

/**
 * The reference connector, run when `--connector` is not given (a project like any other): a
 * dependency of this package, found where npm installed it.
 */
export const DEFAULT_CONNECTOR_DIR = dirname(
  realpathSync(createRequire(import.meta.url).resolve('@c2c-kit/acme-connector/package.json')),
);

/** `"c2c"` in a connector project's package.json: how `c2c dev` runs it. */
export interface ProjectConfig {
  /** The built handler module, relative to the project (`dist/index.mjs`). */
  readonly handler: string;
  /** The export holding the handler (default `handler`). */
  readonly exportName?: string;
  /** npm script `c2c dev` runs first (`build`); none: the module is used as it is. */
  readonly build?: string;
  readonly functionName?: string;
  /** The variable the connector reads its Standard Webhooks secret(s) from. */
  readonly webhookSecretEnv?: string;
  /** The variable that gets the simulated vendor cloud's base URL. */
  readonly vendorUrlEnv?: string;
  /** More variables; values may use the placeholders of `PLACEHOLDERS`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What `c2c dev` runs as the connector function, and with which configuration. */
export interface ConnectorSetup {
  /** The project directory or module as the user named it (for messages). */
  readonly source: string;
  readonly functionName: string;
  /** The module the Lambda host loads (absolute; built first when `build` is set). */
  readonly handler: string;
  readonly exportName: string;
  readonly build?:
    | { readonly kind: 'npm'; readonly dir: string; readonly script: string }
    | { readonly kind: 'esbuild'; readonly entry: string };
  /** The user's variables, placeholders not yet filled in, each with where it came from. */
  readonly environment: Readonly<Record<string, { value: string; from: string }>>;
  readonly webhookSecretEnv: string;
  readonly vendorUrlEnv?: string;
}

export interface ConnectorFlags {
  readonly connector?: string;
  readonly functionName?: string;
  readonly env?: readonly string[];
  readonly envFile?: string;
  readonly webhookSecretEnv?: string;
  readonly vendorUrlEnv?: string;
}

/** The flags naming the connector and its variables: the same for `c2c dev` and `c2c test`. */
export const CONNECTOR_OPTIONS = {
  connector: { type: 'string' },
  'function-name': { type: 'string' },
  env: { type: 'string', multiple: true },
  'env-file': { type: 'string' },
  'webhook-secret-env': { type: 'string' },
  'vendor-url-env': { type: 'string' },
} as const;

/** Those flags' parsed values, as `resolveConnectorSetup` takes them. */
export function connectorFlags(values: Readonly<Record<string, unknown>>): ConnectorFlags {
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    connector: text('connector'),
    functionName: text('function-name'),
    env: Array.isArray(values.env) ? (values.env as string[]) : [],
    envFile: text('env-file'),
    webhookSecretEnv: text('webhook-secret-env'),
    vendorUrlEnv: text('vendor-url-env'),
  };
}

/** Stack values a variable can use: `--env ACME_CLIENT_ID={{oauthClientId}}`. */
export const PLACEHOLDERS = [
  'vendorCloudUrl',
  'webhookSecret',
  'oauthClientId',
  'oauthClientSecret',
] as const;
export type StackValues = Record<(typeof PLACEHOLDERS)[number], string>;

/** Lambda's rule for environment variable names. */
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]+$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function variableName(flag: string, name: string): string {
  if (!VARIABLE.test(name)) {
    throw new UsageError('dev', `${flag}: expected a variable name, got "${name}"`);
  }
  return name;
}

/** `KEY=VALUE` lines (`#` comments, blank lines, optional quotes), as a dotenv file has them. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = (eq === -1 ? line : line.slice(0, eq)).replace(/^export\s+/, '').trim();
    if (eq === -1 || !VARIABLE.test(name)) {
      throw new UsageError('dev', `--env-file ${file}:${index + 1}: expected NAME=value`);
    }
    const value = line.slice(eq + 1).trim();
    out[name] = /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
  });
  return out;
}

function readProjectConfig(dir: string): ProjectConfig | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let manifest: { c2c?: unknown };
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as { c2c?: unknown };
  } catch (error) {
    throw new UsageError('dev', `--connector: ${file}: ${(error as Error).message}`);
  }
  const config = manifest.c2c as ProjectConfig | undefined;
  if (config === undefined) return undefined;
  if (typeof config !== 'object' || config === null || typeof config.handler !== 'string') {
    throw new UsageError(
      'dev',
      `--connector: ${file}: "c2c".handler: expected the built module's path`,
    );
  }
  return config;
}

/** The nearest package.json above a module whose `"c2c".handler` is that module. */
function projectOfModule(module: string): { dir: string; config: ProjectConfig } | undefined {
  for (let dir = dirname(module); ; dir = dirname(dir)) {
    const config = readProjectConfig(dir);
    if (config && resolve(dir, config.handler) === module) return { dir, config };
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

/**
 * Reads what the user said about the connector: `--connector` (a project directory with `"c2c"`
 * in its package.json, a built .js/.mjs/.cjs module, or a .ts/.mts module bundled at start;
 * default the reference connector), then package.json < `--env-file` < `--env`, and the flags
 * naming the function and the variables. Every problem is a one-line `UsageError`.
 */
export function resolveConnectorSetup(flags: ConnectorFlags, cwd: string): ConnectorSetup {
  const given = flags.connector;
  const path = given === undefined ? DEFAULT_CONNECTOR_DIR : resolve(cwd, given);
  const source = given ?? relative(cwd, DEFAULT_CONNECTOR_DIR);
  if (!existsSync(path)) {
    throw new StepFailedError('connector build', `${path} does not exist`);
  }
  let project: { dir: string; config: ProjectConfig } | undefined;
  let handler = path;
  let build: ConnectorSetup['build'];
  if (statSync(path).isDirectory()) {
    const config = readProjectConfig(path);
    if (config === undefined) {
      throw new UsageError(
        'dev',
        `--connector: ${join(path, 'package.json')} has no "c2c" section (e.g. {"handler": "dist/index.mjs", "build": "build", "webhookSecretEnv": "…"}); or give the handler module itself`,
      );
    }
    project = { dir: path, config };
    handler = resolve(path, config.handler);
  } else if (['.ts', '.mts'].includes(extname(path))) {
    build = { kind: 'esbuild', entry: path };
  } else if (['.js', '.mjs', '.cjs'].includes(extname(path))) {
    project = projectOfModule(path);
  } else {
    throw new UsageError(
      'dev',
      `--connector: expected a project directory, a .js/.mjs/.cjs module or a .ts module, got "${basename(path)}"`,
    );
  }
  const config = project?.config ?? { handler: path };
  if (project && config.build) build = { kind: 'npm', dir: project.dir, script: config.build };

  const environment: Record<string, { value: string; from: string }> = {};
  const add = (vars: Record<string, string>, from: string) => {
    for (const [name, value] of Object.entries(vars)) environment[name] = { value, from };
  };
  if (project && config.env)
    add({ ...config.env }, `${relative(cwd, join(project.dir, 'package.json'))}`);
  if (flags.envFile !== undefined) {
    const file = resolve(cwd, flags.envFile);
    if (!existsSync(file)) throw new UsageError('dev', `--env-file: ${file} does not exist`);
    add(parseEnvFile(readFileSync(file, 'utf8'), flags.envFile), flags.envFile);
  }
  for (const pair of flags.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('dev', `--env: expected NAME=value, got "${pair}"`);
    add({ [variableName('--env', pair.slice(0, eq))]: pair.slice(eq + 1) }, '--env');
  }

  const webhookSecretEnv = flags.webhookSecretEnv ?? config.webhookSecretEnv;
  if (webhookSecretEnv === undefined) {
    throw new UsageError(
      'dev',
      `${source}: which variable holds the connector's webhook secret? give --webhook-secret-env NAME (or "webhookSecretEnv" in "c2c" of its package.json)`,
    );
  }
  const vendorUrlEnv = flags.vendorUrlEnv ?? config.vendorUrlEnv;
  const functionName =
    flags.functionName ??
    config.functionName ??
    basename(project?.dir ?? path, extname(path)).replace(/[^A-Za-z0-9_-]/g, '-');
  if (!FUNCTION_NAME.test(functionName)) {
    throw new UsageError(
      'dev',
      `--function-name: expected 1-64 characters of a-z, A-Z, 0-9, "-" and "_", got "${functionName}"`,
    );
  }
  return {
    source,
    functionName,
    handler,
    exportName: config.exportName ?? 'handler',
    ...(build ? { build } : {}),
    environment,
    webhookSecretEnv: variableName('--webhook-secret-env', webhookSecretEnv),
    ...(vendorUrlEnv ? { vendorUrlEnv: variableName('--vendor-url-env', vendorUrlEnv) } : {}),
  };
}

/**
 * The webhook secret(s) the user gave the connector, if any: `undefined` when its variable is not
 * set (the stack then generates one). An empty value is refused: a connector given no secret
 * would reject every webhook, or worse, accept them.
 */
export function givenWebhookSecret(setup: ConnectorSetup): string | undefined {
  const entry = setup.environment[setup.webhookSecretEnv];
  if (entry === undefined || entry.value === '{{webhookSecret}}') return undefined;
  const first = entry.value.split(/[\s,]+/).find((s) => s !== '');
  if (first === undefined) {
    throw new UsageError(
      'dev',
      `${setup.webhookSecretEnv} is empty (from ${entry.from}): give the whsec_… secret, or leave it out and c2c dev generates one`,
    );
  }
  return first;
}

/** The function's environment: the user's variables with the stack's values filled in. */
export function connectorEnvironment(
  setup: ConnectorSetup,
  values: StackValues,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (setup.vendorUrlEnv) out[setup.vendorUrlEnv] = values.vendorCloudUrl;
  out[setup.webhookSecretEnv] = values.webhookSecret;
  for (const [name, { value, from }] of Object.entries(setup.environment)) {
    out[name] = value.replace(/\{\{([^}]*)\}\}/g, (_, key: string) => {
      if (!(PLACEHOLDERS as readonly string[]).includes(key)) {
        throw new UsageError(
          'dev',
          `${name} (from ${from}): unknown placeholder {{${key}}} (expected ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`,
        );
      }
      return values[key as keyof StackValues];
    });
  }
  return out;
}

function nearestNodeModules(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules');
    if (dirname(dir) === dir) return undefined;
  }
}

/** Builds the connector before start: `npm run <script>` in its project, or esbuild of a .ts. */
export async function buildConnector(setup: ConnectorSetup, outDir: string): Promise<string> {
  const build = setup.build;
  if (build?.kind === 'npm') {
    if (!existsSync(join(build.dir, 'node_modules'))) {
      throw new Error(`${build.dir} has no node_modules; run "npm install" there first`);
    }
    try {
      await run('npm', ['run', '--silent', build.script], { cwd: build.dir });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n');
      throw new Error(`npm run ${build.script} in ${build.dir} failed:\n${output || e.message}`);
    }
  } else if (build?.kind === 'esbuild') {
    // Next to the module's node_modules (its .cache), so what stays external (the AWS SDK, which
    // Lambda provides) resolves as it does for the source; without one, everything is bundled.
    const modules = nearestNodeModules(dirname(build.entry));
    const dir = modules ? join(modules, '.cache', 'c2c-dev') : outDir;
    await mkdir(dir, { recursive: true });
    const outfile = join(dir, `${setup.functionName}.mjs`);
    const esbuild = await import('esbuild');
    const result = await esbuild
      .build({
        entryPoints: [build.entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        mainFields: ['module', 'main'],
        external: modules ? ['@aws-sdk/*', 'better-sqlite3'] : ['better-sqlite3'],
        banner: {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        },
        logLevel: 'silent',
      })
      .catch(
        (error: {
          errors?: Array<{ text: string; location?: { file: string; line: number } }>;
        }) => {
          const first = error.errors?.[0];
          const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
          throw new Error(`esbuild ${build.entry}: ${where}${first?.text ?? String(error)}`);
        },
      );
    void result;
    return outfile;
  }
  if (!existsSync(setup.handler)) {
    throw new Error(
      `${setup.handler} does not exist; build the connector first${setup.build ? '' : ' (npm run build)'}`,
    );
  }
  return setup.handler;
}
