// The example app's synthesized template and bundle assets deployed into a running emulator with
// `c2c deploy --endpoint`, then used the way a customer and the vendor would: link an account
// (OAuth), discover, command a fan, and receive a device event from the vendor's webhook — every
// step through the deployed function, its queues and its DynamoDB table — and judged by the
// conformance suite (`c2c test --deployed`). Then the same template without the service's invoke
// permission: the account association fails with AWS's reason.
// One file of about 540 lines: the first group's tests, most of it, share one deployment (stack,
// synthesized app, `c2c deploy`: most of the run time), which splitting them would repeat.

import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { bundleEntry } from '@c2c-kit/cdk';
import { type ConformanceReport, oauthLogin, zipAsset } from '@c2c-kit/cli';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { fanModeEndpoints, LOOSE_BOUNDS, startBin, until } from '@c2c-kit/testing';
import { runCliInProcess } from '@c2c-kit/testing/cli';
import {
  generateWebhookSecret,
  type StartedVendorCloud,
  startVendorCloud,
} from '@c2c-kit/vendor-cloud';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeConnectorStack } from '../src/stack.js';

type Json = Record<string, unknown>;
const REGION = 'us-east-1';
const OAUTH_CLIENT = { clientId: 'c2c-kit-connector', clientSecret: 'c2c-kit-connector-secret' };

/** An emulator with the vendor cloud, the secrets the app names, and the customer's client. */
async function startWorld() {
  const emu = await startEmulator({ memory: true, region: REGION });
  const webhookSecret = generateWebhookSecret();
  const vendor = await startVendorCloud({
    tickIntervalMs: 0,
    webhookSecret,
    clients: [{ ...OAUTH_CLIENT, redirectUris: [`${emu.url}/_local/oauth/callback`] }],
  });
  const credentials = {
    accessKeyId: emu.credentials.accessKeyId,
    secretAccessKey: emu.credentials.secretAccessKey,
  };
  const secrets = new SecretsManagerClient({ endpoint: emu.url, region: REGION, credentials });
  await secrets.send(
    new CreateSecretCommand({ Name: 'acme/webhook-secret', SecretString: webhookSecret }),
  );
  const oauth = await secrets.send(
    new CreateSecretCommand({
      Name: 'acme/oauth-client',
      SecretString: JSON.stringify(OAUTH_CLIENT),
    }),
  );
  secrets.destroy();
  const client = new ManagedIntegrationsClient({
    endpoint: emu.url,
    region: REGION,
    credentials,
    validate: false,
  });
  const call = async <T = Json>(name: string, input: Json = {}): Promise<T> => {
    const res = await client.send(name as never, input as never);
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new Error(`${name} → ${res.statusCode} ${JSON.stringify(res.body)}`);
    }
    return res.body as T;
  };
  const close = async () => {
    await client.close();
    await vendor.close();
    await emu.close();
  };
  return { emu, vendor, credentials, clientSecretArn: oauth.ARN as string, call, close };
}

/** `c2c deploy --endpoint` of an assembly, from a fresh working directory; its stack outputs. */
async function deploy(world: Awaited<ReturnType<typeof startWorld>>, assembly: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'acme-local-deploy-'));
  const result = await runCliInProcess(
    ['deploy', '--endpoint', world.emu.url, '--app', assembly, '--region', REGION],
    {
      cwd,
      env: {
        AWS_ACCESS_KEY_ID: world.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: world.credentials.secretAccessKey,
      },
    },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const dir = join(cwd, '.c2c', 'local-stacks');
  const [host] = readdirSync(dir);
  const [file] = readdirSync(join(dir, host as string));
  const record = JSON.parse(readFileSync(join(dir, host as string, file as string), 'utf8')) as {
    outputs: Record<string, { value: string }>;
    resources: Record<string, { type: string; physicalId: string }>;
  };
  const output = (name: string) =>
    Object.entries(record.outputs).find(([k]) => k.startsWith(`Acme${name}`))?.[1].value as string;
  return { cwd, stdout: result.stdout, record, output };
}

