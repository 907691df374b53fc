// One synthesis for every target: the CDK toolkit (`@aws-cdk/toolkit-lib`) turns a CDK app, an
// existing cloud assembly or a bare connector into a cloud assembly on disk. `--synth-only` stops
// there, `--local` applies it to the emulator, the AWS path hands it to the toolkit's deploy.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ICloudAssemblySource, Toolkit } from '@aws-cdk/toolkit-lib';
import { DeployError } from '../errors.js';
import { type AssemblyStack, readAssemblyStacks } from './assembly.js';
import { resolveConnectorEntry } from './connectorEntry.js';

/** Where the assembly comes from (`--app`, cdk.json, or `--connector`). */
export type AppSource =
  | { readonly kind: 'assembly'; readonly dir: string }
  | { readonly kind: 'command'; readonly command: string; readonly workingDirectory: string }
  | {
      readonly kind: 'connector';
      readonly entry: string;
      readonly stackName: string;
      readonly conditions: readonly string[];
    };

export interface SourceFlags {
  readonly app?: string;
  readonly connector?: string;
  readonly conditions: readonly string[];
  readonly stackName?: string;
}

/** The `app` of `dir`/cdk.json, run in `dir` (its context files are read there too). */
function cdkJsonApp(dir: string): AppSource {
  const cdkJson = join(dir, 'cdk.json');
  const app = (JSON.parse(readFileSync(cdkJson, 'utf8')) as { app?: unknown }).app;
  if (typeof app !== 'string' || app === '')
    throw new DeployError(`${cdkJson}: expected an "app" command`);
  return { kind: 'command', command: app, workingDirectory: dir };
}

/**
 * `--app <dir|command>` as given (a cloud assembly, a project directory with a cdk.json, or a
 * command); else the `app` of cdk.json in the working directory, as the CDK command line does;
 * else a stack around the connector at `--connector` (default ".").
 */
export function appSource(flags: SourceFlags, cwd: string): AppSource {
  if (flags.app !== undefined && flags.connector !== undefined) {
    throw new DeployError('give --app or --connector, not both');
  }
  if (flags.app !== undefined) {
    const dir = resolve(cwd, flags.app);
    if (existsSync(join(dir, 'manifest.json'))) return { kind: 'assembly', dir };
    if (existsSync(join(dir, 'cdk.json'))) return cdkJsonApp(dir);
    return { kind: 'command', command: flags.app, workingDirectory: cwd };
  }
  if (flags.connector === undefined && existsSync(join(cwd, 'cdk.json'))) return cdkJsonApp(cwd);
  return {
    kind: 'connector',
    entry: resolveConnectorEntry(resolve(cwd, flags.connector ?? '.'), flags.conditions),
    stackName: flags.stackName ?? 'C2cConnector',
    conditions: flags.conditions,
  };
}

export interface SynthOptions {
  readonly outdir?: string;
  readonly context: Readonly<Record<string, string>>;
  /** Ask STS for the account and region of env-agnostic stacks (the AWS path). */
  readonly resolveEnvironment: boolean;
}

/** The toolkit's assembly source for `source`. */
export async function assemblySource(
  toolkit: Toolkit,
  source: AppSource,
  options: SynthOptions,
): Promise<ICloudAssemblySource> {
  const { MemoryContext, CdkAppMultiContext } = await import('@aws-cdk/toolkit-lib');
  const common = {
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    disposeOutdir: options.outdir === undefined,
    resolveDefaultEnvironment: options.resolveEnvironment,
  };
  if (source.kind === 'assembly') return toolkit.fromAssemblyDirectory(source.dir);
  if (source.kind === 'command') {
    return toolkit.fromCdkApp(source.command, {
      ...common,
      workingDirectory: source.workingDirectory,
      contextStore: new CdkAppMultiContext(source.workingDirectory, { ...options.context }),
    });
  }
  return toolkit.fromAssemblyBuilder(
    async ({ outdir, context }) => {
      // Loaded here, not at start-up: aws-cdk-lib takes a while to import.
      const [{ App, Stack }, { C2cConnector, CdkError }] = await Promise.all([
        import('aws-cdk-lib'),
        import('@c2c-kit/cdk'),
      ]);
      const app = new App({ outdir, context });
      const stack = new Stack(app, source.stackName);
      try {
        new C2cConnector(stack, 'Connector', {
          entry: source.entry,
          bundling: { conditions: [...source.conditions] },
        });
      } catch (error) {
        if (error instanceof CdkError) throw new DeployError(error.message, { cause: error });
        throw error;
      }
      return app.synth();
    },
    { ...common, contextStore: new MemoryContext({ ...options.context }), clobberEnv: false },
  );
}

export interface Synthesized {
  readonly dir: string;
  readonly stacks: AssemblyStack[];
  dispose(): Promise<void>;
}

/** Synthesizes (or reads) the assembly and reads its stacks. */
export async function synthesize(
  toolkit: Toolkit,
  source: AppSource,
  options: SynthOptions,
): Promise<Synthesized> {
  const cx = await toolkit.synth(await assemblySource(toolkit, source, options));
  const dir = cx.cloudAssembly.directory;
  try {
    return { dir, stacks: readAssemblyStacks(dir), dispose: () => cx.dispose() };
  } catch (error) {
    await cx.dispose();
    throw error;
  }
}
