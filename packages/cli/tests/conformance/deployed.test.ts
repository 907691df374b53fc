import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVendor, type VendorConfig } from '../../src/conformance/configVendor.js';
import {
  preparationNotes,
  vendorVariableOf,
  webhookSecretOf,
} from '../../src/conformance/deployed.js';
import { noteLines } from '../../src/conformance/report.js';
import type { ConformanceReport } from '../../src/conformance/types.js';
import { runCliInProcess } from '../helpers/bin.js';

// `c2c test --deployed` before any check runs: flags that do not go together, every way the
// deployed connector can fail to be found, each with what to do about it, and how the variable the
// vendor proxy goes into is chosen. What the suite finds lacking reaches the report: as the reason
// of the check it stops, else in the report's notes. A passing run against a real deployment, and
// retries.replay not run with the reason below, is examples/acme-cdk-app/tests/local-deploy.e2e.test.ts.

let emu: RunningEmulator;
let dataDir: string;

beforeAll(async () => {
  // A data directory, so the key pair is kept in credentials.json as `c2c emulator` keeps it.
  dataDir = mkdtempSync(join(tmpdir(), 'c2c-test-deployed-'));
  emu = await startEmulator({ dataDir });
  emu.app.lambdaHost.registerFunction({
    name: 'no-connector',
    handler: new URL('../../../emulator/tests/fixtures/functions/echo.mjs', import.meta.url)
      .pathname,
  });
});

afterAll(async () => {
  await emu?.close();
});

const keys_ = () => ({
  accessKeyId: emu.credentials.accessKeyId,
  secretAccessKey: emu.credentials.secretAccessKey,
});
const keys = () => ({
  AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
});

