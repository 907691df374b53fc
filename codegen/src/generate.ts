/**
 * Regenerates every committed generated file from its pinned model, or with `--check` fails when a
 * committed file differs from what the generators produce now.
 *
 *   npm run gen          # write src/generated/ in each package
 *   npm run gen:check    # exit 1 and list stale files
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A generator returns the files it owns: repo-relative path → full content. */
export type Generator = () => Promise<Map<string, string>>;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function loadGenerators(): Promise<Array<[string, Generator]>> {
  const protocol = (await import('./smithy/generate-protocol.js')) as { generate: Generator };
  const matter = (await import('./matter/generate-matter.js')) as { generate: Generator };
  return [
    ['protocol', protocol.generate],
    ['matter', matter.generate],
  ];
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [name, generate] of await loadGenerators()) {
    const files = await generate();
    for (const [path, content] of files) {
      const absolute = join(repoRoot, path);
      const current = await readFile(absolute, 'utf8').catch(() => undefined);
      if (current === content) continue;
      if (check) {
        stale.push(relative(repoRoot, absolute));
      } else {
        await mkdir(dirname(absolute), { recursive: true });
        await writeFile(absolute, content);
      }
    }
    if (!check) console.log(`gen: ${name}: ${files.size} files`);
  }
  if (check && stale.length > 0) {
    console.error(
      `gen:check: generated files are stale; run \`npm run gen\`:\n  ${stale.join('\n  ')}`,
    );
    process.exit(1);
  }
  if (check) console.log('gen:check: generated files are up to date');
}

await main();
