import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles a connector fixture (`tests/fixtures/<name>.ts`) the way a Lambda deployment would,
 * on current sources, into `test-artifacts/<name>.mjs` for the emulator's Lambda host; returns
 * the bundle's path. The AWS SDK and better-sqlite3 stay external, as in a real function.
 */
export async function bundleFixture(name: string): Promise<string> {
  const artifacts = fileURLToPath(new URL('../../test-artifacts', import.meta.url));
  mkdirSync(artifacts, { recursive: true });
  const outfile = join(artifacts, `${name}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL(`../fixtures/${name}.ts`, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external: ['@aws-sdk/*', 'better-sqlite3'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return outfile;
}