/** The example app synthesized for this world (its vendor URL, its client secret's ARN). */
function synthesize(world: Awaited<ReturnType<typeof startWorld>>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'acme-cdk-app-local-'));
  const app = new App({ outdir });
  new AcmeConnectorStack(app, 'AcmeConnector', {
    apiUrl: world.vendor.url,
    webhookSecretName: 'acme/webhook-secret',
    oauthClientSecretArn: world.clientSecretArn,
  });
  app.synth();
  return outdir;
}

/** Creates an account association and signs in at the vendor as `user`; its final state. */
async function link(
  world: Awaited<ReturnType<typeof startWorld>>,
  destinationId: string,
  user: string,
) {
  const created = await world.call<{ AccountAssociationId: string; OAuthAuthorizationUrl: string }>(
    'CreateAccountAssociation',
    { ConnectorDestinationId: destinationId, Name: `${user}-home` },
  );
  // The login fails when the activation does: the association's state tells why.
  await oauthLogin(created.OAuthAuthorizationUrl, user, `${user}-password`).catch(() => {});
  return until('the association settled', async () => {
    const got = await world.call<{ AssociationState: string; ErrorMessage?: string }>(
      'GetAccountAssociation',
      { AccountAssociationId: created.AccountAssociationId },
    );
    return got.AssociationState === 'ASSOCIATION_IN_PROGRESS'
      ? undefined
      : { id: created.AccountAssociationId, ...got };
  });
}

