// What `bundleEntry` ships for a connector, checked on the connector README's example: packages'
// ESM builds, the lazily imported signer and its built-ins out of the code that runs at import,
// every file an ES module Lambda loads as one, and a bundle that starts and answers.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFiles } from '@c2c-kit/testing/bundles';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleEntry } from '../src/bundle.js';

const example = fileURLToPath(
  new URL('../../connector/example/acme-fan-connector.ts', import.meta.url),
);
const dir = bundleEntry(example, { conditions: ['source'] });
const files = readdirSync(dir);
const code = (file: string) => readFileSync(join(dir, file), 'utf8');
/** Built-ins imported statically by a file. */
const builtins = (text: string) =>
  [...text.matchAll(/from\s*"(node:[^"]+)"/g)].map((m) => m[1] as string);

describe('bundleEntry', () => {
  it('writes the entry as index.mjs, and every chunk as .mjs with its source map', () => {
    expect(files).toContain(BUNDLE_FILE);
    const scripts = files.filter((f) => !f.endsWith('.map'));
    expect(scripts.length).toBeGreaterThan(1);
    for (const f of scripts) {
      expect(f).toMatch(/\.mjs$/);
      expect(files).toContain(`${f}.map`);
    }
  });

  it("resolves packages' ESM builds, also when conditions are given (no CommonJS @smithy/core)", () => {
    const sources = files
      .filter((f) => f.endsWith('.map'))
      .flatMap((f) => JSON.parse(code(f)).sources as string[]);
    expect(sources.some((s) => s.includes('@smithy/signature-v4/dist-es/'))).toBe(true);
    expect(sources.filter((s) => s.includes('/dist-cjs/'))).toEqual([]);
  });

  it('keeps the signer and node:crypto out of what runs at import', () => {
    // Everything index.mjs pulls in statically, transitively, and what only import() reaches.
    const { atImport, lazy } = bundleFiles(dir, BUNDLE_FILE);
    expect(lazy.length).toBeGreaterThan(0);
    for (const f of atImport) expect(builtins(code(f))).not.toContain('node:crypto');
    expect(lazy.some((f) => builtins(code(f)).includes('node:crypto'))).toBe(true);
  });

  it('starts in a fresh Node process without node:crypto, which its chunks load on first use', () => {
    const lazy = files.filter((f) => f.endsWith('.mjs') && f !== BUNDLE_FILE);
    const script = `
      const m = await import(${JSON.stringify(join(dir, BUNDLE_FILE))});
      if (typeof m.handler !== 'function') process.exit(3);
      const crypto = () => process.moduleLoadList.includes('NativeModule crypto');
      const atImport = crypto();
      for (const f of ${JSON.stringify(lazy)}) await import(${JSON.stringify(`${dir}/`)} + f);
      process.stdout.write(JSON.stringify({ atImport, afterChunks: crypto() }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ACME_WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ atImport: false, afterChunks: true });
  });
});
