/**
 * Generates the Matter 1.4 table of `@c2c-kit/matter` from `@matter/model` (0.15.x = Matter 1.4.1).
 *
 * Output: `packages/matter/src/generated/{clusters,device-types,source}.ts`, compact JSON-like data
 * typed by `packages/matter/src/model.ts`. matter.js is a build-time input only; the runtime package
 * never imports it. Editorial corrections come from `codegen/inputs/matter/overrides.json`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { Matter } from '@matter/model';
import type {
  ClusterDef,
  DeviceTypeDef,
  MatterModelSource,
} from '../../../packages/matter/src/model.js';
import { inflatePacked } from '../../../packages/matter/src/packed.js';
import { buildCluster, buildDeviceType, type Overrides } from './cluster-defs.js';
import { pack } from './pack.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outDir = 'packages/matter/src/generated';
/** The spec version AWS capability ids carry (`matter.FanControl@1.4`). */
const SPEC_VERSION = '1.4';

function banner(source: MatterModelSource): string {
  return [
    '// GENERATED FILE, DO NOT EDIT. Regenerate with `npm run gen`.',
    `// Source: ${source.package}@${source.packageVersion} (Matter ${source.specRevision}),`,
    '// generator codegen/src/matter/generate-matter.ts, overrides codegen/inputs/matter/overrides.json.',
    '',
  ].join('\n');
}

/**
 * Brotli + base64 of a packed text. Brotli's output can differ between Node versions while the
 * text is the same, so when the committed file already holds this exact text its bytes are kept:
 * `gen:check` then tests the content, not the compressor's version.
 */
async function compressed(text: string, path: string): Promise<string> {
  const committed = await readFile(join(repoRoot, path), 'utf8').catch(() => '');
  const previous = /unpack\('([A-Za-z0-9+/=]+)'\)/.exec(committed)?.[1];
  if (previous !== undefined && inflatePacked(previous) === text) return previous;
  return brotliCompressSync(Buffer.from(text, 'utf8'), {
    params: {
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_LGWIN]: zlib.BROTLI_MAX_WINDOW_BITS,
      [zlib.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  }).toString('base64');
}

/** `@matter/model` does not export its package.json: walk up from the resolved entry point. */
async function modelPackageJson(): Promise<{ name: string; version: string }> {
  let dir = dirname(createRequire(import.meta.url).resolve('@matter/model'));
  for (;;) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: string; version: string };
      if (pkg.name === '@matter/model') return pkg as { name: string; version: string };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('generate-matter: cannot find @matter/model/package.json');
    dir = parent;
  }
}

/**
 * The table as plain data — what `listClusters()` / `listDeviceTypes()` must return once the
 * packed files are decoded (the generator test compares the two).
 */
export async function buildTable(): Promise<{
  source: MatterModelSource;
  clusters: ClusterDef[];
  deviceTypes: DeviceTypeDef[];
}> {
  const overrides = JSON.parse(
    await readFile(join(repoRoot, 'codegen/inputs/matter/overrides.json'), 'utf8'),
  ) as Overrides;
  const pkg = await modelPackageJson();
  const source: MatterModelSource = {
    package: '@matter/model',
    packageVersion: pkg.version,
    specRevision: String(Matter.revision ?? '1.4'),
    specVersion: SPEC_VERSION,
  };
  if (!source.packageVersion.startsWith('0.15.')) {
    // 0.16+ models later specs (Thermostat r11 breaks AWS's revision cap); 1.4 is what AWS uses.
    throw new Error(
      `generate-matter: expected @matter/model 0.15.x (Matter 1.4), got ${pkg.version}`,
    );
  }

  const clusters = Matter.clusters
    .filter((c) => c.id !== undefined)
    .sort((a, b) => (a.id as number) - (b.id as number))
    .map((c) => buildCluster(c, overrides));
  const deviceTypes = Matter.deviceTypes
    .filter((d) => d.id !== undefined)
    .sort((a, b) => (a.id as number) - (b.id as number))
    .map((d) => buildDeviceType(d, overrides));
  return { source, clusters, deviceTypes };
}

export async function generate(): Promise<Map<string, string>> {
  const { source, clusters, deviceTypes } = await buildTable();
  const head = banner(source);
  const names = (d: { id: number; name: string; displayName: string }) => [
    d.id,
    d.name,
    d.displayName,
  ];
  const files = new Map<string, string>();
  files.set(
    `${outDir}/clusters.ts`,
    `${head}import type { ClusterDef } from '../model.js';\nimport { type Pack, unpack } from '../packed.js';\n\n` +
      `/** Every Matter 1.4 cluster with an id, sorted by id; heads are [id, name, displayName]. */\n` +
      `export const CLUSTERS: Pack<ClusterDef, [number, string, string]> = unpack('${await compressed(pack(clusters, names), `${outDir}/clusters.ts`)}');\n`,
  );
  files.set(
    `${outDir}/device-types.ts`,
    `${head}import type { DeviceTypeDef } from '../model.js';\nimport { type Pack, unpack } from '../packed.js';\n\n` +
      `/** Every Matter 1.4 device type with an id, sorted by id; heads are [id, name, displayName]. */\n` +
      `export const DEVICE_TYPES: Pack<DeviceTypeDef, [number, string, string]> = unpack('${await compressed(pack(deviceTypes, names), `${outDir}/device-types.ts`)}');\n`,
  );
  files.set(
    `${outDir}/source.ts`,
    `${head}import type { MatterModelSource } from '../model.js';\n\n` +
      `/** Where the generated table comes from. */\n` +
      `export const MATTER_MODEL_SOURCE: MatterModelSource = ${JSON.stringify(source, null, 2)};\n`,
  );
  return files;
}
