#!/usr/bin/env node
// Bundles the c2c-emulator program (src/bin.ts with the workspace packages and Fastify) into one
// CommonJS file, dist/bin.bundle.cjs, which bin/c2c-emulator.js compiles with a V8 code cache.
// Start-up is mostly module loading: Node resolves, reads and links each of the ~300 files one by
// one, then compiles them; one file of the same code loads in a fraction of that, and its code
// cache spares most of the compiling (docs/benchmarks.md). CommonJS because Node 20 can cache
// the compiled code of a script (node:vm), not of an ES module. The library (`@c2c-kit/emulator`,
// dist/index.js) is not bundled: its users share Fastify and the SDK with the rest of their code.
// The first line names the build (a hash of the rest), so a code cache never outlives its bundle.
// Run by `npm run build`; `--outfile <path>` writes elsewhere (tests bundle into a scratch dir).
// Usage: node packages/emulator/scripts/bundle-bin.mjs [--outfile <path>]
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = values.outfile ?? join(pkg, 'dist', 'bin.bundle.cjs');

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

const result = await build({
  entryPoints: [join(pkg, 'src', 'bin.ts')],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Workspace packages from their TypeScript source, as the tests run them.
  conditions: ['source'],
  // The packages the emulator loads only on first use (DynamoDB, Kinesis deliveries, OAuth,
  // Lambda zips): left to Node's resolution from the package, as unbundled. better-sqlite3's
  // JavaScript is bundled; its native addon is required by path (src/plugins/db.ts).
  external: ['dynalite', 'undici', 'fflate', '@aws-sdk/*', '@smithy/*'],
  // CommonJS has no import.meta: the bundle's own URL stands in (see ownImportMeta).
  define: { 'import.meta.url': '__bundleUrl' },
  plugins: [ownImportMeta],
  // Non-ASCII in strings, template literals, regular expressions and names comes out as escapes
  // (esbuild's default, stated because the step below relies on it).
  charset: 'ascii',
  logLevel: 'warning',
});
// The bundle's own URL is set after "use strict", which must stay the first statement. The text
// is kept ASCII, so bin/c2c-emulator.js can read it as one-byte text: one non-ASCII byte in 2.5 MB
// sends Node down its slow UTF-8 decoding and gives V8 a two-byte string to compile. What esbuild
// leaves non-ASCII is in comments only (`charset: 'ascii'` escapes the rest), where an escape
// reads as well.
const code = [
  '"use strict";',
  "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;",
  (result.outputFiles[0]?.text ?? '').replace(/^#!.*\n/, '').replace(/^"use strict";\n/, ''),
]
  .join('\n')
  .replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const build_ = createHash('sha256').update(code).digest('hex').slice(0, 16);
mkdirSync(dirname(outfile), { recursive: true });
// Code caches of earlier builds (bin/c2c-emulator.js names them by build) go with them.
const stem = basename(outfile).replace(/\.cjs$/, '');
for (const f of readdirSync(dirname(outfile))) {
  if (f.startsWith(`${stem}.`) && f.endsWith('.v8cache')) rmSync(join(dirname(outfile), f));
}
writeFileSync(outfile, `// c2c-emulator build ${build_}\n${code}`);
