/**
 * Lambda packaging of the reference connector: esbuild bundle of `dist/index.js` (minified ESM for
 * Node 20) — size, and cold import time in a fresh Node process (what a Lambda cold start pays
 * for our code), next to an empty handler bundled the same way in the same run.
 * Goals (issue 4): ≤ 300 KB minified, cold import ≤ 2× the empty handler's.
 * Bounded: 15 cold starts each.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const RUNS = 15;
const root = new URL('..', import.meta.url).pathname;
// Bundles are written inside the workspace, not os.tmpdir(): `@aws-sdk/*` stays external (the
// Lambda runtime provides it), so the cold import must resolve it from node_modules as Lambda
// resolves it from the runtime's own.
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, 'acme-bundle-'));

async function bundle(entry: string, file: string): Promise<{ file: string; top: string }> {
  const outfile = join(out, file);
  const result = await build({
    metafile: true,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // The AWS SDK is in every Node.js Lambda runtime; bundling it would only measure the SDK.
    external: ['@aws-sdk/*'],
    // ESM builds first (AWS CDK NodejsFunction's choice for ESM bundles): esbuild's node default
    // ['main', 'module'] takes @smithy/signature-v4's CommonJS build, which drags in whole
    // @smithy/core submodules (~143 KB minified instead of ~14 KB).
    mainFields: ['module', 'main'],
    // A CommonJS dependency may still call require(); an ESM bundle needs one.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  // Which packages the bytes come from, so a size regression names its cause.
  const by = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path) ?? /packages\/([^/]+)/.exec(path);
      const key = m?.[1] ?? 'acme-connector';
      by.set(key, (by.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  const top = [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`)
    .join(', ');
  return { file: outfile, top };
}

function coldImportMs(file: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`,
        '--input-type=module',
      ],
      { encoding: 'utf8', cwd: root, timeout: 20_000 },
    );
    if (run.status !== 0)
      throw new Error(`import failed: ${run.stderr.split('\n').slice(-12).join('\n')}`);
    times.push(Number(run.stdout.trim()));
  }
  return times.sort((a, b) => a - b);
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main() {
  const emptyEntry = join(out, 'empty.mjs');
  writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
  const empty = (await bundle(emptyEntry, 'empty.bundle.mjs')).file;
  const { file: acme, top } = await bundle(join(root, 'dist/index.js'), 'acme.bundle.mjs');
  const acmeKb = statSync(acme).size / 1024;
  const emptyKb = statSync(empty).size / 1024;
  const e = coldImportMs(empty);
  const a = coldImportMs(acme);
  console.log(
    `acme-connector bundle: ${acmeKb.toFixed(1)} KB minified (empty handler ${emptyKb.toFixed(1)} KB), @aws-sdk/* external`,
  );
  console.log(`  largest parts: ${top}`);
  console.log(
    `cold import median: acme ${median(a).toFixed(2)} ms, empty ${median(e).toFixed(2)} ms (${RUNS} fresh processes each)`,
  );
  console.log(`ratio acme/empty cold import: ${(median(a) / median(e)).toFixed(2)}`);
  rmSync(out, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  rmSync(out, { recursive: true, force: true });
  process.exit(1);
});
