import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEVICE_KINDS } from '@c2c-kit/vendor-cloud';
import { StepFailedError, UsageError } from '../errors.js';

const run = promisify(execFile);

/** The project template: real files, linted with the repository (packages/cli/templates). */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/connector', import.meta.url));
/** The checkout's packages, packed into the new project (`npm pack`). */
const PACKAGES_DIR = fileURLToPath(new URL('../../..', import.meta.url));
/** What a generated project depends on directly; their own `@c2c-kit/*` dependencies follow. */
const DIRECT_PACKAGES = ['connector', 'matter'];
/** What only its CDK app (infra/app.ts) needs: development dependencies. */
const DEV_PACKAGES = ['cdk'];
/** Where the packed tarballs go inside the project. */
export const TARBALL_DIR = '.c2c-kit';

export const DEFAULT_KINDS = ['light', 'lock'] as const;
/** A name that is both an npm package name and a Lambda function name. */
const NAME = /^[a-z](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Lines kept only for the kinds chosen: `… // c2c-kind light`. */
const KIND_MARKER = /\s*\/\/ c2c-kind ([a-z]+)$/;

export interface ScaffoldOptions {
  readonly dir: string;
  readonly name: string;
  readonly kinds: readonly string[];
}

export interface ScaffoldResult {
  readonly files: readonly string[];
  readonly tarballs: readonly string[];
}

/** `--devices a,b` → known kinds, in the given order, without repeats; refuses anything else. */
export function parseKinds(raw: string | undefined): string[] {
  if (raw === undefined) return [...DEFAULT_KINDS];
  const kinds = [
    ...new Set(
      raw
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    ),
  ];
  if (kinds.length === 0) {
    throw new UsageError('init', `--devices: expected one or more of ${DEVICE_KINDS.join(', ')}`);
  }
  const unknown = kinds.filter((k) => !(DEVICE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UsageError(
      'init',
      `--devices: unknown device kind ${unknown.map((k) => `"${k}"`).join(', ')} (expected ${DEVICE_KINDS.join(', ')})`,
    );
  }
  return kinds;
}

/** Refuses a name npm or Lambda would not take. */
export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      'init',
      `invalid project name "${name}": expected 1-64 lowercase letters, digits and "-", starting with a letter (it names the npm package and the Lambda function; --name gives another)`,
    );
  }
  return name;
}

/** Refuses a path that exists and is not an empty directory. */
export function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new UsageError('init', `${dir} exists and is not a directory`);
  }
  if (readdirSync(dir).length > 0) {
    throw new UsageError('init', `${dir} is not empty; give a new or empty directory`);
  }
}

function templateFiles(dir = TEMPLATE_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...templateFiles(path));
    } else out.push(relative(TEMPLATE_DIR, path));
  }
  return out.sort();
}

/** A per-kind file (`src/devices/light.ts`, `tests/devices/light.test.ts`) → its kind. */
function kindOfFile(file: string): string | undefined {
  const match = /^(?:src|tests)\/devices\/([a-z]+)(?:\.test)?\.ts$/.exec(file);
  const kind = match?.[1];
  return kind !== undefined && (DEVICE_KINDS as readonly string[]).includes(kind)
    ? kind
    : undefined;
}

/** Drops the marked lines of kinds not chosen and the markers of the others. */
function selectKindLines(text: string, kinds: readonly string[]): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const match = KIND_MARKER.exec(line);
      if (!match) return [line];
      return kinds.includes(match[1] as string) ? [line.replace(KIND_MARKER, '')] : [];
    })
    .join('\n');
}

/** `short` and the checkout packages it depends on, transitively (`connector`, …). */
function withDependencies(shorts: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  const visit = (short: string) => {
    if (wanted.has(short)) return;
    wanted.add(short);
    const manifest = JSON.parse(
      readFileSync(join(PACKAGES_DIR, short, 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith('@c2c-kit/')) visit(dep.slice('@c2c-kit/'.length));
    }
  };
  for (const short of shorts) visit(short);
  return wanted;
}

/** `npm pack` of each checkout package the project needs, into `<dir>/.c2c-kit`. */
async function packPackages(dir: string): Promise<Map<string, string>> {
  const wanted = withDependencies([...DIRECT_PACKAGES, ...DEV_PACKAGES]);
  const destination = join(dir, TARBALL_DIR);
  await mkdir(destination, { recursive: true });
  const tarballs = new Map<string, string>();
  for (const short of wanted) {
    const source = join(PACKAGES_DIR, short);
    if (!existsSync(join(source, 'dist', 'index.js'))) {
      throw new StepFailedError(
        'pack c2c-kit',
        `${source}/dist is not built; run "npm run build" in the c2c-kit checkout first`,
      );
    }
    try {
      const { stdout } = await run(
        'npm',
        ['pack', source, '--pack-destination', destination, '--silent'],
        { cwd: destination },
      );
      const file = stdout.trim().split('\n').pop() ?? '';
      tarballs.set(`@c2c-kit/${short}`, `file:${TARBALL_DIR}/${basename(file)}`);
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new StepFailedError('pack c2c-kit', `npm pack ${source}: ${detail}`, { cause: error });
    }
  }
  return tarballs;
}

/**
 * The template's package.json with this project's name and the packed c2c-kit packages: what the
 * connector needs as dependencies, what only its CDK app needs as development dependencies.
 */
function projectManifest(text: string, name: string, tarballs: Map<string, string>): string {
  const manifest = JSON.parse(text) as {
    name: string;
    c2c: { functionName: string };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  manifest.name = name;
  manifest.c2c.functionName = name;
  const runtime = withDependencies(DIRECT_PACKAGES);
  const sorted = [...tarballs].sort(([a], [b]) => a.localeCompare(b));
  manifest.dependencies = Object.fromEntries(
    sorted.filter(([pkg]) => runtime.has(pkg.slice('@c2c-kit/'.length))),
  );
  for (const short of DEV_PACKAGES) {
    manifest.devDependencies[`@c2c-kit/${short}`] = tarballs.get(`@c2c-kit/${short}`) as string;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes the project: the template for the chosen kinds, then the packed packages. */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { dir, name, kinds } = options;
  checkTarget(dir);
  await mkdir(dir, { recursive: true });
  const tarballs = await packPackages(dir);
  const written: string[] = [];
  for (const file of templateFiles()) {
    const kind = kindOfFile(file);
    if (kind !== undefined && !kinds.includes(kind)) continue;
    let text = await readFile(join(TEMPLATE_DIR, file), 'utf8');
    text = selectKindLines(text, kinds)
      .replaceAll('{{name}}', name)
      .replaceAll('{{kinds}}', kinds.join(', '));
    if (file === 'package.json') text = projectManifest(text, name, tarballs);
    // npm never packs a file named .gitignore, so the template keeps it as `gitignore`.
    const target = join(dir, file === 'gitignore' ? '.gitignore' : file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    written.push(relative(dir, target));
  }
  return { files: written, tarballs: [...tarballs.values()] };
}
