import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  AssumeRoleCommand,
  type Credentials,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';

// The STS subset with @aws-sdk/client-sts over real sockets, and the credentials it issues used
// by other SDK clients, as a program on AWS would use them.

const ACCOUNT = TEST_CREDENTIALS.accountId;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/connector-admin`;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function keysOf(credentials: Credentials | undefined): Required<Keys> {
  return {
    accessKeyId: credentials?.AccessKeyId ?? '',
    secretAccessKey: credentials?.SecretAccessKey ?? '',
    sessionToken: credentials?.SessionToken ?? '',
  };
}

const clients: Array<{ destroy(): void }> = [];
function client<C extends { destroy(): void }>(
  make: (config: ReturnType<typeof sdkClientConfig>) => C,
  emu: RunningEmulator,
  keys: Keys = TEST_CREDENTIALS,
): C {
  // No retries: a refused credential must show on the first answer.
  const made = make({ ...sdkClientConfig(emu.url), credentials: keys, maxAttempts: 1 } as never);
  clients.push(made);
  return made;
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: e.name,
      message: e.message,
      ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}),
    };
  }
  throw new Error('expected the call to fail');
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

describe('STS with @aws-sdk/client-sts', () => {
  it('GetCallerIdentity names the IAM user behind the long-term key', async () => {
    const out = await client((c) => new STSClient(c), emu).send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(ACCOUNT);
    expect(out.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/c2c-kit`);
    expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it('GetSessionToken issues credentials another SDK client signs with', async () => {
    const sts = client((c) => new STSClient(c), emu);
    const before = Date.now();
    const out = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const keys = keysOf(out.Credentials);
    expect(keys.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(keys.secretAccessKey).toHaveLength(40);
    expect(keys.sessionToken.length).toBeGreaterThan(100);
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 900_000 + 1000);

    const sqs = client((c) => new SQSClient(c), emu, keys);
    await sqs.send(new CreateQueueCommand({ QueueName: 'from-session' }));
    const listed = await sqs.send(new ListQueuesCommand({}));
    expect(listed.QueueUrls).toEqual([`${emu.url}/queue/us-east-1/${ACCOUNT}/from-session`]);

    // The session is the same user; it cannot get another session token.
    const asSession = client((c) => new STSClient(c), emu, keys);
    const who = await asSession.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/c2c-kit`);
    expect(await failure(asSession.send(new GetSessionTokenCommand({})))).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });

  it('AssumeRole issues the role session credentials a Lambda client signs with', async () => {
    emu.app.lambdaHost.registerFunction({
      name: 'sts-probe',
      handler: join(import.meta.dirname, 'fixtures/functions/echo.mjs'),
    });
    const out = await client((c) => new STSClient(c), emu).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'deployer@example.com' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/connector-admin/deployer@example.com`,
    );
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:deployer@example\.com$/);
    const keys = keysOf(out.Credentials);
    const lambda = client((c) => new LambdaClient(c), emu, keys);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'sts-probe' }));
    expect(fn.Configuration?.FunctionArn).toBe(
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:sts-probe`,
    );
    const roleSts = client((c) => new STSClient(c), emu, keys);
    const who = await roleSts.send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: ACCOUNT, Arn: out.AssumedRoleUser?.Arn });
    expect(who.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);

    // Role chaining: allowed, for at most an hour.
    const chained = await roleSts.send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'chained' }),
    );
    expect(chained.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(
      await failure(
        roleSts.send(
          new AssumeRoleCommand({
            RoleArn: ROLE_ARN,
            RoleSessionName: 'chained',
            DurationSeconds: 7200,
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  it('refuses what STS refuses: another account, bad members, unknown operations', async () => {
    const sts = client((c) => new STSClient(c), emu);
    const other = await failure(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::444455556666:role/elsewhere',
          RoleSessionName: 's1',
        }),
      ),
    );
    expect(other).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/c2c-kit is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/elsewhere`,
    });
    for (const input of [
      { RoleArn: ROLE_ARN, RoleSessionName: 'x' },
      { RoleArn: ROLE_ARN, RoleSessionName: 'ok', DurationSeconds: 899 },
      { RoleArn: ROLE_ARN, RoleSessionName: 'ok', DurationSeconds: 43_201 },
      { RoleArn: 'arn:aws:iam::111122223333:user/not-a-role', RoleSessionName: 'ok' },
    ]) {
      expect(
        await failure(sts.send(new AssumeRoleCommand(input))),
        JSON.stringify(input),
      ).toMatchObject({
        name: 'ValidationError',
        status: 400,
        message: expect.stringMatching(/^1 validation error detected: /),
      });
    }
    expect(
      await failure(sts.send(new GetSessionTokenCommand({ DurationSeconds: 129_601 }))),
    ).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await failure(sts.send(new GetFederationTokenCommand({ Name: 'bob' })))).toEqual({
      name: 'InvalidAction',
      status: 400,
      message: 'Could not find operation GetFederationToken for version 2011-06-15',
    });
  });

  it('refuses a made-up, missing or misplaced session token', async () => {
    const issued = keysOf(
      (await client((c) => new STSClient(c), emu).send(new GetSessionTokenCommand({}))).Credentials,
    );
    const invalid = {
      name: 'UnrecognizedClientException',
      status: 403,
      message: 'The security token included in the request is invalid.',
    };
    const cases: Keys[] = [
      { ...issued, sessionToken: `${issued.sessionToken.slice(0, -4)}AAAA` },
      { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey },
      {
        accessKeyId: 'ASIAMADEUPMADEUP0000',
        secretAccessKey: 'x'.repeat(40),
        sessionToken: 'bogus',
      },
      { ...TEST_CREDENTIALS, sessionToken: issued.sessionToken },
    ];
    for (const keys of cases) {
      const lambda = client((c) => new LambdaClient(c), emu, keys);
      expect(
        await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' }))),
        keys.accessKeyId,
      ).toEqual(invalid);
    }
    // STS says the same in its own words.
    const sts = client((c) => new STSClient(c), emu, cases[0]);
    expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toEqual({
      ...invalid,
      name: 'InvalidClientTokenId',
    });
    // A temporary key's secret signs: the right token with a wrong secret is a signature mismatch.
    const wrongSecret = client((c) => new SQSClient(c), emu, {
      ...issued,
      secretAccessKey: 'y'.repeat(40),
    });
    expect(await failure(wrongSecret.send(new ListQueuesCommand({})))).toMatchObject({
      status: 403,
      message: expect.stringContaining('signature we calculated does not match'),
    });
  });
});

