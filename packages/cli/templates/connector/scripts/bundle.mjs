// Bundles the Lambda handler (src/index.ts) into one ESM file, dist/index.mjs: what you deploy,
// and what `c2c dev --connector .` runs (it calls `npm run build` first).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Prefer the packages' ESM builds: smaller, tree-shaken bundles.
  mainFields: ['module', 'main'],
  // The Lambda runtime provides the AWS SDK; the connector loads it lazily when it needs it.
  external: ['@aws-sdk/*', 'better-sqlite3'],
  sourcemap: true,
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
console.log('bundled dist/index.mjs');