describe('c2c deploy --endpoint: the example app in the emulator', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let deployed: Awaited<ReturnType<typeof deploy>>;
  let vendor: StartedVendorCloud;
  let emu: RunningEmulator;
  let associationId: string;
  let thing: { Id: string; Arn: string };

  beforeAll(async () => {
    world = await startWorld();
    ({ vendor, emu } = world);
    deployed = await deploy(world, synthesize(world));
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('applies every resource, registers the connector and prints the outputs and next step', () => {
    const types = Object.values(deployed.record.resources).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::Lambda::Function',
        'AWS::Lambda::Url',
        'AWS::Lambda::Permission',
        'AWS::Lambda::EventSourceMapping',
        'AWS::SQS::Queue',
        'AWS::DynamoDB::Table',
        'Custom::C2cCloudConnector',
        'Custom::C2cConnectorDestination',
        'AWS::IAM::Role',
      ]),
    );
    expect(deployed.output('ConnectorId')).toMatch(/^[a-z0-9]+$/);
    expect(deployed.output('FunctionUrl')).toMatch(new RegExp(`^${emu.url}/lambda-url/`));
    expect(deployed.stdout).toMatch(/AcmeStoreTable\w+ +AWS::DynamoDB::Table +created/);
    expect(deployed.stdout).toMatch(/AcmeRole\w+ +AWS::IAM::Role +recorded/);
    expect(deployed.stdout).toContain(
      `next: link a test account (the service invokes the connector with AWS.ActivateUser):\n  aws iot-managed-integrations --region ${REGION} --endpoint-url ${emu.url} create-account-association --connector-destination-id ${deployed.output('ConnectorDestinationId')} --name test-home`,
    );
  });

  it('links an account through the deployed function (AWS.ActivateUser)', async () => {
    const linked = await link(world, deployed.output('ConnectorDestinationId'), 'alice');
    expect(linked.AssociationState, linked.ErrorMessage).toBe('ASSOCIATION_SUCCEEDED');
    associationId = linked.id;
  });

  it('discovers the vendor devices (ACK, then the work queue and its event source mapping)', async () => {
    const started = await world.call<{ Id: string }>('StartDeviceDiscovery', {
      DiscoveryType: 'CLOUD',
      AccountAssociationId: associationId,
    });
    const status = await until('the discovery ended', async () => {
      const got = await world.call<{ Status: string }>('GetDeviceDiscovery', {
        Identifier: started.Id,
      });
      return got.Status === 'RUNNING' ? undefined : got.Status;
    });
    expect(status).toBe('SUCCEEDED');
    const listed = await world.call<{ Items: Json[] }>('ListDiscoveredDevices', {
      Identifier: started.Id,
    });
    expect(listed.Items.map((d) => d.ConnectorDeviceId)).toContain('fan-1');
    thing = await world.call<{ Id: string; Arn: string }>('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: `CLOUD:${started.Id}:fan-1`,
    });
    await world.call('RegisterAccountAssociation', {
      ManagedThingId: thing.Id,
      AccountAssociationId: associationId,
      DeviceDiscoveryId: started.Id,
    });
  });

  it('sends a command that reaches the vendor device', async () => {
    await world.call('SendManagedThingCommand', {
      ManagedThingId: thing.Id,
      Endpoints: fanModeEndpoints(3),
    });
    await until('the fan runs high', async () => {
      const state = vendor.simulation.getDevice(undefined, 'fan-1').state as { mode?: string };
      return state.mode === 'high' ? true : undefined;
    });
  });

  it('receives a device event from the vendor webhook through the Function URL', async () => {
    vendor.setWebhookTarget(deployed.output('FunctionUrl'));
    vendor.simulation.trigger('fan-1', 'button');
    const events = await until('a DEVICE_EVENT about the fan', async () => {
      const res = await fetch(
        `${emu.url}/_local/notifications?account=${emu.credentials.accountId}&eventType=DEVICE_EVENT&limit=100`,
      );
      const body = (await res.json()) as { Items: Array<Json & { resources: string[] }> };
      const about = body.Items.filter((n) => n.resources.includes(thing.Arn));
      return about.length > 0 ? about : undefined;
    });
    expect(events.length).toBeGreaterThan(0);
  });

  it('kept its idempotency records in the deployed DynamoDB table', async () => {
    const table = Object.values(deployed.record.resources).find(
      (r) => r.type === 'AWS::DynamoDB::Table',
    );
    const dynamodb = new DynamoDBClient({
      endpoint: emu.url,
      region: REGION,
      credentials: world.credentials,
    });
    const scanned = await dynamodb.send(
      new ScanCommand({ TableName: table?.physicalId as string }),
    );
    dynamodb.destroy();
    expect(scanned.Count).toBeGreaterThan(0);
  });

  /** `c2c test --deployed <target>` on this world's emulator and vendor, with loose bounds. */
  const deployedTestArgs = (target: string, extra: readonly string[]) => [
    'test',
    '--deployed',
    target,
    '--endpoint',
    emu.url,
    '--vendor-url',
    vendor.url,
    '--region',
    REGION,
    ...LOOSE_BOUNDS,
    ...extra,
  ];
  /** The key pair c2c signs with, as a customer exports it. */
  const deployedTestEnv = () => ({
    AWS_ACCESS_KEY_ID: world.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: world.credentials.secretAccessKey,
  });

  /**
   * `c2c test --deployed <function or stack>` from the directory the deploy ran in, with loose
   * time bounds; its report.
   */
  async function testDeployed(target: string, extra: readonly string[] = []) {
    const result = await runCliInProcess(deployedTestArgs(target, ['--json', ...extra]), {
      cwd: deployed.cwd,
      env: deployedTestEnv(),
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as ConformanceReport;
    const ids = (status: string) =>
      report.results.filter((r) => r.status === status).map((r) => r.id);
    const why = JSON.stringify(
      report.results.filter((r) => r.status !== 'pass'),
      null,
      2,
    );
    return { code: result.code, report, failed: ids('fail'), notRun: ids('not run'), why };
  }

  it('passes the conformance suite: c2c test --deployed <stack>', async () => {
    const lambda = new LambdaClient({
      endpoint: emu.url,
      region: REGION,
      credentials: world.credentials,
    });
    const variables = async () =>
      (
        await lambda.send(
          new GetFunctionConfigurationCommand({ FunctionName: deployed.output('FunctionName') }),
        )
      ).Environment?.Variables;
    const before = await variables();
    // The stack's name: the deploy's record in that directory names the connector function.
    const run = await testDeployed('AcmeConnector');
    expect(run.failed, run.why).toEqual([]);
    // Every check ran: the vendor variable and the endpoint went through the suite's proxies.
    expect(run.notRun, run.why).toEqual([]);
    expect(run.code).toBe(0);
    const faults = run.report.results.find((r) => r.id === 'retries.send-faults');
    expect(faults?.reason).toMatch(/^sent 7, delivered 7, duplicated \d+, lost 0$/);
    expect(run.report.connector).toBe(
      `${deployed.output('FunctionName')} in the emulator at ${emu.url}`,
    );
    // ...and the function has its variables back, as deployed.
    expect(await variables()).toEqual(before);
    expect(before?.ACME_API_URL).toBe(vendor.url);
    lambda.destroy();
  }, 300_000);

  /** The deployed function's variables, read with the AWS SDK's Lambda client. */
  async function variablesNow(): Promise<Record<string, string> | undefined> {
    const lambda = new LambdaClient({
      endpoint: emu.url,
      region: REGION,
      credentials: world.credentials,
    });
    try {
      const got = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: deployed.output('FunctionName') }),
      );
      return got.Environment?.Variables;
    } finally {
      lambda.destroy();
    }
  }

  /** Sets the deployed function's variables (all of them, as Lambda replaces them whole). */
  async function setVariables(variables: Record<string, string>): Promise<void> {
    const lambda = new LambdaClient({
      endpoint: emu.url,
      region: REGION,
      credentials: world.credentials,
    });
    try {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: deployed.output('FunctionName'),
          Environment: { Variables: variables },
        }),
      );
    } finally {
      lambda.destroy();
    }
  }

  /** `c2c test --deployed` as the real bin, in the directory the deploy ran in. */
  function startDeployedTest(extra: readonly string[]) {
    return startBin(deployedTestArgs(deployed.output('FunctionName'), extra), {
      cwd: deployed.cwd,
      timeoutMs: 240_000,
      env: deployedTestEnv(),
    });
  }

  it('Ctrl-C mid-run: exit status 130, and the function has its variables back', async () => {
    const before = await variablesNow();
    expect(before?.ACME_API_URL).toBe(vendor.url);
    const run = startDeployedTest([]);
    try {
      // Mid-run: the suite has pointed the vendor variable at its counting proxy, which it does
      // once the session is open and undoes only when the session closes.
      const patched = await until(
        'c2c test pointed ACME_API_URL at its proxy',
        async () => {
          if (run.child.exitCode !== null) throw new Error(`c2c test ended: ${run.stderr()}`);
          const now = await variablesNow();
          return now?.ACME_API_URL !== vendor.url && now;
        },
        120_000,
      );
      expect(patched.ACME_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      run.child.kill('SIGINT');
      const result = await run.exited;
      expect(result.stderr).toContain('c2c test: SIGINT: stopped; closing the session…');
      expect(result.code).toBe(130);
      // Read after the process ended: what the customer finds in the emulator.
      expect(await variablesNow()).toEqual(before);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 300_000);

  /** retries.replay's reason when the suite cannot tell which variable holds the vendor URL. */
  const noProxy = (which: string) =>
    `${which}, so its vendor calls cannot be counted: give the variable the connector calls its vendor at with --vendor-url-env NAME`;

  it('reports retries.replay "not run", with the flag to give, when two variables hold the vendor URL', async () => {
    const before = (await variablesNow()) ?? {};
    // A second variable with the vendor's URL: the suite cannot tell which one the connector
    // calls the vendor with, so it cannot put its counting proxy in between.
    const ambiguous = { ...before, ACME_API_URL_MIRROR: vendor.url };
    const reason = noProxy(
      `several variables of ${deployed.output('FunctionName')} hold the vendor URL ${vendor.url} (ACME_API_URL, ACME_API_URL_MIRROR)`,
    );
    await setVariables(ambiguous);
    try {
      const run = startDeployedTest(['--only', 'retries.replay', '--json']);
      const result = await run.exited;
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as ConformanceReport;
      // Only the check asked for is reported (the checks it needs ran unreported).
      expect(report.results.map((r) => [r.id, r.status, r.reason])).toEqual([
        ['retries.replay', 'not run', reason],
      ]);
      // Nothing failed, a check did not run: exit status 3.
      expect(result.code).toBe(3);
      // The same as lines for a person: the check marked not run, the reason beside it.
      const lines = await startDeployedTest(['--only', 'retries.replay']).exited;
      expect(lines.stderr).toBe('');
      expect(lines.code).toBe(3);
      const line = lines.stdout.split('\n').find((l) => l.includes('retries.replay'));
      expect(line).toMatch(/^not run +retries\.replay +\d+ ms {2}/);
      expect(line?.endsWith(`  ${reason}`)).toBe(true);
      expect(lines.stdout).toMatch(/\b0 of 1 checks ran: 0 passed, 0 failed, 1 not run\b/);
      // The suite changed nothing it could not undo.
      expect(await variablesNow()).toEqual(ambiguous);
    } finally {
      await setVariables(before);
    }
  }, 300_000);

  it('reports retries.replay "not run" when no variable holds the vendor URL as given', async () => {
    const before = (await variablesNow()) ?? {};
    // The connector reaches the vendor by another name for the same host: the suite, comparing
    // URLs as written, finds no variable to put its counting proxy in.
    const other = { ...before, ACME_API_URL: vendor.url.replace('127.0.0.1', 'localhost') };
    await setVariables(other);
    try {
      const result = await startDeployedTest(['--only', 'retries.replay', '--json']).exited;
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as ConformanceReport;
      expect(report.results.map((r) => [r.id, r.status, r.reason])).toEqual([
        [
          'retries.replay',
          'not run',
          noProxy(
            `no variable of ${deployed.output('FunctionName')} holds the vendor URL ${vendor.url}`,
          ),
        ],
      ]);
      expect(result.code).toBe(3);
    } finally {
      await setVariables(before);
    }
  }, 300_000);

  it('fails the deployed connector once its code logs tokens (read from the emulator)', async () => {
    // The deployed function's code replaced by the suite's broken fixture: the reference connector
    // printing each invocation's header, the user's access token in it.
    const fixture = fileURLToPath(
      new URL('../../../packages/cli/tests/conformance/fixtures/token-in-logs.ts', import.meta.url),
    );
    const lambda = new LambdaClient({
      endpoint: emu.url,
      region: REGION,
      credentials: world.credentials,
    });
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: deployed.output('FunctionName'),
        ZipFile: zipAsset(bundleEntry(fixture, { conditions: ['source'] }), 'zip'),
      }),
    );
    lambda.destroy();
    const run = await testDeployed(deployed.output('FunctionName'), [
      '--only',
      'contract.unknown-operation,security.secrets-in-logs',
    ]);
    expect(run.failed, run.why).toEqual(['security.secrets-in-logs']);
    expect(run.code).toBe(1);
  }, 300_000);
});

