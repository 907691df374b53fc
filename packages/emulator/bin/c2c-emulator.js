#!/usr/bin/env node
// npm links bins while it installs, before the root's `prepare` has built dist/: this file exists
// then, so `npx c2c-emulator` is linked right after `npm ci`. The program itself is src/bin.ts,
// bundled by `npm run build` into dist/bin.bundle.cjs (scripts/bundle-bin.mjs), which this file
// compiles with V8's code cache: the compiled code of an earlier start, kept beside the bundle
// and named by the bundle's build, so it is used only with the code it was made from. Without a
// cache, or with one this Node cannot use, the start compiles as usual and leaves a cache for the
// next; a package directory that cannot be written to just goes without. This file is CommonJS
// (bin/package.json): an ES module entry point has Node set up its ES module loader first, work a
// start would do for this one file only.
const { isAscii } = require('node:buffer');
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { constants, Script } = require('node:vm');

const file = join(__dirname, '..', 'dist', 'bin.bundle.cjs');
const bytes = readFileSync(file);
// scripts/bundle-bin.mjs writes ASCII, which reads fastest as Latin-1 (the same characters); a
// bundle that is not falls back to UTF-8.
const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
const build = /^\/\/ c2c-emulator build ([0-9a-f]+)\n/.exec(source)?.[1];
const cacheFile = build === undefined ? undefined : file.replace(/\.cjs$/, `.${build}.v8cache`);
let cachedData;
try {
  if (cacheFile !== undefined) cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet
}
// CommonJS's own wrapper, on the bundle's first line so its line numbers stay as they are.
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
  {
    filename: file,
    cachedData,
    // `import()` inside the bundle (packages loaded on first use) as in any module of the app.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  },
);
if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
  // Written 2 s on, once the start is over, so the functions it compiled are in the cache (a run
  // that ends sooner, `--help`, leaves none); the timer keeps no process alive, and the rename
  // keeps a concurrent start from reading half a file.
  setTimeout(() => {
    const partial = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      rmSync(partial, { force: true });
    }
  }, 2000).unref();
}
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
