/** The README's example is the file examples/quickstart.ts, verbatim, and it prints what it says. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

describe('README example', () => {
  it('is included verbatim and runs with the documented output', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('../examples/quickstart.ts', import.meta.url), 'utf8');
    expect(readme).toContain(example);
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      await import('../examples/quickstart.js');
    } finally {
      spy.mockRestore();
    }
    const documented = [...example.matchAll(/^\s*\/\/ (POST .*|Operation: .*)$/gm)].map(
      (m) => m[1],
    );
    expect(lines).toEqual([...documented, 'true']);
  });
});