async function test(
  args: readonly string[],
  env: NodeJS.ProcessEnv = keys(),
  cwd = mkdtempSync(join(tmpdir(), 'c2c-test-cwd-')),
) {
  return runCliInProcess(['test', ...args], { cwd, env });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('c2c test --deployed: usage', () => {
  it.each([
    [['--vendor-url', 'http://127.0.0.1:4000'], /--vendor-url: only with --deployed/],
    [['--endpoint', 'http://127.0.0.1:4566'], /--endpoint: only with --deployed/],
    [['--deployed', 'fn'], /--deployed needs the vendor cloud the function calls: --vendor-url/],
    [
      ['--deployed', 'fn', '--vendor-url', 'http://x', '--connector', '.'],
      /--connector: not with --deployed/,
    ],
    [
      ['--deployed', 'fn', '--vendor-url', 'http://x', '--env', 'A=b'],
      /--env: not with --deployed/,
    ],
    [['--deployed', 'fn', '--vendor-url', 'ftp://x'], /--vendor-url: expected an http\(s\) URL/],
    [['--deployed', 'a b', '--vendor-url', 'http://x'], /--deployed: expected a Lambda function/],
    [
      ['--deployed', 'fn', '--vendor-url', 'http://x', '--endpoint', 'nope'],
      /--endpoint: expected an http\(s\) URL/,
    ],
  ])('%j is refused with exit 2', async (args, message) => {
    const r = await test(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('needs a key pair: the environment, else the data directory', async () => {
    const r = await test(
      ['--deployed', 'fn', '--vendor-url', 'http://x', '--data-dir', join(dataDir, 'none')],
      {},
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no credentials for the emulator: export the AWS_ACCESS_KEY_ID/);
  });
});

describe('c2c test --deployed <stack>: the record c2c deploy --local kept here', () => {
  /** A working directory holding a deploy record of stack `name` with these outputs. */
  function deployedHere(name: string, outputs: Record<string, string>): string {
    const cwd = mkdtempSync(join(tmpdir(), 'c2c-test-record-'));
    const dir = join(cwd, '.c2c', 'local-stacks', new URL(emu.url).host.replace(':', '_'));
    mkdirSync(dir, { recursive: true });
    const record = {
      stackName: name,
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value }])),
    };
    writeFileSync(join(dir, `111122223333-us-east-1-${name}.json`), JSON.stringify(record));
    return cwd;
  }
  const args = (stack: string) => [
    '--deployed',
    stack,
    '--endpoint',
    emu.url,
    '--vendor-url',
    'http://127.0.0.1:4000',
  ];

  it("tests the stack's connector function (its FunctionName output)", async () => {
    const cwd = deployedHere('Gone', { AppConnFunctionName0A1B2C3D: 'gone-function' });
    const r = await test(args('Gone'), keys(), cwd);
    expect(r.stderr).toContain('no function "gone-function" in the emulator');
  });

  it('refuses a stack with no connector function, or several', async () => {
    const none = await test(args('Plain'), keys(), deployedHere('Plain', { Url: 'x' }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /--deployed Plain: the stack deployed from here has no FunctionName/,
    );
    const two = deployedHere('Two', { AFunctionName: 'a', BFunctionName0A1B2C3D: 'b' });
    const several = await test(args('Two'), keys(), two);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('several connector functions (a, b)');
  });
});

describe('c2c test --deployed: finding the deployed connector', () => {
  const vendor = ['--vendor-url', 'http://127.0.0.1:4000'];

  it('says when no emulator answers at the endpoint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await test(['--deployed', 'fn', '--endpoint', url, ...vendor]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no emulator answers at ${url}`);
  });

  it("names a function the emulator does not have, signed with the data directory's key", async () => {
    const r = await test(
      ['--deployed', 'nope', '--endpoint', emu.url, '--data-dir', dataDir, ...vendor],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `no function "nope" in the emulator at ${emu.url} (us-east-1); give the FunctionName output c2c deploy --local printed, or the stack's name in the directory it ran in`,
    );
  });

  it('refuses a function no CloudConnector invokes', async () => {
    const r = await test(['--deployed', 'no-connector', '--endpoint', emu.url, ...vendor]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `no CloudConnector invokes arn:aws:lambda:us-east-1:${emu.credentials.accountId}:function:no-connector: its stack registers one`,
    );
  });

  it('says what the simulated vendor cloud lacks, and what a vendor config ran without', async () => {
    const client = new ManagedIntegrationsClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: keys_(),
      validate: false,
    });
    const created = await client.send('CreateCloudConnector', {
      Name: 'no-destination',
      EndpointConfig: {
        lambda: {
          arn: `arn:aws:lambda:us-east-1:${emu.credentials.accountId}:function:no-connector`,
        },
      },
    });
    await client.close();
    expect(created.statusCode).toBe(201);
    const id = (created.body as { Id: string }).Id;
    const r = await test(['--deployed', 'no-connector', '--endpoint', emu.url, ...vendor]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `the simulated vendor cloud needs the OAuth client of a connector destination and the connector's webhook secret (CloudConnector ${id} has no connector destination; no variable of no-connector holds a Standard Webhooks secret (whsec_…); name it with --webhook-secret-env)`,
    );
    const named = await test([
      '--deployed',
      'no-connector',
      '--endpoint',
      emu.url,
      '--webhook-secret-env',
      'ACME_WEBHOOK_SECRET',
      ...vendor,
    ]);
    expect(named.stderr).toContain('no-connector has no variable ACME_WEBHOOK_SECRET');

    // With --vendor-config the suite does without both, and the report's notes say so.
    const cwd = mkdtempSync(join(tmpdir(), 'c2c-test-notes-'));
    writeFileSync(
      join(cwd, 'vendor.json'),
      JSON.stringify({
        apiUrl: 'http://127.0.0.1:4000',
        oauth: {
          authorizeUrl: 'http://127.0.0.1:4000/oauth/authorize',
          tokenUrl: 'http://127.0.0.1:4000/oauth/token',
          clientId: 'c2c-test-client',
          clientSecret: 'c2c-test-client-secret',
        },
        user: { accessToken: 'c2c-test-access-token' },
        webhookSecret: 'whsec_dGVzdC13ZWJob29rLXNlY3JldC0xMjM0NTY3OA==',
      }),
    );
    const notes = [
      `CloudConnector ${id} has no connector destination; the suite links accounts through a destination of its own, from --vendor-config's oauth`,
      "no variable of no-connector holds a Standard Webhooks secret (whsec_…); name it with --webhook-secret-env; the suite signs webhooks with --vendor-config's webhookSecret",
    ];
    const run = (more: string[]) =>
      test(
        [
          ...[
            '--deployed',
            'no-connector',
            '--endpoint',
            emu.url,
            '--vendor-config',
            'vendor.json',
          ],
          ...['--only', 'security.secrets-in-logs', ...more],
        ],
        keys(),
        cwd,
      );
    const json = await run(['--json']);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as ConformanceReport;
    expect(report.notes).toEqual(notes);
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['security.secrets-in-logs', 'pass'],
    ]);
    const lines = (await run([])).stdout.split('\n');
    const at = lines.indexOf('Notes:');
    expect(lines.slice(at, at + 3)).toEqual(['Notes:', ...notes.map((n) => `  ${n}`)]);
    expect(lines[at + 4]).toMatch(/^1 of 1 checks ran: 1 passed/);
  });
});

