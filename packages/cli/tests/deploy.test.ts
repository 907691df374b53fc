import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConnectorEntry } from '../src/commands/deploy.js';
import { appSource } from '../src/deploy/synth.js';
import { runCliInProcess } from './helpers/bin.js';

// `c2c deploy --synth-only`: a real synthesis of the reference connector into a cloud assembly.

const root = fileURLToPath(new URL('../../..', import.meta.url));

// No credentials, no region: synthesis must not need them.
const run = (argv: string[]) => runCliInProcess(['deploy', ...argv], { cwd: root, env: {} });

describe('c2c deploy --synth-only', () => {
  it('writes the template and the bundles of the reference connector', async () => {
    const out = mkdtempSync(join(tmpdir(), 'c2c-deploy-'));
    const result = await run([
      '--synth-only',
      '--out',
      out,
      '--connector',
      'examples/acme-connector',
      '--condition',
      'source',
      '--name',
      'Acme',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\nsynthesized stack Acme into .+ \(no AWS endpoint contacted\)\n/,
    );
    expect(result.stdout).toMatch(/ {2}template {2}.+Acme\.template\.json \(\d+ resources\)/);
    const template = JSON.parse(readFileSync(join(out, 'Acme.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map(
      (r) => r.Type,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::Lambda::Function',
        'AWS::Lambda::Url',
        'Custom::C2cCloudConnector',
      ]),
    );
    const assets = readdirSync(out).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(2);
    for (const dir of assets) {
      expect(existsSync(join(out, dir, 'index.mjs'))).toBe(true);
      expect(result.stdout).toContain(`${dir} index.mjs`);
    }
  });

  it('--synth-only needs --out; one target at a time; --app or --connector', async () => {
    const noOut = await run(['--synth-only']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('c2c deploy: --synth-only needs --out <dir>');
    const two = await run(['--local', '--synth-only', '--out', 'x']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('choose one target, got --synth-only and --local');
    const both = await run(['--synth-only', '--out', 'x', '--app', 'a', '--connector', 'b']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give --app or --connector, not both');
  });

  it('refuses the AWS target while AWS_ENDPOINT_URL points elsewhere', async () => {
    const result = await runCliInProcess(['deploy', '--connector', 'examples/acme-connector'], {
      cwd: root,
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AWS_ENDPOINT_URL is set (http://127.0.0.1:4566)');
  });

  it('a connector path that is not there is a deploy error (exit 1)', async () => {
    const missing = await run([
      '--synth-only',
      '--out',
      join(tmpdir(), 'never'),
      '--connector',
      'no/such/dir',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^c2c: --connector .*no\/such\/dir: no such file or directory\n$/,
    );
  });

  it('finds a package directory entry through its exports, conditions first', () => {
    const dir = join(root, 'examples/acme-connector');
    expect(resolveConnectorEntry(dir, ['source'])).toBe(join(dir, 'src/index.ts'));
    expect(resolveConnectorEntry(dir, [])).toBe(join(dir, 'dist/index.js'));
  });
});

describe('what c2c deploy synthesizes', () => {
  const dir = (files: Record<string, string>) => {
    const d = mkdtempSync(join(tmpdir(), 'c2c-deploy-source-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  };
  const project = () => dir({ 'cdk.json': JSON.stringify({ app: 'npx tsx infra/app.ts' }) });

  it("--app <project dir>: its cdk.json's app, run in that directory", () => {
    const p = project();
    expect(appSource({ app: p, conditions: [] }, tmpdir())).toEqual({
      kind: 'command',
      command: 'npx tsx infra/app.ts',
      workingDirectory: p,
    });
  });

  it('no flag: ./cdk.json; --app <assembly>; --app <command> run here', () => {
    const p = project();
    expect(appSource({ conditions: [] }, p)).toMatchObject({ workingDirectory: p });
    const assembly = dir({ 'manifest.json': '{}' });
    expect(appSource({ app: assembly, conditions: [] }, p)).toEqual({
      kind: 'assembly',
      dir: assembly,
    });
    expect(appSource({ app: 'node app.js', conditions: [] }, p)).toEqual({
      kind: 'command',
      command: 'node app.js',
      workingDirectory: p,
    });
  });

  it('a cdk.json without an app is refused, naming the file', () => {
    const p = dir({ 'cdk.json': '{"context": {}}' });
    expect(() => appSource({ app: p, conditions: [] }, tmpdir())).toThrow(
      `${join(p, 'cdk.json')}: expected an "app" command`,
    );
  });
});
