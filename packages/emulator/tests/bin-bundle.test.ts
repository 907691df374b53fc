import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { until } from '@c2c-kit/testing';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, spawnEmulator } from './helpers/spawn-bin.js';

// The program users run (`c2c-emulator`) is bin/c2c-emulator.js compiling src/bin.ts bundled into
// one CommonJS file by scripts/bundle-bin.mjs, with V8's code cache. What a bundle can break is
// what finds files at run time: the Lambda host's worker bootstrap (next to its module in src/),
// better-sqlite3's native addon (required by path), dynalite, fflate and the SDK (loaded on first
// use, resolved from the package), the logger (pino, bundled). Each is exercised through the bin,
// as are the code cache's writing and reuse.

const pkg = join(import.meta.dirname, '..');
// Inside the package, so the packages the bundle leaves out resolve as they do from dist/.
const cache = join(pkg, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const scratch = mkdtempSync(join(cache, 'bin-bundle-'));
const dataRoot = mkdtempSync(join(tmpdir(), 'c2c-emu-bundle-'));
// bin/ and dist/ laid out as in the package, one level deeper than the package's own: a path
// that resolves only by the bundle's depth (`../../../src/…`, right from dist/services/lambda/)
// must not resolve by chance here.
const bundle = join(scratch, 'dist', 'bin.bundle.cjs');
const bin = join(scratch, 'bin', 'c2c-emulator.js');
const codeCaches = () => readdirSync(join(scratch, 'dist')).filter((f) => f.endsWith('.v8cache'));

function bundleBin(): void {
  const run = spawnSync(
    process.execPath,
    [join(pkg, 'scripts', 'bundle-bin.mjs'), '--outfile', bundle],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0) throw new Error(`bundle-bin.mjs failed:\n${run.stderr}`);
}

const echo = join(import.meta.dirname, 'fixtures', 'functions', 'echo.mjs');

beforeAll(() => {
  bundleBin();
  mkdirSync(join(scratch, 'bin'));
  // bin/package.json makes the bin CommonJS, as in the package.
  for (const f of ['c2c-emulator.js', 'package.json'])
    copyFileSync(join(pkg, 'bin', f), join(scratch, 'bin', f));
}, 90_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(dataRoot, { recursive: true, force: true });
});

describe('the bundled c2c-emulator', () => {
  it('is ASCII throughout, which the bin reads as one-byte text', () => {
    expect(isAscii(readFileSync(bundle))).toBe(true);
  });

  it('prints its help, and a run that short leaves no code cache', () => {
    const run = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--data-dir');
    expect(codeCaches()).toEqual([]);
  });

  it('serves health, DynamoDB and a Lambda invoke, logs at the level asked, leaves a code cache', async () => {
    const dataDir = join(dataRoot, 'data');
    const emu = await spawnEmulator(['--data-dir', dataDir, '--log-level', 'info'], bin);
    const { accessKeyId, secretAccessKey } = emu.banner;
    const config = {
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey },
    };
    const dynamo = new DynamoDBClient(config);
    const lambda = new LambdaClient(config);
    try {
      const health = await fetch(`${emu.url}/_local/health`);
      expect(health.status).toBe(200);

      // DynamoDB: dynalite is required on first use, from the package.
      await dynamo.send(
        new CreateTableCommand({
          TableName: 'bundled',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const tables = await dynamo.send(new ListTablesCommand({}));
      expect(tables.TableNames).toContain('bundled');

      // Lambda: the worker is forked from the bootstrap file shipped in src/.
      const registered = await fetch(`${emu.url}/_local/functions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'echo', handler: echo }),
      });
      expect(registered.status).toBe(201);
      const invoked = await lambda.send(
        new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ hello: 'bundle' }) }),
      );
      expect(invoked.FunctionError).toBeUndefined();
      const result = JSON.parse(new TextDecoder().decode(invoked.Payload)) as {
        event: unknown;
      };
      expect(result.event).toEqual({ hello: 'bundle' });

      // A zip upload: fflate is required on first use, from the package.
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'zipped',
          Role: 'arn:aws:iam::000000000000:role/bundled',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: {
            ZipFile: zipSync({
              'index.mjs': Buffer.from('export const handler = async (e) => ({ zipped: e });'),
            }),
          },
        }),
      );
      const zipped = await lambda.send(
        new InvokeCommand({ FunctionName: 'zipped', Payload: JSON.stringify({ n: 1 }) }),
      );
      expect(zipped.FunctionError).toBeUndefined();
      expect(JSON.parse(new TextDecoder().decode(zipped.Payload))).toEqual({ zipped: { n: 1 } });

      // The request log (pino, inside the bundle) at --log-level info.
      const requestLog = emu.logs.some((line) => line.includes('"msg":"request completed"'));
      expect(requestLog).toBe(true);

      // The code cache, named by the build on the bundle's first line, once the start is over.
      const build = /^\/\/ c2c-emulator build ([0-9a-f]+)\n/.exec(
        readFileSync(bundle, 'utf8'),
      )?.[1];
      await until('the code cache', () => codeCaches().length > 0, 10_000);
      expect(codeCaches()).toEqual([`bin.bundle.${build}.v8cache`]);
    } finally {
      dynamo.destroy();
      lambda.destroy();
      emu.child.kill('SIGTERM');
      await exited(emu.child);
    }
  }, 60_000);

  it('starts on a code cache it cannot use, and replaces it', async () => {
    const [name] = codeCaches();
    if (name === undefined) throw new Error('no code cache from the previous start');
    const file = join(scratch, 'dist', name);
    writeFileSync(file, Buffer.alloc(4096, 7));
    const emu = await spawnEmulator(['--memory'], bin);
    try {
      const health = await fetch(`${emu.url}/_local/health`);
      expect(health.status).toBe(200);
      await until('the replaced code cache', () => statSync(file).size !== 4096, 10_000);
    } finally {
      emu.child.kill('SIGTERM');
      await exited(emu.child);
    }
  }, 60_000);

  it('drops the code caches of earlier builds when it bundles again', () => {
    const stale = join(scratch, 'dist', 'bin.bundle.0123456789abcdef.v8cache');
    writeFileSync(stale, 'stale');
    bundleBin();
    expect(codeCaches()).toEqual([]);
  }, 90_000);
});
