#!/usr/bin/env node
// Bundles the c2c-emulator program (src/bin.ts with the workspace packages and Fastify) into one
// ES module, dist/bin.bundle.js, which bin/c2c-emulator.js runs. Start-up is mostly module
// loading: Node resolves, reads and links each of the ~300 files one by one, and one file of the
// same code loads in a fraction of that (docs/benchmarks.md). The library (`@c2c-kit/emulator`,
// dist/index.js) is not bundled: its users share Fastify and the SDK with the rest of their code.
// Run by `npm run build`; `--outfile <path>` writes elsewhere (tests bundle into a scratch dir).
// Usage: node packages/emulator/scripts/bundle-bin.mjs [--outfile <path>]
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = values.outfile ?? join(pkg, 'dist', 'bin.bundle.js');

/**
 * Modules that find files next to themselves (`new URL('./runtime/…', import.meta.url)`, a
 * `createRequire(import.meta.url)` for a package loaded on first use) see their own source file's
 * URL, as they do unbundled, instead of the bundle's: src/ ships with the package. Any other
 * workspace package reading `import.meta` fails the bundle rather than resolving the wrong file.
 */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      if (!args.path.startsWith(join(pkg, 'src') + sep)) {
        throw new Error(`${args.path} reads import.meta, which bundle-bin.mjs does not map`);
      }
      const rel = relative(dirname(outfile), args.path).split(sep).join('/');
      const url = `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [join(pkg, 'src', 'bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace packages from their TypeScript source, as the tests run them.
  conditions: ['source'],
  // A native addon, and the packages the emulator loads only on first use (DynamoDB, Kinesis
  // deliveries, OAuth): left to Node's resolution from the package, as unbundled.
  external: ['better-sqlite3', 'dynalite', 'undici', '@aws-sdk/*', '@smithy/*'],
  // Fastify and its dependencies are CommonJS: their require() of Node built-ins needs one.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  plugins: [ownImportMeta],
  logLevel: 'warning',
});
