import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinResult, PACKAGE_DIR, runBin } from './helpers/bin.js';

// `c2c init` through the real bin: what it refuses (one line, exit 2, nothing written) and what
// it writes. Installing the project and running it is tests/e2e/your-connector.test.ts.
const root = mkdtempSync(join(tmpdir(), 'c2c-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const firstLine = (r: BinResult) => r.stderr.split('\n')[0];

describe('c2c init refuses', () => {
  it('a non-empty directory', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await runBin(['init', dir]);
    expect(r.code).toBe(2);
    expect(firstLine(r)).toBe(`c2c init: ${dir} is not empty; give a new or empty directory`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  }, 30_000);

  it('an invalid name', async () => {
    const dir = join(root, 'My Connector');
    const r = await runBin(['init', dir]);
    expect(r.code).toBe(2);
    expect(firstLine(r)).toMatch(
      /^c2c init: invalid project name "My Connector": expected 1-64 lowercase letters, digits and "-"/,
    );
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('unknown device kinds, and no kinds at all', async () => {
    const dir = join(root, 'kinds');
    const unknown = await runBin(['init', dir, '--devices', 'light,toaster,kettle']);
    expect(unknown.code).toBe(2);
    expect(firstLine(unknown)).toBe(
      'c2c init: --devices: unknown device kind "toaster", "kettle" (expected camera, fan, light, lock, contact, thermostat)',
    );
    const none = await runBin(['init', dir, '--devices', ',']);
    expect(none.code).toBe(2);
    expect(firstLine(none)).toBe(
      'c2c init: --devices: expected one or more of camera, fan, light, lock, contact, thermostat',
    );
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('a missing directory argument', async () => {
    const r = await runBin(['init']);
    expect(r.code).toBe(2);
    expect(firstLine(r)).toBe('c2c init: expected the project directory: c2c init <dir>');
  }, 30_000);
});

describe('c2c init writes a project', () => {
  const dir = join(root, 'door-connector');
  let result: BinResult;
  beforeAll(async () => {
    result = await runBin(['init', dir, '--devices', 'lock,contact']);
  }, 60_000);

  it('says what it wrote and what to run next', () => {
    expect(result.code).toBe(0);
    // Paths as typed from where it ran.
    const shown = relative(PACKAGE_DIR, dir);
    expect(result.stdout).toContain(`Created door-connector in ${shown} (devices: lock, contact)`);
    expect(result.stdout).toContain(`cd ${shown} && npm install && npm test`);
    expect(result.stdout).toContain(`npx c2c dev --connector ${shown} --demo`);
  });

  it('has the chosen kinds only, with their tests', () => {
    expect(readdirSync(join(dir, 'src/devices')).sort()).toEqual([
      'contact.ts',
      'index.ts',
      'kind.ts',
      'lock.ts',
      'report.ts',
    ]);
    expect(readdirSync(join(dir, 'tests/devices')).sort()).toEqual([
      'contact.test.ts',
      'lock.test.ts',
    ]);
    const index = readFileSync(join(dir, 'src/devices/index.ts'), 'utf8');
    expect(index).toContain("import { lock } from './lock.js';\n");
    expect(index).not.toMatch(/c2c-kind|from '\.\/(light|camera|fan|thermostat)\.js'/);
    expect(existsSync(join(dir, '.gitignore'))).toBe(true);
  });

  it('depends on c2c-kit through tarballs packed into the project, never on the checkout', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      c2c: { functionName: string };
    };
    expect(manifest.name).toBe('door-connector');
    expect(manifest.c2c.functionName).toBe('door-connector');
    expect(manifest.dependencies).toEqual({
      '@c2c-kit/connector': 'file:.c2c-kit/c2c-kit-connector-0.1.0.tgz',
      '@c2c-kit/matter': 'file:.c2c-kit/c2c-kit-matter-0.1.0.tgz',
      '@c2c-kit/protocol': 'file:.c2c-kit/c2c-kit-protocol-0.1.0.tgz',
    });
    // The CDK app's construct: a development dependency, like aws-cdk-lib.
    expect(manifest.devDependencies).toMatchObject({
      '@c2c-kit/cdk': 'file:.c2c-kit/c2c-kit-cdk-0.1.0.tgz',
      'aws-cdk-lib': expect.any(String),
      constructs: expect.any(String),
    });
    for (const spec of [
      ...Object.values(manifest.dependencies),
      manifest.devDependencies['@c2c-kit/cdk'] as string,
    ]) {
      expect(existsSync(join(dir, spec.slice('file:'.length)))).toBe(true);
    }
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('# door-connector');
  });

  it('has a CDK app c2c deploy synthesizes: a C2cConnector stack named after the project', () => {
    const cdkJson = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')) as {
      app: string;
      context: Record<string, string>;
    };
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.context.webhookSecretName).toBe('door-connector/webhook-secret');
    const app = readFileSync(join(dir, 'infra/app.ts'), 'utf8');
    expect(app).toContain("new Stack(app, 'door-connector'");
    expect(app).toContain("connectorName: 'door-connector'");
    expect(app).not.toContain('{{');
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toContain('"infra"');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('cdk.out/');
  });

  it('refuses to write into it a second time', async () => {
    const again = await runBin(['init', dir]);
    expect(again.code).toBe(2);
  }, 30_000);
});