describe('c2c test --deployed: the webhook secret, and what the suite does without', () => {
  const fn = (environment: Record<string, string>) => ({ name: 'acme-fn', environment });
  const SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldA==';

  it("is the named variable's first secret, else the one whsec_ value", () => {
    const environment = { ROTATING: `${SECRET}, whsec_b2xk`, OTHER: 'x' };
    expect(webhookSecretOf(fn(environment), 'ROTATING')).toEqual({ secret: SECRET });
    expect(webhookSecretOf(fn(environment), undefined)).toEqual({ secret: SECRET });
    expect(() => webhookSecretOf(fn(environment), 'NONE')).toThrow(
      'acme-fn has no variable NONE (--webhook-secret-env)',
    );
  });

  it('says when no variable or several hold one, and the flag to give', () => {
    expect(webhookSecretOf(fn({ OTHER: 'x' }), undefined)).toEqual({
      missing:
        'no variable of acme-fn holds a Standard Webhooks secret (whsec_…); name it with --webhook-secret-env',
    });
    expect(webhookSecretOf(fn({ B_SECRET: SECRET, A_SECRET: SECRET }), undefined)).toEqual({
      missing:
        'several variables of acme-fn hold webhook secrets (A_SECRET, B_SECRET); choose one with --webhook-secret-env',
    });
  });

  const noClient = 'CloudConnector c-1 has no connector destination';
  const noWebhookSecret =
    'no variable of acme-fn holds a Standard Webhooks secret (whsec_…); name it with --webhook-secret-env';
  const fileVendor = {
    destination: {
      authUrl: 'http://127.0.0.1:4000/oauth/authorize',
      tokenUrl: 'http://127.0.0.1:4000/oauth/token',
      scheme: 'HTTP_BASIC' as const,
      clientId: 'client',
      clientSecret: 'client-secret',
    },
  };

  it('makes a missing secret the reason security.webhook-expired gives, when none is known', () => {
    expect(
      preparationNotes({ noWebhookSecret }, { ...fileVendor, webhookSecret: undefined }),
    ).toEqual({
      noWebhookSecret: `no webhook secret to sign with: --vendor-config gives no webhookSecret, and ${noWebhookSecret}`,
      notes: [],
    });
  });

  it("notes what no check reports: the connector's client and secret the suite did without", () => {
    expect(
      preparationNotes({ noClient, noWebhookSecret }, { ...fileVendor, webhookSecret: SECRET }),
    ).toEqual({
      notes: [
        `${noClient}; the suite links accounts through a destination of its own, from --vendor-config's oauth`,
        `${noWebhookSecret}; the suite signs webhooks with --vendor-config's webhookSecret`,
      ],
    });
    // Nothing lacking: nothing to say.
    expect(preparationNotes({}, { ...fileVendor, webhookSecret: SECRET })).toEqual({ notes: [] });
  });

  it("signs with the deployed function's secret when the vendor config gives none", () => {
    const config: VendorConfig = {
      apiUrl: 'http://127.0.0.1:4000',
      oauth: { ...fileVendor.destination, authorizeUrl: fileVendor.destination.authUrl },
      user: { accessToken: 'token' },
    };
    expect(configVendor(config, 'http://127.0.0.1:4566', SECRET).webhookSecret).toBe(SECRET);
    expect(configVendor(config, 'http://127.0.0.1:4566').webhookSecret).toBeUndefined();
    const own = { ...config, webhookSecret: 'whsec_b3du' };
    expect(configVendor(own, 'http://127.0.0.1:4566', SECRET).webhookSecret).toBe('whsec_b3du');
  });

  it('prints the notes above the summary, and nothing when there are none', () => {
    const report = { notes: ['one', 'two'] } as unknown as ConformanceReport;
    expect(noteLines(report)).toEqual(['Notes:', '  one', '  two']);
    expect(noteLines({} as ConformanceReport)).toEqual([]);
  });
});

describe('c2c test --deployed: the variable holding the vendor URL', () => {
  const API = 'http://127.0.0.1:4000';
  const fn = (environment: Record<string, string>) => ({ name: 'acme-fn', environment });

  it('is the one variable whose value is the vendor URL (a trailing slash aside)', () => {
    const environment = { ACME_API_URL: `${API}/`, OTHER: 'http://127.0.0.1:4001' };
    expect(vendorVariableOf(fn(environment), undefined, API)).toEqual({ variable: 'ACME_API_URL' });
  });

  it('is the one named, when it exists', () => {
    const environment = { A_URL: API, B_URL: API };
    expect(vendorVariableOf(fn(environment), 'B_URL', API)).toEqual({ variable: 'B_URL' });
    expect(() => vendorVariableOf(fn(environment), 'C_URL', API)).toThrow(
      'acme-fn has no variable C_URL (--vendor-url-env)',
    );
  });

  it('says which several variables hold it, and the flag to choose one', () => {
    const environment = { MIRROR_URL: API, ACME_API_URL: API, OTHER: 'x' };
    expect(vendorVariableOf(fn(environment), undefined, API)).toEqual({
      noProxy: `several variables of acme-fn hold the vendor URL ${API} (ACME_API_URL, MIRROR_URL), so its vendor calls cannot be counted: give the variable the connector calls its vendor at with --vendor-url-env NAME`,
    });
  });

  it('says when no variable holds it, and the flag to name one', () => {
    const environment = { ACME_API_URL: 'http://localhost:4000', OTHER: 'x' };
    expect(vendorVariableOf(fn(environment), undefined, API)).toEqual({
      noProxy: `no variable of acme-fn holds the vendor URL ${API}, so its vendor calls cannot be counted: give the variable the connector calls its vendor at with --vendor-url-env NAME`,
    });
  });
});
