import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import {
  LOCAL_SERVICE_STATEMENT_ID,
  SERVICE_PRINCIPAL,
  serviceInvokeRefusal,
} from '../src/services/lambda/permissions.js';

// The Lambda control plane a deployment drives (CreateFunction with a zip, code and configuration
// updates, Function URL configs, resource-based policies) and DynamoDB behind the same endpoint,
// through the real AWS SDK clients; then the service-invoke check against the policies.

const ACCOUNT = TEST_CREDENTIALS.accountId;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployed`;
const echo = fileURLToPath(new URL('./fixtures/functions/echo.mjs', import.meta.url));

/** A zip of one ESM module `index.mjs`. */
const zipOf = (source: string) =>
  zipSync({ 'index.mjs': Buffer.from(source, 'utf8') }) as Uint8Array;

let emu: RunningEmulator;
let lambda: LambdaClient;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  lambda = new LambdaClient(sdkClientConfig(emu.url));
  dynamodb = new DynamoDBClient(sdkClientConfig(emu.url));
});

afterAll(async () => {
  lambda?.destroy();
  dynamodb?.destroy();
  await emu?.close();
});

const payloadOf = (out: { Payload?: Uint8Array }) =>
  JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));

describe('CreateFunction with a zip', () => {
  it('runs the zip, with the AWS SDK provided as the Node.js runtime provides it', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'zipped',
        Role: ROLE,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        Environment: { Variables: { GREETING: 'hello' } },
        Code: {
          ZipFile: zipOf(`export const handler = async (e) => {
            const { SQSClient } = await import('@aws-sdk/client-sqs');
            return { greeting: process.env.GREETING, got: e, sdk: typeof SQSClient };
          };`),
        },
      }),
    );
    expect(created).toMatchObject({
      FunctionName: 'zipped',
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
    });
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'zipped', Payload: Buffer.from('{"a":1}') }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(payloadOf(out)).toEqual({ greeting: 'hello', got: { a: 1 }, sdk: 'function' });
  });

  it('refuses a second function of the same name, a missing handler and a non-Node runtime', async () => {
    const base = { Role: ROLE, Runtime: 'nodejs22.x' as const, Handler: 'index.handler' };
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          ...base,
          FunctionName: 'zipped',
          Code: { ZipFile: zipOf('') },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          ...base,
          FunctionName: 'nohandler',
          Handler: 'main.handler',
          Code: { ZipFile: zipOf('') },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('main.js, main.mjs or main.cjs'),
    });
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          ...base,
          FunctionName: 'py',
          Runtime: 'python3.13',
          Code: { ZipFile: zipOf('') },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          ...base,
          FunctionName: 'notzip',
          Code: { ZipFile: Buffer.from('not a zip') },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it('refuses a zip whose entries leave the package', async () => {
    const evil = zipSync({ '../escape.mjs': Buffer.from('x'), 'index.mjs': Buffer.from('') });
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'slip',
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: evil },
        }),
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining('leaves the package') });
  });

  it('UpdateFunctionCode and UpdateFunctionConfiguration take effect on the next invocation', async () => {
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'zipped',
        ZipFile: zipOf('export const handler = async () => ({ v: 2, g: process.env.GREETING });'),
      }),
    );
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'zipped' })))).toEqual({
      v: 2,
      g: 'hello',
    });
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'zipped',
        Environment: { Variables: { GREETING: 'bye' } },
        Description: 'second',
      }),
    );
    expect(updated).toMatchObject({ Description: 'second', Runtime: 'nodejs22.x' });
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'zipped' })))).toEqual({
      v: 2,
      g: 'bye',
    });
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'zipped' }),
    );
    expect(config.CodeSize).toBeGreaterThan(0);
  });
});

describe('Function URL configs', () => {
  it('a created function has a URL only once it is configured; it then serves requests', async () => {
    await expect(
      lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'zipped' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const before = await fetch(`${emu.url}/lambda-url/zipped/`);
    expect(before.status).toBe(404);
    const url = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'zipped', AuthType: 'NONE' }),
    );
    expect(url.FunctionUrl).toBe(`${emu.url}/lambda-url/zipped/`);
    await expect(
      lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'zipped', AuthType: 'NONE' })),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'zipped' }));
    expect(got).toMatchObject({ AuthType: 'NONE', FunctionUrl: url.FunctionUrl });
    const res = await fetch(url.FunctionUrl as string);
    expect(res.status).toBe(200);
  });
});

describe('resource-based policies', () => {
  const target = () => emu.app.lambdaHost.getFunction('zipped');
  const service = (sourceArn: string, sourceAccount = ACCOUNT) =>
    serviceInvokeRefusal(emu.app.db, emu.app.lambdaHost, (target() as { arn: string }).arn, {
      principal: SERVICE_PRINCIPAL,
      sourceArn,
      sourceAccount,
    });
  const association = (id: string, account = ACCOUNT) =>
    `arn:aws:iotmanagedintegrations:us-east-1:${account}:account-association/${id}`;

  it('a created function starts with none: the service is refused, with the reason', async () => {
    await expect(
      lambda.send(new GetPolicyCommand({ FunctionName: 'zipped' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(service(association('a1'))).toMatch(
      /^iotmanagedintegrations\.amazonaws\.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:\d{12}:function:zipped because no resource-based policy allows the lambda:InvokeFunction action \(the function has no resource-based policy\)$/,
    );
  });

  it('AddPermission with SourceAccount and an ArnLike SourceArn: each condition is evaluated', async () => {
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'zipped',
        StatementId: 'service',
        Action: 'lambda:InvokeFunction',
        Principal: SERVICE_PRINCIPAL,
        SourceAccount: ACCOUNT,
        SourceArn: association('*'),
      }),
    );
    expect(JSON.parse(added.Statement as string)).toEqual({
      Sid: 'service',
      Effect: 'Allow',
      Principal: { Service: SERVICE_PRINCIPAL },
      Action: 'lambda:InvokeFunction',
      Resource: (target() as { arn: string }).arn,
      Condition: {
        StringEquals: { 'AWS:SourceAccount': ACCOUNT },
        ArnLike: { 'AWS:SourceArn': association('*') },
      },
    });
    expect(service(association('a1'))).toBeUndefined();
    expect(service(association('a1', '999988887777'), '999988887777')).toMatch(
      /statement service: its condition StringEquals AWS:SourceAccount = \d{12} does not hold for 999988887777/,
    );
    expect(
      service('arn:aws:iotmanagedintegrations:eu-west-1:111122223333:account-association/a1'),
    ).toMatch(/ArnLike AWS:SourceArn/);
    await expect(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: 'zipped',
          StatementId: 'service',
          Action: 'lambda:InvokeFunction',
          Principal: SERVICE_PRINCIPAL,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
  });

  it('another principal or action does not let the service in; RemovePermission takes it away', async () => {
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'zipped',
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    );
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: 'zipped' }))).Policy as string,
    );
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['service', 'url']);
    await lambda.send(
      new RemovePermissionCommand({ FunctionName: 'zipped', StatementId: 'service' }),
    );
    expect(service(association('a1'))).toMatch(
      /statement url: its action lambda:InvokeFunctionUrl is not lambda:InvokeFunction/,
    );
    await expect(
      lambda.send(new RemovePermissionCommand({ FunctionName: 'zipped', StatementId: 'service' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a function registered locally lets the service in from any account until the statement is removed', async () => {
    emu.app.lambdaHost.registerFunction({ name: 'local', handler: echo });
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: 'local' }))).Policy as string,
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Sid: LOCAL_SERVICE_STATEMENT_ID,
        Principal: { Service: SERVICE_PRINCIPAL },
        Action: 'lambda:InvokeFunction',
      }),
    ]);
    const arn = (emu.app.lambdaHost.getFunction('local') as { arn: string }).arn;
    const caller = {
      principal: SERVICE_PRINCIPAL,
      sourceArn: association('x'),
      sourceAccount: ACCOUNT,
    };
    expect(serviceInvokeRefusal(emu.app.db, emu.app.lambdaHost, arn, caller)).toBeUndefined();
    await lambda.send(
      new RemovePermissionCommand({
        FunctionName: 'local',
        StatementId: LOCAL_SERVICE_STATEMENT_ID,
      }),
    );
    expect(serviceInvokeRefusal(emu.app.db, emu.app.lambdaHost, arn, caller)).toMatch(
      /no resource-based policy/,
    );
  });

  it('DeleteFunction removes the function with its policy and URL', async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'zipped' }));
    await expect(
      lambda.send(new GetPolicyCommand({ FunctionName: 'zipped' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await fetch(`${emu.url}/lambda-url/zipped/`)).status).toBe(404);
  });
});

describe('DynamoDB behind the emulator endpoint (dynalite)', () => {
  it('creates a table, keeps items, and answers the TTL calls dynalite lacks', async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'store',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'store',
        Item: { pk: { S: 'a' }, sk: { S: 'b' }, n: { N: '1' } },
      }),
    );
    const got = await dynamodb.send(
      new GetItemCommand({ TableName: 'store', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(got.Item?.n).toEqual({ N: '1' });
    expect(
      (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'store' })))
        .TimeToLiveDescription,
    ).toEqual({ TimeToLiveStatus: 'DISABLED' });
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'store',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
    expect(
      (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'store' })))
        .TimeToLiveDescription,
    ).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    await expect(
      dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: 'missing',
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("refuses bad TTL input in DynamoDB's error shape, which the SDK client parses", async () => {
    for (const input of [
      { TableName: 'ab', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } },
      { TableName: 'store', TimeToLiveSpecification: { AttributeName: '', Enabled: true } },
    ]) {
      await expect(dynamodb.send(new UpdateTimeToLiveCommand(input))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(/^(TableName|TimeToLiveSpecification): expected/),
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it('a request signed with a wrong key is refused before it reaches dynalite', async () => {
    const wrong = new DynamoDBClient({
      ...sdkClientConfig(emu.url),
      credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' },
    });
    await expect(
      wrong.send(
        new GetItemCommand({ TableName: 'store', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    wrong.destroy();
  });
});
