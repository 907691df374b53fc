import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { OTHER_ACCOUNT_CREDENTIALS } from '@c2c-kit/testing';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  EAST,
  fixture,
  invokeEcho,
  useRegionalEmulator,
  WEST,
} from './helpers/regions.js';

// Lambda functions live per account AND region, as on AWS: the region of the request's SigV4
// scope decides which functions it sees, ARNs carry the region they were created in, and each
// region and account has its own Function URLs. Real SDK clients over a socket. SQS, Secrets
// Manager, connectors and a restart: aws-regions.test.ts.

const regional = useRegionalEmulator();

describe('Lambda functions are regional', () => {
  it('a function of eu-west-1 exists there only; the same name in us-east-1 is another function', async () => {
    // Prepare
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    const registered = await regional.register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'west' },
      region: WEST,
    });
    await regional.register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'east' },
    });
    const westArn = `arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo`;
    // Act
    const got = await west.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const fromWest = await invokeEcho(west.lambda, 'echo');
    const fromEast = await invokeEcho(east.lambda, 'echo');
    const byArn = await invokeEcho(west.lambda, westArn);
    // Assess
    expect(registered).toMatchObject({ arn: westArn, region: WEST });
    expect(got.Configuration?.FunctionArn).toBe(westArn);
    expect(fromWest.env).toMatchObject({ GREETING: 'west', AWS_REGION: WEST });
    expect(fromWest.context.invokedFunctionArn).toBe(westArn);
    expect(fromEast.env).toMatchObject({ GREETING: 'east', AWS_REGION: EAST });
    expect(fromEast.context.invokedFunctionArn).toBe(
      `arn:aws:lambda:${EAST}:${ACCOUNT}:function:echo`,
    );
    expect(byArn.env.GREETING).toBe('west');
  });

  it('a name of another region is 404; an ARN of another region is not reachable, as on AWS', async () => {
    // Prepare
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    await regional.register({
      name: 'west-only',
      handler: fixture('functions/echo.mjs'),
      region: WEST,
    });
    const westArn = `arn:aws:lambda:${WEST}:${ACCOUNT}:function:west-only`;
    // Act + Assess
    await expect(
      east.lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${EAST}:${ACCOUNT}:function:west-only`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: westArn, Payload: '{}' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Functions from '${WEST}' are not reachable in this region ('${EAST}')`,
    });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: westArn, InvocationType: 'DryRun' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // A partial ARN naming the region is held to the same rule.
    await expect(
      east.lambda.send(
        new GetFunctionCommand({ FunctionName: `${WEST}:${ACCOUNT}:function:west-only` }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Another account of the same region has no such function either.
    await expect(
      regional
        .clients(WEST, OTHER_ACCOUNT_CREDENTIALS)
        .lambda.send(new GetFunctionCommand({ FunctionName: 'west-only' })),
    ).rejects.toMatchObject({
      message: `Function not found: arn:aws:lambda:${WEST}:${OTHER_ACCOUNT_CREDENTIALS.accountId}:function:west-only`,
    });
    const dry = await west.lambda.send(
      new InvokeCommand({ FunctionName: westArn, InvocationType: 'DryRun' }),
    );
    expect(dry.StatusCode).toBe(204);
    // A registration names a real region or is refused, naming the field.
    const bad = await fetch(`${regional.emu.url}/_local/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', handler: fixture('functions/echo.mjs'), region: 'mars' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('region: expected a region name such as us-east-1');
  });

  it('versions and aliases belong to the function of their region', async () => {
    // Prepare
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    // Act
    const published = await west.lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    const alias = await west.lambda.send(
      new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }),
    );
    const eastVersions = await east.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'echo' }),
    );
    const viaAlias = await invokeEcho(west.lambda, 'echo:live');
    // Assess
    expect(published.FunctionArn).toBe(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo:1`);
    expect(alias.AliasArn).toBe(`arn:aws:lambda:${WEST}:${ACCOUNT}:function:echo:live`);
    expect(eastVersions.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    await expect(
      east.lambda.send(new GetAliasCommand({ FunctionName: 'echo', Name: 'live' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      east.lambda.send(new InvokeCommand({ FunctionName: 'echo:live', Payload: '{}' })),
    ).rejects.toMatchObject({
      message: `Function not found: arn:aws:lambda:${EAST}:${ACCOUNT}:function:echo:live`,
    });
    expect(viaAlias.env).toMatchObject({ GREETING: 'west', AWS_LAMBDA_FUNCTION_VERSION: '1' });
    expect(viaAlias.context.invokedFunctionArn).toBe(alias.AliasArn);
  });

  it('each region and account has its own Function URL', async () => {
    // Prepare
    const east = regional.clients(EAST);
    const west = regional.clients(WEST);
    await regional.register({
      name: 'echo',
      handler: fixture('functions/echo.mjs'),
      environment: { GREETING: 'other account' },
      accountId: OTHER_ACCOUNT_CREDENTIALS.accountId,
      region: WEST,
    });
    // Act
    const westUrl = (
      await west.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }))
    ).FunctionUrl as string;
    const eastUrl = (
      await east.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }))
    ).FunctionUrl as string;
    const otherUrl = (
      await regional
        .clients(WEST, OTHER_ACCOUNT_CREDENTIALS)
        .lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'echo' }))
    ).FunctionUrl as string;
    const greeting = async (url: string) => {
      const res = await fetch(`${url}hello`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { env: Record<string, string> }).env;
    };
    // Assess
    expect(eastUrl).toBe(`${regional.emu.url}/lambda-url/echo/`);
    expect(westUrl).toBe(`${regional.emu.url}/lambda-url/echo.${WEST}.${ACCOUNT}/`);
    expect(otherUrl).toBe(
      `${regional.emu.url}/lambda-url/echo.${WEST}.${OTHER_ACCOUNT_CREDENTIALS.accountId}/`,
    );
    expect(await greeting(eastUrl)).toMatchObject({ GREETING: 'east', AWS_REGION: EAST });
    expect(await greeting(westUrl)).toMatchObject({ GREETING: 'west', AWS_REGION: WEST });
    expect(await greeting(otherUrl)).toMatchObject({ GREETING: 'other account' });
    for (const missing of [`echo.ap-south-1.${ACCOUNT}`, 'west-only', 'echo.eu-west-1', 'a.b.c']) {
      const res = await fetch(`${regional.emu.url}/lambda-url/${missing}/`);
      expect(res.status, missing).toBe(404);
    }
  });
});
