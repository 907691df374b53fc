// The README example handler as c2c-kit deploys it (`bundleEntry`, what `C2cConnector` and
// `c2c deploy` ship: esbuild, minified, split into an entry and chunks loaded on first use):
// size of the code shipped (goal ≤ 300 KB) and cold import time in a fresh Node process next to an
// empty handler bundled the same way (goal ≤ 2×), same run. Also, for a connector bundled as one
// file by other tools: the same example in one file, the runtime alone, and the size with
// esbuild's default mainFields.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, bundleEntry } from '@c2c-kit/cdk';
import { bundleFiles } from '@c2c-kit/testing/bundles';
import { build } from 'esbuild';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { median } from './fixtures/common.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const out = here('../test-artifacts/bench');
mkdirSync(out, { recursive: true });
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const common = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node20',
  minify: true,
  // Lambda provides the AWS SDK; the runtime imports its clients lazily anyway.
  external: ['@aws-sdk/*'],
  // Prefer a package's ESM build ("module") over "main", as AWS CDK's NodejsFunction does for ESM
  // bundles. esbuild's default for platform node is ['main', 'module']: @smithy/signature-v4's
  // "main" is its CommonJS build, whose require()s of @smithy/core pull in whole submodules;
  // its ESM build tree-shakes to the parts the signer uses.
  mainFields: ['module', 'main'],
  banner: {
    js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  },
  logLevel: 'silent' as const,
};
const example = `${out}/example.mjs`;
await build({
  ...common,
  entryPoints: [here('../example/acme-fan-connector.ts')],
  outfile: example,
  metafile: false,
});
// The runtime alone (no @c2c-kit/matter builders imported by the author's code).
const runtimeSrc = `${out}/runtime-src.mjs`;
writeFileSync(
  runtimeSrc,
  "import { createConnector, standardWebhooks, defineTranslator } from '@c2c-kit/connector';\n" +
    "export const handler = createConnector({ vendor: { resolveUser: () => 'u', listDevices: async () => [], executeCommand: async () => undefined },\n" +
    "  webhooks: { verifier: standardWebhooks({ secrets: [process.env.ACME_WEBHOOK_SECRETS ?? ''] }), translate: defineTranslator({ typeOf: (e) => e.type, rules: {} }) } });\n",
);
const runtime = `${out}/runtime.mjs`;
await build({ ...common, entryPoints: [runtimeSrc], outfile: runtime });
// The README example with esbuild's default mainFields for platform node (['main', 'module']),
// size only: what a deployment without the setting above gets.
const defaultMain = `${out}/example-default-mainfields.mjs`;
const { mainFields: _preferModule, ...withDefaultMainFields } = common;
await build({
  ...withDefaultMainFields,
  entryPoints: [here('../example/acme-fan-connector.ts')],
  outfile: defaultMain,
});
const emptySrc = `${out}/empty-src.mjs`;
writeFileSync(emptySrc, 'export const handler = async () => ({ statusCode: 200 });\n');
const empty = `${out}/empty.mjs`;
await build({ ...common, entryPoints: [emptySrc], outfile: empty });

/**
 * `bundleEntry`'s directory copied into the workspace (it writes under os.tmpdir()), so that
 * `@aws-sdk/*`, left external, resolves from node_modules as Lambda resolves it from the runtime.
 */
function shipped(entry: string, name: string) {
  const dir = `${out}/${name}`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(bundleEntry(entry), dir, { recursive: true });
  // What runs at import: the entry and the chunks it imports statically, transitively.
  const { atImport, lazy } = bundleFiles(dir, BUNDLE_FILE);
  const bytes = (files: Iterable<string>) =>
    [...files].reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  return {
    entry: join(dir, BUNDLE_FILE),
    lazy: lazy.map((f) => join(dir, f)),
    size: bytes([...atImport, ...lazy]),
    atImportSize: bytes(atImport),
  };
}
const deployed = shipped(here('../example/acme-fan-connector.ts'), 'deployed');
const deployedEmpty = shipped(emptySrc, 'deployed-empty');

/** Ms to import `file` in a fresh Node process, then to import `later` (the lazy chunks). */
function coldImport(file: string, later: readonly string[] = []): { ms: number; laterMs: number } {
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(3);const t1=performance.now();for(const f of ${JSON.stringify(later)})await import(f);process.stdout.write(JSON.stringify({ms:t1-t,laterMs:performance.now()-t1}));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ACME_WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      AWS_REGION: 'us-east-1',
    },
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`import of ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
const coldImportMs = (file: string) => coldImport(file).ms;
const times = {
  deployed: [] as number[],
  deployedLazy: [] as number[],
  deployedEmpty: [] as number[],
  example: [] as number[],
  empty: [] as number[],
  runtime: [] as number[],
};
for (let i = 0; i < RUNS; i++) {
  times.deployedEmpty.push(coldImportMs(deployedEmpty.entry));
  const d = coldImport(deployed.entry, deployed.lazy);
  times.deployed.push(d.ms);
  times.deployedLazy.push(d.laterMs);
  times.empty.push(coldImportMs(empty));
  times.example.push(coldImportMs(example));
  times.runtime.push(coldImportMs(runtime));
}
const size = deployed.size;
const ex = median(times.deployed);
const em = median(times.deployedEmpty);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log('| bundle | minified size | cold import (median of', RUNS, 'fresh processes) |');
console.log('|---|---|---|');
console.log(
  `| README example handler as deployed (bundleEntry): at import / all files | ${kb(deployed.atImportSize)} / ${kb(size)} | ${ex.toFixed(1)} ms; its ${deployed.lazy.length} lazy chunks then ${median(times.deployedLazy).toFixed(1)} ms |`,
);
console.log(
  `| empty handler as deployed (baseline) | ${kb(deployedEmpty.size)} | ${em.toFixed(1)} ms |`,
);
console.log(
  `| README example in one file (createConnector + matter + webhooks) | ${kb(statSync(example).size)} | ${median(times.example).toFixed(1)} ms |`,
);
console.log(
  `| runtime alone (createConnector + webhooks, no matter builders in author code) | ${(statSync(runtime).size / 1024).toFixed(1)} KB | ${median(times.runtime).toFixed(1)} ms |`,
);
console.log(
  `| README example, esbuild's default mainFields (main before module) | ${(statSync(defaultMain).size / 1024).toFixed(1)} KB | — |`,
);
console.log(
  `| empty handler in one file | ${(statSync(empty).size / 1024).toFixed(2)} KB | ${median(times.empty).toFixed(1)} ms |`,
);
console.log(
  `\nsize goal ≤ 300 KB: ${size <= 300 * 1024 ? 'met' : 'NOT met'}; import ratio ${(ex / em).toFixed(2)}× (goal ≤ 2×)`,
);
reportFigure({
  name: 'connector: README example bundle as deployed (esbuild, minified, split)',
  value: `${kb(size)}, cold import ${ex.toFixed(1)} ms`,
  baseline: `empty handler ${em.toFixed(1)} ms`,
  goal: '≤ 300 KB, ≤ 2×',
  met: size <= 300 * 1024 && ex <= 2 * em,
});
reportFigure({
  name: 'connector: README example bundled as one file (esbuild, minified; other tools)',
  value: `${kb(statSync(example).size)}, cold import ${median(times.example).toFixed(1)} ms`,
  baseline: `empty handler ${median(times.empty).toFixed(1)} ms`,
  goal: '—',
  met: null,
});
