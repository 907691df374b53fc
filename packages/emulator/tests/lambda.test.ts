import { fileURLToPath } from 'node:url';
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { sdkClientConfig, useEmulatorWithSdkClient } from '@c2c-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

const aws = useEmulatorWithSdkClient((config) => new LambdaClient(config));

const decode = (payload: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8'));

beforeAll(() => {
  const host = aws.emu.app.lambdaHost;
  host.registerFunction({
    name: 'echo',
    handler: fixture('echo.mjs'),
    environment: { GREETING: 'hi' },
  });
  host.registerFunction({ name: 'fail', handler: fixture('fail.mjs') });
  host.registerFunction({ name: 'slow', handler: fixture('slow.mjs'), timeoutSeconds: 1 });
  host.registerFunction({ name: 'self-url', handler: fixture('self-url.mjs'), timeoutSeconds: 10 });
});

describe('Lambda Invoke with @aws-sdk/client-lambda', () => {
  it('runs the handler in a worker with the Lambda environment and context', async () => {
    // Act
    const out = await aws.client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: JSON.stringify({ a: 1 }),
        LogType: 'Tail',
      }),
    );
    // Assess
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = decode(out.Payload) as {
      event: unknown;
      env: Record<string, string>;
      context: Record<string, unknown>;
      pid: number;
    };
    expect(body.event).toEqual({ a: 1 });
    expect(body.pid).not.toBe(process.pid);
    expect(body.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_TIMEOUT: '3',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      // The execution role's temporary credentials, never the account's long-term key.
      AWS_ACCESS_KEY_ID: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
      AWS_SECRET_ACCESS_KEY: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/),
      AWS_SESSION_TOKEN: expect.stringMatching(/^[A-Za-z0-9+/=]{100,}$/),
      AWS_ENDPOINT_URL: aws.emu.url,
      _HANDLER: 'echo.handler',
      GREETING: 'hi',
    });
    expect(body.context).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:echo',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/echo',
    });
    expect(body.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.context.remaining).toBeGreaterThan(0);
    const tail = Buffer.from(out.LogResult ?? '', 'base64').toString();
    expect(tail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(tail).toMatch(/\tINFO\techo invoked with \{"a":1\}\n/);
    expect(tail).toMatch(
      /END RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: /,
    );
  });

  it('keeps the worker warm between invocations and accepts ARNs with a qualifier', async () => {
    const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo';
    const one = decode(
      (await aws.client.send(new InvokeCommand({ FunctionName: arn }))).Payload,
    ) as {
      invocations: number;
      pid: number;
    };
    const two = decode(
      (await aws.client.send(new InvokeCommand({ FunctionName: `${arn}:$LATEST` }))).Payload,
    ) as { invocations: number; pid: number; context: { invokedFunctionArn: string } };
    expect(two.pid).toBe(one.pid);
    expect(two.invocations).toBe(one.invocations + 1);
    expect(two.context.invokedFunctionArn).toBe(`${arn}:$LATEST`);
  });

  it('reports a thrown error as Lambda does', async () => {
    const out = await aws.client.send(
      new InvokeCommand({ FunctionName: 'fail', Payload: JSON.stringify({ deviceId: 'd1' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const err = decode(out.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(err.errorType).toBe('DeviceOfflineError');
    expect(err.errorMessage).toBe('device d1 is offline');
    expect(err.trace[0]).toContain('DeviceOfflineError');
  });

  it('reports a crashed runtime and replaces the worker', async () => {
    const exited = await aws.client.send(
      new InvokeCommand({ FunctionName: 'fail', Payload: JSON.stringify({ mode: 'exit' }) }),
    );
    expect(exited.FunctionError).toBe('Unhandled');
    expect(decode(exited.Payload)).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringContaining('Runtime exited with error: exit status 3'),
    });
    const uncaught = await aws.client.send(
      new InvokeCommand({ FunctionName: 'fail', Payload: JSON.stringify({ mode: 'uncaught' }) }),
    );
    expect(decode(uncaught.Payload)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'boom outside the promise',
    });
    // The next invocation gets a fresh worker.
    const again = await aws.client.send(new InvokeCommand({ FunctionName: 'fail', Payload: '{}' }));
    expect(decode(again.Payload)).toMatchObject({ errorType: 'DeviceOfflineError' });
  });

  it('kills a timed-out invocation and reports it as Lambda does', async () => {
    const out = await aws.client.send(
      new InvokeCommand({ FunctionName: 'slow', Payload: JSON.stringify({ ms: 30_000 }) }),
    );
    expect(out.FunctionError).toBe('Unhandled');
    const err = decode(out.Payload) as { errorType: string; errorMessage: string };
    expect(err.errorType).toBe('Sandbox.Timedout');
    expect(err.errorMessage).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/,
    );
    const fast = await aws.client.send(
      new InvokeCommand({ FunctionName: 'slow', Payload: JSON.stringify({ ms: 1 }) }),
    );
    expect(decode(fast.Payload)).toEqual({ slept: 1 });
  });

  it('honours the per-call timeout the core uses for connectors', async () => {
    const r = await aws.emu.app.lambdaHost.invoke('slow', JSON.stringify({ ms: 5000 }), {
      timeoutMs: 300,
    });
    expect(r.functionError).toBe('Unhandled');
    expect(JSON.parse(r.payload.toString())).toMatchObject({
      errorMessage: expect.stringContaining('Task timed out after 0.30 seconds'),
    });
  });

  it('Event invocations return 202 at once and run in the background', async () => {
    const out = await aws.client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"bg":true}' }),
    );
    expect(out.StatusCode).toBe(202);
    expect(out.Payload?.length ?? 0).toBe(0);
    const dry = await aws.client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }),
    );
    expect(dry.StatusCode).toBe(204);
  });

  it('lets a function call back into the emulator with the SDK and its env credentials', async () => {
    const out = await aws.client.send(new InvokeCommand({ FunctionName: 'self-url' }));
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({
      functionUrl: `${aws.emu.url}/lambda-url/self-url/`,
      functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:self-url',
      authType: 'NONE',
    });
  });

  it('answers unknown functions and bad payloads with the modelled errors', async () => {
    const err = await aws.client
      .send(new InvokeCommand({ FunctionName: 'nope' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:111122223333:function:nope',
    );
    await expect(
      aws.client.send(
        new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('Lambda SigV4', () => {
  it('refuses a wrongly signed Invoke with the SigV4 error in Lambda style', async () => {
    const forged = new LambdaClient(
      sdkClientConfig(aws.emu.url, { secretAccessKey: 'wrong-secret' }),
    );
    await expect(forged.send(new InvokeCommand({ FunctionName: 'echo' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    forged.destroy();
  });
});

describe('GetFunction and GetFunctionUrlConfig', () => {
  it('describes a registered function', async () => {
    const out = await aws.client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(out.Configuration).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:echo',
      Handler: 'echo.handler',
      Timeout: 3,
      Version: '$LATEST',
      State: 'Active',
      Environment: { Variables: { GREETING: 'hi' } },
    });
    expect(out.Configuration?.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('returns the Function URL config, and 404 for unknown functions', async () => {
    const out = await aws.client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }));
    expect(out).toMatchObject({
      FunctionUrl: `${aws.emu.url}/lambda-url/echo/`,
      FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:echo',
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
    });
    expect(out.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT.*\+0000$/);
    await expect(
      aws.client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'ghost' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('POST /_local/functions', () => {
  it('registers a CommonJS callback handler under another export name', async () => {
    const res = await fetch(`${aws.emu.url}/_local/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'cjs',
        handler: fixture('callback.cjs'),
        exportName: 'main',
        environment: { SECRET_TOKEN: 'x' },
      }),
    });
    expect(res.status).toBe(201);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      name: 'cjs',
      arn: 'arn:aws:lambda:us-east-1:111122223333:function:cjs',
      functionUrl: `${aws.emu.url}/lambda-url/cjs/`,
      environmentKeys: ['SECRET_TOKEN'],
    });
    expect(JSON.stringify(info)).not.toContain('"x"');
    const out = await aws.client.send(
      new InvokeCommand({ FunctionName: 'cjs', Payload: '{"n":21}' }),
    );
    expect(decode(out.Payload)).toEqual({ doubled: 42 });
  });

  it('rejects bad registrations with the field named', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ handler: fixture('echo.mjs') }, /^name: expected/],
      [{ name: 'x', handler: 'relative.js' }, /^handler: expected an absolute path/],
      [{ name: 'x', handler: fixture('missing.mjs') }, /^handler: no such file/],
      [{ name: 'x', handler: fixture('echo.mjs'), timeoutSeconds: 0 }, /^timeoutSeconds:/],
      [
        { name: 'x', handler: fixture('echo.mjs'), environment: { AWS_REGION: 'x' } },
        /reserved key/,
      ],
      [[1, 2], /expected a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await fetch(`${aws.emu.url}/_local/functions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
  });
});
