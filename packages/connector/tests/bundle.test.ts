// A Lambda bundle of the main entry must not carry better-sqlite3 (an optional peer dependency
// used only by `@c2c-kit/connector/sqlite`): a deployment would otherwise need a native module
// compiled for Lambda that it never uses. Bundled with the README's esbuild settings
// (bench/bundle.bench.ts), nothing external but the AWS SDK, so any import of it would show.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(entry: string, minify = false) {
  const result = await build({
    minify,
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Sources of the workspace packages; 'module' stays (custom conditions replace esbuild's
    // default), so packages resolve to their ESM builds as in a deployment.
    conditions: ['source', 'module'],
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    // The native addon itself is not JavaScript; its loader is what an import would pull in.
    loader: { '.node': 'empty' },
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const text = result.outputFiles.map((f) => f.text).join('\n');
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
  return { inputs, text, bytes };
}

const sqlite = (s: string) => /better-sqlite3/.test(s);

describe('bundles', () => {
  // A size, not a time: the same on every machine. The README example, as a Lambda deployment
  // bundles it (minified, AWS SDK external), stays within 200 KB; docs/benchmarks.md has the
  // figure and its cold import time.
  it('the README example bundles to at most 200 KB', async () => {
    const example = await bundle('../example/acme-fan-connector.ts', true);
    expect(example.inputs.length).toBeGreaterThan(20);
    expect(example.bytes).toBeLessThanOrEqual(200 * 1024);
  }, 60_000);

  it('the main entry reaches no better-sqlite3', async () => {
    // Prepare, Act
    const main = await bundle('../src/index.ts');
    // Assess
    expect(main.inputs.length).toBeGreaterThan(20);
    expect(main.inputs.filter(sqlite)).toEqual([]);
    expect(sqlite(main.text)).toBe(false);
  }, 60_000);

  it('the ./sqlite entry does (the check above can fail)', async () => {
    const entry = await bundle('../src/sqlite.ts');
    expect(entry.inputs.filter(sqlite).length).toBeGreaterThan(0);
  }, 60_000);

  // The same for the DynamoDB client (external here, as in a Lambda bundle, so named in the text).
  it('the main entry imports no DynamoDB client; the ./dynamodb entry does', async () => {
    const dynamo = (s: string) => /@aws-sdk\/client-dynamodb/.test(s);
    expect(dynamo((await bundle('../src/index.ts')).text)).toBe(false);
    expect(dynamo((await bundle('../src/dynamodb.ts')).text)).toBe(true);
  }, 60_000);
});
