import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = join(import.meta.dirname, '..');
const root = join(pkg, '..', '..');

describe('README example', () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const example = readFileSync(join(pkg, 'examples', 'quickstart.ts'), 'utf8');

  it('shows examples/quickstart.ts verbatim', () => {
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('prints exactly the output the README shows', () => {
    const out = execFileSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'packages/matter/examples/quickstart.ts'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    const shown = /Output:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(out).toBe(shown);
  });
});