describe('c2c deploy --endpoint: the template without the service invoke permission', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;

  beforeAll(async () => {
    world = await startWorld();
  });

  afterAll(async () => {
    await world?.close();
  });

  it('deploys, and the account association fails as on AWS, with the reason', async () => {
    const assembly = synthesize(world);
    const copy = mkdtempSync(join(tmpdir(), 'acme-no-permission-'));
    cpSync(assembly, copy, { recursive: true });
    const file = join(copy, 'AcmeConnector.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as {
      Resources: Record<string, { Type: string; DependsOn?: string[] }>;
    };
    const permission = Object.keys(template.Resources).find((id) =>
      id.includes('ManagedIntegrationsInvoke'),
    );
    expect(permission).toBeDefined();
    delete template.Resources[permission as string];
    for (const resource of Object.values(template.Resources)) {
      if (resource.DependsOn)
        resource.DependsOn = resource.DependsOn.filter((d) => d !== permission);
    }
    writeFileSync(file, JSON.stringify(template));

    const deployed = await deploy(world, copy);
    const linked = await link(world, deployed.output('ConnectorDestinationId'), 'alice');
    expect(linked.AssociationState).toBe('ASSOCIATION_FAILED');
    // The message, in the characters the model allows an ErrorMessage.
    expect(linked.ErrorMessage).toMatch(
      /^AccessDeniedException +iotmanagedintegrations amazonaws com is not authorized to perform +lambda InvokeFunction on resource +arn aws lambda us-east-1 \d{12} function AcmeConnector-AcmeFunction\w+-\w+ because no resource-based policy allows the lambda InvokeFunction action/,
    );
  }, 120_000);
});
