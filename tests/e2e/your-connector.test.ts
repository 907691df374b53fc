import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { cfnLint, runBin } from '@c2c-kit/testing';
import { type ProcessResult, runProcess } from '@c2c-kit/testing/processes';
import {
  generateWebhookSecret,
  type StartedVendorCloud,
  startVendorCloud,
} from '@c2c-kit/vendor-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The road a device maker takes, every step a real process: `c2c init` a project, `npm install`
// it (the c2c-kit tarballs it packed plus the registry), its own `npm test`, then
// `c2c dev --connector <project> --demo`, with the connector's log in the terminal, and
// `c2c test --connector <project>`; then its CDK app: `c2c deploy --synth-only` in the project,
// the same assembly deployed into an emulator, and `c2c test --deployed` on what was deployed.
// One install for the whole file.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'c2c-your-connector-'));
const project = join(root, 'my-connector');
/** A secret the test gives the connector, to check it never reaches the terminal. */
const SECRET = 'whsec_dGVzdC1zZWNyZXQtdGhhdC1tdXN0LW5vdC1sZWFr';

type Json = Record<string, unknown>;

type Run = ProcessResult;

/** No colour codes in what the tests read. */
const PLAIN: NodeJS.ProcessEnv = { FORCE_COLOR: '0', NO_COLOR: '1' };

const run = (command: string, args: readonly string[], cwd: string, timeoutMs: number) =>
  runProcess(command, args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...PLAIN },
    timeoutMs,
  });

/** The c2c bin on the current sources, as `npx c2c` runs it after a build. */
const c2c = (
  args: readonly string[],
  cwd: string,
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = {},
) => runBin(args, { cwd, timeoutMs, env: { ...PLAIN, ...env } });

let init: Run;
let install: Run;
let unitTests: Run;
let dev: Run;
let conformance: Run;

