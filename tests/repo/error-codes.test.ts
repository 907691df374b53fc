import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/errors.md is the catalogue of our error codes; this keeps it and the sources in step.
const root = fileURLToPath(new URL('../..', import.meta.url));
const catalogue = readFileSync(join(root, 'docs/errors.md'), 'utf8');

function errorSources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'generated') found.push(...errorSources(path));
    else if (entry.name === 'errors.ts') found.push(path);
  }
  return found;
}

const sources = readdirSync(join(root, 'packages')).flatMap((pkg) =>
  errorSources(join(root, 'packages', pkg, 'src')),
);
const sourceText = sources.map((file) => readFileSync(file, 'utf8')).join('\n');

/** Our own codes in the sources: SCREAMING_SNAKE string literals with at least one underscore. */
const sourceCodes = new Set(
  [...sourceText.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)].map((m) => m[1] as string),
);
/** Codes the catalogue lists: the backticked first column of its tables. */
const listedCodes = new Set(
  [...catalogue.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1] as string),
);

describe('docs/errors.md', () => {
  it('finds error sources and catalogue rows', () => {
    expect(sources.length).toBeGreaterThanOrEqual(7);
    expect(sourceCodes.size).toBeGreaterThanOrEqual(20);
  });

  it('lists every code the packages define', () => {
    const missing = [...sourceCodes].filter((code) => !listedCodes.has(code));
    expect(missing).toEqual([]);
  });

  it('lists only codes that exist in the sources', () => {
    // SignatureError builds `SIGV4_<AWS error name>` codes; the rest are literals.
    const unknown = [...listedCodes].filter((code) => {
      if (code.startsWith('SIGV4_')) return !sourceText.includes('SIGV4_');
      return !sourceText.includes(`'${code}'`);
    });
    expect(unknown).toEqual([]);
  });
});
