import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { BundlingError } from './errors.js';

/** How a Lambda entry is bundled. Every field has a default fit for a c2c-kit connector. */
export interface BundlingOptions {
  /**
   * Export conditions to resolve packages with besides `module`, e.g. `['source']` inside a
   * workspace. Default none.
   */
  readonly conditions?: readonly string[];
  /** Modules left out of the bundle besides `@aws-sdk/*` (which the Lambda runtime provides). */
  readonly externals?: readonly string[];
  /** Minify the bundle. Default `true`. */
  readonly minify?: boolean;
  /** esbuild `define` replacements (values are JavaScript expressions as strings). */
  readonly define?: Readonly<Record<string, string>>;
}

/** The file Lambda loads (`index.handler` → `index.mjs`). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * First lines of every bundle. CommonJS dependencies inside an ESM bundle still call `require`;
 * source maps are switched on by the bundle itself, so the Lambda needs no NODE_OPTIONS and stack
 * traces name the TypeScript sources (the `.map` file sits beside the bundle).
 */
const BANNER = [
  "import { createRequire as __c2cCreateRequire } from 'node:module';",
  'const require = __c2cCreateRequire(import.meta.url);',
  'process.setSourceMapsEnabled(true);',
].join('\n');

const cache = new Map<string, string>();

/**
 * Bundles `entry` with esbuild into a fresh directory holding `index.mjs`, the chunks it imports
 * and their source maps (ESM, minified, Node 22, packages' ESM builds first) and returns the
 * directory for `Code.fromAsset`. Synchronous, since constructs are built in constructors; one
 * bundle per entry and options per process, so several stacks of one app share it.
 *
 * Code splitting keeps what the connector imports lazily — the SigV4 signer, the AWS SDK glue —
 * in chunks loaded on first use. In one file, esbuild hoists their static imports of built-ins
 * (`@smithy/core` imports `node:crypto`) to the top, and every cold start pays for them
 * (docs/benchmarks.md, the README example bundle).
 */
export function bundleEntry(entry: string, options: BundlingOptions = {}): string {
  const file = resolve(entry);
  const key = JSON.stringify([file, options]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  if (!existsSync(file)) throw new BundlingError(entry, 'no such file');
  const outdir = mkdtempSync(join(tmpdir(), 'c2c-kit-bundle-'));
  try {
    buildSync({
      entryPoints: { [BUNDLE_FILE.replace(/\.mjs$/, '')]: file },
      outdir,
      // .mjs, so Node loads every chunk as ESM without a package.json beside it.
      outExtension: { '.js': '.mjs' },
      splitting: true,
      chunkNames: 'chunk-[hash]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      // esbuild's node default is main,module: that takes CommonJS builds that do not tree-shake.
      mainFields: ['module', 'main'],
      // esbuild drops its default `module` condition once any are given; without it packages
      // such as @smithy/core resolve to their CommonJS builds ("node"), which do not tree-shake.
      conditions: ['module', ...(options.conditions ?? [])],
      external: ['@aws-sdk/*', ...(options.externals ?? [])],
      minify: options.minify ?? true,
      sourcemap: 'linked',
      sourcesContent: false,
      banner: { js: BANNER },
      define: { ...(options.define ?? {}) },
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } }[] }
    ).errors;
    const first = errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    const reason = first ? `${first.text}${where}` : (error as Error).message;
    throw new BundlingError(entry, reason, { cause: error });
  }
  cache.set(key, outdir);
  return outdir;
}