describe('c2c init → npm install → npm test → c2c dev --demo → c2c test', () => {
  beforeAll(async () => {
    init = await c2c(['init', project, '--devices', 'light,lock'], root);
    install = await run('npm', ['install', '--no-audit', '--no-fund'], project, 240_000);
    unitTests = await run('npm', ['test'], project, 120_000);
    dev = await c2c(
      [
        'dev',
        '--connector',
        project,
        '--demo',
        '--memory',
        '--port',
        '0',
        '--vendor-port',
        '0',
        '--dashboard-port',
        '0',
        '--env',
        `VENDOR_WEBHOOK_SECRET=${SECRET}`,
      ],
      REPO,
      120_000,
    );
    // Loose time bounds: the verdict must not depend on this machine's speed under load.
    conformance = await c2c(
      [
        'test',
        '--connector',
        project,
        '--ack-ms',
        '10000',
        '--event-latency-ms',
        '20000',
        '--json',
      ],
      REPO,
      180_000,
    );
  }, 660_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('init writes the project', () => {
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  });

  it('the project installs from its packed tarballs and the registry', () => {
    expect(install.code, install.stderr).toBe(0);
  });

  it('the project passes its own npm test', () => {
    expect(unitTests.code, `${unitTests.stdout}\n${unitTests.stderr}`).toBe(0);
    expect(unitTests.stdout).toMatch(/Tests +\d+ passed/);
  });

  it('c2c dev --demo completes with the generated connector and its devices', () => {
    expect(dev.stderr).toBe('');
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('✓ connector build        my-connector');
    expect(dev.stdout).toContain('✓ 2 managed things; device kinds: light, lock');
    expect(dev.stdout).toContain(
      '▶ command light: SendManagedThingCommand: Desk lamp (light) OnOff.On',
    );
    expect(dev.stdout).toContain(
      '▶ command lock: SendManagedThingCommand: Front door lock (lock) DoorLock.UnlockDoor',
    );
    expect(dev.stdout).toMatch(/▶ device event: Vendor cloud: \w+ on (light|lock)-1/);
    expect(dev.stdout).toContain('Demo complete: every step succeeded.');
  });

  it('c2c test: the generated connector passes every conformance check', () => {
    const report = JSON.parse(conformance.stdout) as {
      results: Array<{ id: string; status: string; reason?: string }>;
    };
    const notPassed = report.results.filter((r) => r.status !== 'pass');
    expect(notPassed, conformance.stderr).toEqual([]);
    expect(conformance.code).toBe(0);
  });

  it("prints the connector's log: each invocation, and its own lines under it", () => {
    expect(dev.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}AWS\.ActivateUser +200 /m);
    expect(dev.stdout).toMatch(
      /INFO {2}AWS\.SendCommand lock-1 +200 Command received\. {2}\(\d+ ms, req [0-9a-f]{8}\)/,
    );
    expect(dev.stdout).toMatch(/INFO {2}work: 1 item \(command\) +done/);
    expect(dev.stdout).toMatch(/^ {4}info {2}vendor devices listed .*devices=2 kinds=light,lock/m);
    expect(dev.stdout).toMatch(/^ {4}info {2}vendor command .*command=unlock deviceKind=lock/m);
  });

  it('says where the secret is, never what it is', () => {
    expect(dev.stdout).toContain('VENDOR_WEBHOOK_SECRET=(webhook secret, from --env)');
    expect(dev.stdout).toMatch(/VENDOR_API_URL=http:\/\/127\.0\.0\.1:\d+ {3}\(the vendor cloud\)/);
    expect(dev.stdout).not.toContain(SECRET);
    expect(dev.stdout).not.toContain(SECRET.slice('whsec_'.length));
  });

  describe('its CDK app: c2c deploy --synth-only, then --local, then c2c test --deployed', () => {
    const out = join(root, 'cdk.out');
    const oauthClient = { clientId: 'c2c-kit-connector', clientSecret: 'c2c-kit-connector-secret' };
    let emu: RunningEmulator | undefined;
    let vendor: StartedVendorCloud | undefined;
    let synth: Run;
    let local: Run;
    let deployedTest: Run;
    let variablesBefore: Record<string, string> | undefined;
    let variablesAfter: Record<string, string> | undefined;
    let template: { Resources: Record<string, { Type: string; Properties?: Json }> };

    beforeAll(async () => {
      emu = await startEmulator({ memory: true, region: 'us-east-1' });
      vendor = await startVendorCloud({
        clients: [{ ...oauthClient, redirectUris: [`${emu.url}/_local/oauth/callback`] }],
      });
      const keys = {
        AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      };
      // The secrets the app's context names, as docs/deploy.md creates them.
      const secrets = new SecretsManagerClient({
        endpoint: emu.url,
        region: 'us-east-1',
        credentials: {
          accessKeyId: keys.AWS_ACCESS_KEY_ID,
          secretAccessKey: keys.AWS_SECRET_ACCESS_KEY,
        },
      });
      await secrets.send(
        new CreateSecretCommand({
          Name: 'my-connector/webhook-secret',
          SecretString: generateWebhookSecret(),
        }),
      );
      const client = await secrets.send(
        new CreateSecretCommand({
          Name: 'my-connector/oauth-client',
          SecretString: JSON.stringify(oauthClient),
        }),
      );
      secrets.destroy();
      const context = [
        '-c',
        `vendorApiUrl=${vendor.url}`,
        '-c',
        `oauthClientSecretArn=${client.ARN}`,
      ];
      synth = await c2c(['deploy', '--synth-only', '--out', out, ...context], project, 180_000);
      template = JSON.parse(readFileSync(join(out, 'my-connector.template.json'), 'utf8'));
      local = await c2c(['deploy', '--endpoint', emu.url, '--app', out], project, 180_000, keys);
      const lambda = new LambdaClient({
        endpoint: emu.url,
        region: 'us-east-1',
        credentials: {
          accessKeyId: keys.AWS_ACCESS_KEY_ID,
          secretAccessKey: keys.AWS_SECRET_ACCESS_KEY,
        },
      });
      // The function c2c deploy --local created for the stack, as its outputs name it.
      const functionName = /ConnectorFunctionName\w* +(\S+)/.exec(local.stdout)?.[1];
      const variables = async () =>
        functionName === undefined
          ? undefined
          : (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })))
              .Environment?.Variables;
      variablesBefore = await variables();
      deployedTest = await c2c(
        [
          'test',
          '--deployed',
          'my-connector',
          '--endpoint',
          emu.url,
          '--vendor-url',
          vendor.url,
          '--ack-ms',
          '10000',
          '--event-latency-ms',
          '20000',
          '--json',
        ],
        project,
        180_000,
        keys,
      );
      variablesAfter = await variables();
      lambda.destroy();
    }, 600_000);

    afterAll(async () => {
      await vendor?.close();
      await emu?.close();
    });

    it('synthesizes the function, its URL, queues, table and registration', () => {
      expect(synth.stderr).toBe('');
      expect(synth.code).toBe(0);
      expect(synth.stdout).toContain('synthesized stack my-connector into');
      const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
      const variablesOf = (f: { Properties?: Json }) =>
        ((f.Properties?.Environment ?? {}) as { Variables?: Json }).Variables ?? {};
      const connector = of('AWS::Lambda::Function').find((f) => 'VENDOR_API_URL' in variablesOf(f));
      expect(connector?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      const variables = variablesOf(connector ?? {});
      expect(variables.VENDOR_API_URL).toBe(vendor?.url);
      expect(variables.VENDOR_WEBHOOK_SECRET).toBe(
        '{{resolve:secretsmanager:my-connector/webhook-secret:SecretString:::}}',
      );
      expect(of('AWS::Lambda::Url')).toHaveLength(1);
      const queues = of('AWS::SQS::Queue');
      expect(queues).toHaveLength(4);
      expect(queues.filter((q) => q.Properties?.FifoQueue === true)).toHaveLength(2);
      expect(of('AWS::DynamoDB::Table')).toHaveLength(1);
      expect(of('AWS::Lambda::EventSourceMapping')).toHaveLength(2);
      expect(of('Custom::C2cCloudConnector')).toHaveLength(1);
      expect(of('Custom::C2cConnectorDestination')).toHaveLength(1);
    });

    it('passes cfn-lint', () => {
      const { status, output } = cfnLint({ 'my-connector': template });
      expect(output).toBe('');
      expect(status).toBe(0);
    });

    it('deploys that assembly into the emulator', () => {
      expect(local.stderr).toBe('');
      expect(local.code).toBe(0);
      expect(local.stdout).toMatch(/ConnectorFunctionName\w* +my-connector-ConnectorFunction/);
    });

    it('passes every check of c2c test --deployed, and leaves the variables as deployed', () => {
      const report = JSON.parse(deployedTest.stdout) as {
        results: Array<{ id: string; status: string; reason?: string }>;
      };
      const notPassed = report.results.filter((r) => r.status !== 'pass');
      expect(notPassed, JSON.stringify(notPassed, null, 2)).toEqual([]);
      expect(report.results.length).toBeGreaterThan(0);
      expect(deployedTest.code).toBe(0);
      // The suite pointed VENDOR_API_URL and the managed-integrations endpoint at its proxies
      // while it ran; GetFunctionConfiguration shows what was deployed again.
      expect(variablesAfter).toEqual(variablesBefore);
      expect(variablesBefore?.VENDOR_API_URL).toBe(vendor?.url);
    });
  });
});
