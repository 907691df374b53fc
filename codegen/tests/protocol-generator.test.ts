/**
 * The protocol generator: committed output is what the generator produces now (staleness), its
 * output is deterministic, and a ratchet on counts makes any shrinkage of the generated surface a
 * deliberate, reviewed change.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { counts, generate } from '../src/smithy/generate-protocol.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('protocol generator', () => {
  it('committed files under packages/protocol/src/generated are up to date', async () => {
    const files = await generate();
    expect(files.size).toBe(5);
    for (const [path, content] of files) {
      expect(path.startsWith('packages/protocol/src/generated/')).toBe(true);
      const committed = await readFile(join(repoRoot, path), 'utf8');
      expect(committed === content, `${path} is stale; run \`npm run gen\``).toBe(true);
    }
  });

  it('is deterministic', async () => {
    const a = await generate();
    const b = await generate();
    expect([...a.entries()]).toEqual([...b.entries()]);
  });

  it('stamps the input hash in every banner, and the input is the pinned blob', async () => {
    const bytes = await readFile(
      join(repoRoot, 'codegen/inputs/iot-managed-integrations-2025-03-03.smithy.json'),
    );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // git blob hash, as recorded in codegen/inputs/SOURCE.md
    const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    expect(blob).toBe('a24151dba54d7a4ed097d0d1d308c457c235a593');
    for (const content of (await generate()).values()) {
      expect(content.split('\n', 3).join('\n')).toContain(sha256);
      expect(content.startsWith('// GENERATED')).toBe(true);
    }
  });

  it('ratchet: operations, shapes and errors never shrink silently', async () => {
    const c = await counts();
    // Every operation of the pinned model (83): none left out of protocol.
    expect(c.operations).toBe(83);
    expect(c.shapes).toBeGreaterThanOrEqual(300);
    expect(c.errors).toBeGreaterThanOrEqual(9);
    const validators =
      (await generate()).get('packages/protocol/src/generated/validators.ts') ?? '';
    expect(validators.match(/^function v/gm)?.length ?? 0).toBeGreaterThanOrEqual(163);
    expect(validators).not.toMatch(/\bcompile\(|new Function|eval\(/);
  });

  it('every Smithy pattern in the closure compiles to a RegExp', async () => {
    const validators =
      (await generate()).get('packages/protocol/src/generated/validators.ts') ?? '';
    const patterns = [
      ...validators.matchAll(
        /^const R\d+ = \/\* @__PURE__ \*\/ new (?:RegExp|LazyPattern)\((".*?"), ?('u')?\);$/gm,
      ),
    ];
    expect(patterns.length).toBeGreaterThan(40);
    // Every constant pattern is marked pure, so a bundle drops the ones its validators never use.
    expect(validators).not.toMatch(/^const R\d+ = new /m);
    for (const [, source, flag] of patterns) {
      expect(
        () => new RegExp(JSON.parse(source as string) as string, flag ? 'u' : ''),
      ).not.toThrow();
    }
  });
});