describe('temporary credentials over time', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'c2c-sts-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('survive a restart on the same data directory', async () => {
    const first = await startEmulator({ dataDir, credentials: [TEST_CREDENTIALS] });
    let keys: Required<Keys>;
    try {
      keys = keysOf(
        (
          await client((c) => new STSClient(c), first).send(
            new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'before-restart' }),
          )
        ).Credentials,
      );
    } finally {
      await first.close();
    }
    const second = await startEmulator({ dataDir, credentials: [TEST_CREDENTIALS] });
    try {
      const who = await client((c) => new STSClient(c), second, keys).send(
        new GetCallerIdentityCommand({}),
      );
      expect(who.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/connector-admin/before-restart`);
    } finally {
      await second.close();
    }
  });

  it('are refused once expired (ExpiredTokenException; ExpiredToken from STS)', async () => {
    const short = await startEmulator({
      memory: true,
      credentials: [TEST_CREDENTIALS],
      maxSessionLifetimeMs: 1500,
    });
    try {
      const out = await client((c) => new STSClient(c), short).send(
        new GetSessionTokenCommand({ DurationSeconds: 900 }),
      );
      const keys = keysOf(out.Credentials);
      const expiresAt = out.Credentials?.Expiration?.getTime() ?? 0;
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(1500);
      const sqs = client((c) => new SQSClient(c), short, keys);
      await sqs.send(new ListQueuesCommand({}));
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50));
      expect(await failure(sqs.send(new ListQueuesCommand({})))).toEqual({
        name: 'ExpiredTokenException',
        status: 403,
        message: 'The security token included in the request is expired',
      });
      const sts = client((c) => new STSClient(c), short, keys);
      expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
        name: 'ExpiredToken',
        status: 403,
      });
    } finally {
      await short.close();
    }
  });
});
