import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reading a split ES module bundle (what `bundleEntry` of @c2c-kit/cdk writes): which of its files
// run when its entry is imported and which load later. Imported as `@c2c-kit/testing/bundles`.

/** A bundle directory's `.mjs` files: those its entry imports statically (transitively), and the rest. */
export interface BundleFiles {
  /** The entry and every chunk it imports with `import … from "./…"`, directly or not. */
  readonly atImport: readonly string[];
  /** The chunks only `import("./…")` reaches: loaded on first use. */
  readonly lazy: readonly string[];
}

/** `dir`'s `.mjs` files split by when they load, given its `entry` (file names, not paths). */
export function bundleFiles(dir: string, entry: string): BundleFiles {
  const atImport = new Set<string>();
  const visit = (file: string) => {
    if (atImport.has(file)) return;
    atImport.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    for (const m of code.matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)) visit(m[1] as string);
  };
  visit(entry);
  const lazy = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !atImport.has(f));
  return { atImport: [...atImport], lazy };
}
