// The bundle assets `c2c deploy` ships (the very ones the synthesized template names, for AWS and
// for the emulator alike): size on disk and zipped, and cold import time in fresh Node processes
// next to an empty handler bundled by the same construct code (same banner, same source maps).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleEntry } from '@c2c-kit/cdk';
import { zipAsset } from '@c2c-kit/cli';
import { App } from 'aws-cdk-lib';
import { reportFigure } from '../../../scripts/bench-figure.js';
import { AcmeConnectorStack } from '../src/stack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const outdir = mkdtempSync(join(tmpdir(), 'acme-asset-bench-'));
const app = new App({ outdir });
new AcmeConnectorStack(app, 'AcmeConnector', {
  apiUrl: 'https://api.acme.example',
  webhookSecretName: 'acme/webhook-secret',
  oauthClientSecretArn:
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/oauth-client-AbCdEf',
});
const template = app.synth().getStackByName('AcmeConnector').template as {
  Resources: Record<
    string,
    { Type: string; Properties: { Code?: { S3Key?: string }; Environment?: unknown } }
  >;
};
const assetOf = (fn: { Properties: { Code?: { S3Key?: string } } }) =>
  join(outdir, `asset.${String(fn.Properties.Code?.S3Key).replace(/\.zip$/, '')}`);
const functions = Object.values(template.Resources).filter(
  (r) => r.Type === 'AWS::Lambda::Function',
);
const connector = assetOf(
  functions.find((f) => f.Properties.Environment !== undefined) as (typeof functions)[0],
);
const registration = assetOf(
  functions.find((f) => f.Properties.Environment === undefined) as (typeof functions)[0],
);

const emptySrc = join(mkdtempSync(join(tmpdir(), 'empty-handler-')), 'empty.ts');
writeFileSync(emptySrc, 'export const handler = async () => ({ statusCode: 200 });\n');
const empty = bundleEntry(emptySrc);
// What the connector bundle imports statically from the runtime's SDK, alone: where its time goes.
const sdkSrc = join(dirname(emptySrc), 'sdk.ts');
writeFileSync(
  sdkSrc,
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const handler = async () => typeof DynamoDBClient;\n",
);
const sdkOnly = bundleEntry(sdkSrc);

// As on Lambda, the AWS SDK the bundles leave out is there to import: each asset is copied under a
// directory whose node_modules/@aws-sdk is the workspace's (as the emulator's Lambda host does).
const root = mkdtempSync(join(tmpdir(), 'asset-root-'));
mkdirSync(join(root, 'node_modules'));
symlinkSync(
  join(dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-sqs')), '..', '..'),
  join(root, 'node_modules', '@aws-sdk'),
  'dir',
);
const placed = (dir: string) => {
  const target = join(root, basename(dir));
  cpSync(dir, target, { recursive: true });
  return target;
};

/**
 * Ms to import the asset's index.mjs in a fresh process; with `thenSdk`, until the DynamoDB client
 * its store imports on first call is loaded too (what a working invocation's cold start pays).
 */
function coldImportMs(dir: string, thenSdk = false): number {
  const file = pathToFileURL(join(dir, 'index.mjs')).href;
  const sdk = thenSdk ? "await import('@aws-sdk/client-dynamodb');" : '';
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(3);${sdk}process.stdout.write(String(performance.now()-t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // The SDK resolves from the asset's place, as on Lambda.
    cwd: dir,
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`import of ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const times = {
  connector: [] as number[],
  connectorThenSdk: [] as number[],
  registration: [] as number[],
  empty: [] as number[],
  sdk: [] as number[],
};
const at = {
  connector: placed(connector),
  registration: placed(registration),
  empty: placed(empty),
  sdk: placed(sdkOnly),
};
for (let i = 0; i < RUNS; i++) {
  times.empty.push(coldImportMs(at.empty));
  times.connector.push(coldImportMs(at.connector));
  times.connectorThenSdk.push(coldImportMs(at.connector, true));
  times.registration.push(coldImportMs(at.registration));
  times.sdk.push(coldImportMs(at.sdk));
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
/** The code an asset ships: index.mjs and the chunks beside it (source maps left out). */
const codeBytes = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .reduce((a, f) => a + statSync(join(dir, f)).size, 0);
const rows = [
  ['connector (acme-connector)', connector, median(times.connector)],
  ['registration handler', registration, median(times.registration)],
  ['@aws-sdk/client-dynamodb import alone', sdkOnly, median(times.sdk)],
  ['empty handler (baseline)', empty, median(times.empty)],
] as const;
console.log(
  `| asset | index.mjs + chunks | zipped | cold import (median of ${RUNS} fresh processes) |`,
);
console.log('|---|---|---|---|');
for (const [name, dir, ms] of rows) {
  console.log(
    `| ${name} | ${kb(statSync(join(dir, 'index.mjs')).size)} + ${kb(codeBytes(dir) - statSync(join(dir, 'index.mjs')).size)} | ${kb(zipAsset(dir, 'zip').length)} | ${ms.toFixed(1)} ms |`,
  );
}
console.log(
  `\nconnector, then the DynamoDB client its store loads on first call: ${median(times.connectorThenSdk).toFixed(1)} ms`,
);
const em = median(times.empty);
for (const [name, dir, ms] of rows.slice(0, 2)) {
  reportFigure({
    name: `acme-cdk-app: deployed ${name} asset`,
    value: `${kb(codeBytes(dir))} (${kb(zipAsset(dir, 'zip').length)} zipped), cold import ${ms.toFixed(1)} ms`,
    baseline: `empty handler ${em.toFixed(1)} ms`,
    goal: '—',
    met: null,
  });
}
