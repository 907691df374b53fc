// A synthesized CDK cloud assembly as `c2c deploy` reads it: one stack's CloudFormation template
// and the file assets (the esbuild bundles) its Lambda functions name by bucket and key.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DeployError } from '../errors.js';

/** A CloudFormation template, as far as the local applier reads it. */
export interface Template {
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Rules?: Record<string, unknown>;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
}

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** One stack of the assembly: its name, template, and where each bundle asset lives on disk. */
export interface AssemblyStack {
  readonly name: string;
  readonly templateFile: string;
  readonly template: Template;
  /** Asset directory (or file) by the object key the template names (`<hash>.zip`). */
  readonly assetsByObjectKey: ReadonlyMap<string, { path: string; packaging: string }>;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      type: string;
      displayName?: string;
      properties?: { templateFile?: string; stackName?: string };
      dependencies?: string[];
    }
  >;
}

interface AssetManifest {
  readonly files?: Record<
    string,
    {
      source: { path?: string; packaging?: string };
      destinations: Record<string, { objectKey: string }>;
    }
  >;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new DeployError(`${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The stacks of the cloud assembly in `dir`, in the order the manifest lists them. */
export function readAssemblyStacks(dir: string): AssemblyStack[] {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new DeployError(`${dir} is not a cloud assembly (no manifest.json)`);
  }
  const manifest = readJson<Manifest>(manifestFile, 'cloud assembly manifest');
  const artifacts = manifest.artifacts ?? {};
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
    const template = readJson<Template>(templateFile, 'template');
    if (typeof template.Resources !== 'object' || template.Resources === null) {
      throw new DeployError(`template ${templateFile}: expected a Resources section`);
    }
    const assetsByObjectKey = new Map<string, { path: string; packaging: string }>();
    for (const dep of artifact.dependencies ?? []) {
      if (artifacts[dep]?.type !== 'cdk:asset-manifest') continue;
      const file = join(dir, `${dep}.json`);
      const assets = existsSync(file) ? readJson<AssetManifest>(file, 'asset manifest') : {};
      for (const asset of Object.values(assets.files ?? {})) {
        if (asset.source.path === undefined) continue;
        for (const destination of Object.values(asset.destinations)) {
          assetsByObjectKey.set(destination.objectKey, {
            path: join(dir, asset.source.path),
            packaging: asset.source.packaging ?? 'file',
          });
        }
      }
    }
    stacks.push({
      name: artifact.properties?.stackName ?? id,
      templateFile,
      template,
      assetsByObjectKey,
    });
  }
  return stacks;
}

/** The one stack named `name`, or the only stack when no name is given. */
export function pickStack(
  stacks: readonly AssemblyStack[],
  name: string | undefined,
): AssemblyStack {
  const names = stacks.map((s) => s.name);
  if (name !== undefined) {
    const stack = stacks.find((s) => s.name === name);
    if (stack === undefined) {
      throw new DeployError(
        `stack "${name}" is not in the cloud assembly (it has: ${names.join(', ') || 'none'})`,
      );
    }
    return stack;
  }
  if (stacks.length !== 1) {
    throw new DeployError(
      `the cloud assembly has ${stacks.length} stacks (${names.join(', ') || 'none'}); name one with --stack`,
    );
  }
  return stacks[0] as AssemblyStack;
}

/** The size in bytes of a bundle asset's `index.mjs`, or undefined for other assets. */
export function bundleSize(assetPath: string): number | undefined {
  const file = join(assetPath, 'index.mjs');
  return existsSync(file) ? statSync(file).size : undefined;
}
