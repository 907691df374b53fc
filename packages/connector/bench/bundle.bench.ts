// esbuild bundle of the README example handler: minified size (goal ≤ 300 KB) and cold import
// time in a fresh Node process next to an empty handler's (goal ≤ 2×), same run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
// The same example with esbuild code splitting (ESM chunks in the Lambda zip): lazily imported
// parts (the AWS SDK glue) become chunks that load only when first used.
const splitDir = `${out}/split`;
rmSync(splitDir, { recursive: true, force: true });
const split = await build({
  ...common,
  entryPoints: { index: here('../example/acme-fan-connector.ts') },
  outdir: splitDir,
  splitting: true,
  metafile: true,
});
const outputs = split.metafile?.outputs ?? {};
const entryKey = Object.keys(outputs).find((k) => k.endsWith('index.js')) ?? '';
// Code executed at import: the entry plus the chunks it imports statically (transitively).
const atImport = new Set<string>();
const visit = (key: string) => {
  if (atImport.has(key) || !outputs[key]) return;
  atImport.add(key);
  for (const imp of outputs[key]?.imports ?? [])
    if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
};
visit(entryKey);
const splitTotal = Object.values(outputs).reduce((a, o) => a + o.bytes, 0);
const splitAtImport = [...atImport].reduce((a, k) => a + (outputs[k]?.bytes ?? 0), 0);
const splitEntry = `${process.cwd()}/${entryKey}`;
const emptySrc = `${out}/empty-src.mjs`;
writeFileSync(emptySrc, 'export const handler = async () => ({ statusCode: 200 });\n');
const empty = `${out}/empty.mjs`;
await build({ ...common, entryPoints: [emptySrc], outfile: empty });

function coldImportMs(file: string): number {
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(3);process.stdout.write(String(performance.now()-t));`;
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
  return Number(run.stdout);
}
const times = {
  example: [] as number[],
  empty: [] as number[],
  runtime: [] as number[],
  split: [] as number[],
};
for (let i = 0; i < RUNS; i++) {
  times.empty.push(coldImportMs(empty));
  times.example.push(coldImportMs(example));
  times.runtime.push(coldImportMs(runtime));
  times.split.push(coldImportMs(splitEntry));
}
const size = statSync(example).size;
const ex = median(times.example);
const em = median(times.empty);
console.log('| bundle | minified size | cold import (median of', RUNS, 'fresh processes) |');
console.log('|---|---|---|');
console.log(
  `| README example handler (createConnector + matter + webhooks) | ${(size / 1024).toFixed(1)} KB | ${ex.toFixed(1)} ms |`,
);
console.log(
  `| runtime alone (createConnector + webhooks, no matter builders in author code) | ${(statSync(runtime).size / 1024).toFixed(1)} KB | ${median(times.runtime).toFixed(1)} ms |`,
);
console.log(
  `| README example, --splitting: loaded at import / all chunks | ${(splitAtImport / 1024).toFixed(1)} KB / ${(splitTotal / 1024).toFixed(1)} KB | ${median(times.split).toFixed(1)} ms |`,
);
console.log(
  `| README example, esbuild's default mainFields (main before module) | ${(statSync(defaultMain).size / 1024).toFixed(1)} KB | — |`,
);
console.log(
  `| empty handler (baseline) | ${(statSync(empty).size / 1024).toFixed(2)} KB | ${em.toFixed(1)} ms |`,
);
console.log(
  `\nsize goal ≤ 300 KB: ${size <= 300 * 1024 ? 'met' : 'NOT met'}; import ratio ${(ex / em).toFixed(2)}× (goal ≤ 2×)`,
);
reportFigure({
  name: 'connector: README example bundle (esbuild, minified)',
  value: `${(size / 1024).toFixed(1)} KB, cold import ${ex.toFixed(1)} ms`,
  baseline: `empty handler ${em.toFixed(1)} ms`,
  goal: '≤ 300 KB, ≤ 2×',
  met: size <= 300 * 1024 && ex <= 2 * em,
});
