import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { useEmulatorWithSdkClient } from '@c2c-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

// Versions and aliases with @aws-sdk/client-lambda over real sockets: a qualifier names $LATEST,
// a published version or an alias, and anything else is Lambda's 404.

const aws = useEmulatorWithSdkClient((config) => new LambdaClient({ ...config, maxAttempts: 1 }));
const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:versioned';
const echo = fileURLToPath(new URL('./fixtures/functions/echo.mjs', import.meta.url));

interface Echo {
  env: Record<string, string>;
  context: { invokedFunctionArn: string; functionVersion: string };
}

async function invoke(FunctionName: string, Qualifier?: string) {
  const out = await aws.client.send(
    new InvokeCommand({ FunctionName, ...(Qualifier ? { Qualifier } : {}) }),
  );
  const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString()) as Echo;
  return { executed: out.ExecutedVersion, body };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => {
  aws.emu.app.lambdaHost.registerFunction({
    name: 'versioned',
    handler: echo,
    environment: { GREETING: 'v1' },
  });
});

describe('Lambda versions and aliases', () => {
  it('publishes $LATEST as version 1, once while nothing changes', async () => {
    const first = await aws.client.send(
      new PublishVersionCommand({ FunctionName: 'versioned', Description: 'first' }),
    );
    expect(first).toMatchObject({
      Version: '1',
      FunctionArn: `${ARN}:1`,
      Description: 'first',
      Environment: { Variables: { GREETING: 'v1' } },
    });
    const again = await aws.client.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    expect(again.Version).toBe('1');
    const listed = await aws.client.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }),
    );
    expect(listed.Versions?.map((v) => [v.Version, v.FunctionArn])).toEqual([
      ['$LATEST', ARN],
      ['1', `${ARN}:1`],
    ]);
  });

  it('runs a version with the configuration it was published with', async () => {
    aws.emu.app.lambdaHost.registerFunction({
      name: 'versioned',
      handler: echo,
      environment: { GREETING: 'v2' },
    });
    const v1 = await invoke('versioned', '1');
    expect(v1.executed).toBe('1');
    expect(v1.body.env).toMatchObject({ GREETING: 'v1', AWS_LAMBDA_FUNCTION_VERSION: '1' });
    const latest = await invoke('versioned');
    expect(latest.executed).toBe('$LATEST');
    expect(latest.body.env.GREETING).toBe('v2');
    const published = await aws.client.send(new PublishVersionCommand({ FunctionName: ARN }));
    expect(published.Version).toBe('2');
    const got = await aws.client.send(
      new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }),
    );
    expect(got.Configuration).toMatchObject({ Version: '1', FunctionArn: `${ARN}:1` });
  });

  it('resolves an alias on invoke, by name:alias or Qualifier', async () => {
    const created = await aws.client.send(
      new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1' }),
    );
    expect(created).toMatchObject({
      AliasArn: `${ARN}:live`,
      Name: 'live',
      FunctionVersion: '1',
      Description: '',
    });
    const byName = await invoke('versioned:live');
    expect(byName.executed).toBe('1');
    expect(byName.body.env.GREETING).toBe('v1');
    expect(byName.body.context.invokedFunctionArn).toBe(`${ARN}:live`);
    const byArn = await invoke(`${ARN}:live`);
    expect(byArn.executed).toBe('1');
    expect((await invoke('versioned', 'live')).executed).toBe('1');

    const updated = await aws.client.send(
      new UpdateAliasCommand({
        FunctionName: 'versioned',
        Name: 'live',
        FunctionVersion: '2',
        RevisionId: created.RevisionId,
      }),
    );
    expect(updated.FunctionVersion).toBe('2');
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    expect((await invoke('versioned:live')).body.env.GREETING).toBe('v2');
    expect(
      await failure(
        aws.client.send(
          new UpdateAliasCommand({
            FunctionName: 'versioned',
            Name: 'live',
            RevisionId: created.RevisionId,
          }),
        ),
      ),
    ).toMatchObject({ name: 'PreconditionFailedException', status: 412 });

    await aws.client.send(
      new CreateAliasCommand({
        FunctionName: 'versioned',
        Name: 'edge',
        FunctionVersion: '$LATEST',
      }),
    );
    const all = await aws.client.send(new ListAliasesCommand({ FunctionName: 'versioned' }));
    expect(all.Aliases?.map((a) => [a.Name, a.FunctionVersion])).toEqual([
      ['edge', '$LATEST'],
      ['live', '2'],
    ]);
    const onTwo = await aws.client.send(
      new ListAliasesCommand({ FunctionName: 'versioned', FunctionVersion: '2' }),
    );
    expect(onTwo.Aliases?.map((a) => a.Name)).toEqual(['live']);
    const got = await aws.client.send(new GetAliasCommand({ FunctionName: ARN, Name: 'edge' }));
    expect(got.AliasArn).toBe(`${ARN}:edge`);
  });

  it('answers 404 for a qualifier that names nothing, as Lambda does', async () => {
    for (const [name, qualifier, shown] of [
      ['versioned:missing', undefined, 'missing'],
      ['versioned', 'missing', 'missing'],
      ['versioned', '7', '7'],
      [`${ARN}:9`, undefined, '9'],
    ] as const) {
      expect(await failure(invoke(name, qualifier)), `${name} ${qualifier}`).toEqual({
        name: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${ARN}:${shown}`,
      });
    }
    expect(
      await failure(aws.client.send(new GetFunctionCommand({ FunctionName: 'versioned:gone' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(
      await failure(
        aws.client.send(new GetAliasCommand({ FunctionName: 'versioned', Name: 'gone' })),
      ),
    ).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Alias not found: ${ARN}:gone`,
    });
  });

  it('refuses aliases Lambda refuses, and deletes them', async () => {
    const create = (Name: string, FunctionVersion: string) =>
      failure(
        aws.client.send(
          new CreateAliasCommand({ FunctionName: 'versioned', Name, FunctionVersion }),
        ),
      );
    expect(await create('live', '1')).toEqual({
      name: 'ResourceConflictException',
      status: 409,
      message: `Alias already exists: ${ARN}:live`,
    });
    expect(await create('later', '9')).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${ARN}:9`,
    });
    expect(await create('123', '1')).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    expect(await create('ok', 'latest')).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    await aws.client.send(new DeleteAliasCommand({ FunctionName: 'versioned', Name: 'edge' }));
    expect(
      await failure(
        aws.client.send(new DeleteAliasCommand({ FunctionName: 'versioned', Name: 'edge' })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(invoke('versioned:edge'))).toMatchObject({ status: 404 });
  });
});
