import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DeployError } from '../errors.js';

const ENTRY_FILES = ['src/index.ts', 'index.ts', 'index.js', 'index.mjs'];

/** The handler file of `--connector`: a file as given, or a package directory's entry. */
export function resolveConnectorEntry(path: string, conditions: readonly string[]): string {
  if (!existsSync(path)) throw new DeployError(`--connector ${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return path;
  const manifest = join(path, 'package.json');
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports?: Record<string, unknown>;
      main?: string;
    };
    const root = pkg.exports?.['.'];
    const targets =
      typeof root === 'string'
        ? [root]
        : root && typeof root === 'object'
          ? [...conditions, 'import', 'default'].map((c) => (root as Record<string, unknown>)[c])
          : [];
    for (const target of [...targets, pkg.main]) {
      if (typeof target === 'string' && existsSync(join(path, target))) return join(path, target);
    }
  }
  for (const file of ENTRY_FILES) if (existsSync(join(path, file))) return join(path, file);
  throw new DeployError(
    `--connector ${path}: found no handler entry (package.json exports/main, ${ENTRY_FILES.join(', ')})`,
  );
}
