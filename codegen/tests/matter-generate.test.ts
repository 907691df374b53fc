import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listClusters, listDeviceTypes } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { buildTable, generate } from '../src/matter/generate-matter.js';

const repoRoot = join(import.meta.dirname, '..', '..');

describe('matter generator', () => {
  it('committed packages/matter/src/generated/ equals what generate() produces now', async () => {
    const files = await generate();
    expect([...files.keys()].sort()).toEqual([
      'packages/matter/src/generated/clusters.ts',
      'packages/matter/src/generated/device-types.ts',
      'packages/matter/src/generated/source.ts',
    ]);
    for (const [path, content] of files) {
      const committed = await readFile(join(repoRoot, path), 'utf8');
      // Compare lengths first so a stale 700 KB file does not produce a 700 KB diff message.
      expect(committed.length, `${path} is stale; run npm run gen`).toBe(content.length);
      expect(committed === content, `${path} is stale; run npm run gen`).toBe(true);
    }
  });

  it('writes the do-not-edit banner with the source package and version', async () => {
    const files = await generate();
    for (const content of files.values()) {
      expect(content).toMatch(/^\/\/ GENERATED FILE, DO NOT EDIT\./);
      expect(content).toMatch(/Source: @matter\/model@0\.15\.\d+ \(Matter 1\.4/);
    }
  });

  it('the packed table decodes to exactly the data the generator built (nothing lost or changed)', async () => {
    const { clusters, deviceTypes } = await buildTable();
    // Through JSON: the built objects may carry `undefined` keys, which JSON (and the pack) omits.
    const plain = (x: unknown) => JSON.stringify(x);
    const decoded = listClusters();
    expect(decoded.length).toBe(clusters.length);
    for (let i = 0; i < clusters.length; i++) {
      // Per cluster (also key order), so a mismatch names the cluster instead of a 700 KB diff.
      expect(plain(decoded[i]), `cluster ${clusters[i]?.name}`).toBe(plain(clusters[i]));
    }
    expect(plain(listDeviceTypes())).toBe(plain(deviceTypes));
  });
});
