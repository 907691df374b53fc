import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The example in docs/aws-services.md must run as written: it is extracted, its package imports
// pointed at this workspace, and run with tsx next to a copy of the echo fixture.
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);

describe('docs/aws-services.md example', () => {
  it('runs and prints what the comments say', { timeout: 60_000 }, () => {
    const doc = readFileSync(here('../docs/aws-services.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toBeTypeOf('string');
    const dir = mkdtempSync(join(tmpdir(), 'c2c-docs-'));
    try {
      const rewritten = (code as string)
        .replace("'@c2c-kit/emulator'", `'${pathToFileURL(here('../src/index.ts')).href}'`)
        .replace(
          /'(@aws-sdk\/client-[a-z-]+)'/g,
          (_m, pkg: string) => `'${pathToFileURL(require.resolve(pkg)).href}'`,
        );
      writeFileSync(join(dir, 'example.mts'), rewritten);
      copyFileSync(here('./fixtures/functions/echo.mjs'), join(dir, 'echo.mjs'));
      const run = spawnSync(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', join(dir, 'example.mts')],
        {
          cwd: here('../../..'),
          encoding: 'utf8',
          timeout: 50_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toEqual([
        '{ a: 1 } echo',
        '200',
        'work',
        expect.stringMatching(
          /^arn:aws:secretsmanager:us-east-1:111122223333:secret:acme\/oauth-[A-Za-z0-9]{6}$/,
        ),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
