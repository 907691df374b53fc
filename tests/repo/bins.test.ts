import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npx c2c …` must work right after `npm ci`: npm links a workspace's bins only when the file
// exists at install time, which dist/ does not. Every bin points at a file under version control,
// and `npm ci` (the root's `prepare`) builds what it loads.
const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  workspaces: string[];
  scripts: Record<string, string>;
};
const bins = manifest.workspaces
  .filter((w) => !w.includes('*'))
  .flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      bin?: Record<string, string>;
    };
    return Object.entries(pkg.bin ?? {}).map(([name, target]) => ({ dir, name, target }));
  });
const tracked = new Set(
  spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).stdout.split('\n'),
);

describe('workspace bins', () => {
  it('are the three commands the docs use', () => {
    expect(bins.map((b) => b.name).sort()).toEqual(['c2c', 'c2c-emulator', 'c2c-vendor-cloud']);
  });

  it('the root builds on install, so the bins have something to run', () => {
    expect(manifest.scripts.prepare).toBe('npm run build');
  });

  for (const { dir, name, target } of bins) {
    it(`${name} points at a tracked file, linked in node_modules/.bin, that runs`, () => {
      const file = join(dir, target);
      expect(tracked.has(file.replace(/^\.\//, '')), `${file} under version control`).toBe(true);
      const link = join(root, 'node_modules', '.bin', name);
      expect(existsSync(link), `${link} linked by npm`).toBe(true);
      expect(realpathSync(link)).toBe(realpathSync(join(root, file)));
      const run = spawnSync(link, ['--help'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
      expect(run.stderr).not.toMatch(/not built yet/);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: ${name}\\b`, 'm'));
    });
  }
});
