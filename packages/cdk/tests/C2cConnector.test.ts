// CDK assertions on the C2cConnector: every resource, permission and condition the deployment
// relies on, pinned one by one. The app is synthesized once (with esbuild bundling) for the file.

import { cfnLint } from '@c2c-kit/testing';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestStacks } from './helpers/stacks.js';
import {
  arn,
  consumeQueue,
  decryptViaSecretsManager,
  id,
  ref,
  statementsOf,
} from './helpers/template.js';

let s: ReturnType<typeof buildTestStacks>;
let oauth: Template;
let general: Template;

beforeAll(() => {
  s = buildTestStacks();
  oauth = Template.fromStack(s.oauth);
  general = Template.fromStack(s.general);
});

describe('connector function', () => {
  it('runs the bundle on nodejs22.x, arm64, with the timeout and memory of the 2 s budget', () => {
    oauth.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('c2c-kit connector'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 512,
      LoggingConfig: { LogGroup: ref(s.connector.logGroup) },
      Role: arn(s.connector.function.role as IConstruct),
    });
    general.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 5,
      MemorySize: 1024,
    });
  });

  it('gets the variables the connector runtime reads, next to its own', () => {
    const env =
      oauth.findResources('AWS::Lambda::Function')[id(s.connector.function)]?.Properties.Environment
        .Variables;
    expect(env).toEqual({
      ACME_API_URL: 'https://api.acme.example',
      C2C_WORK_QUEUE_URL: ref(s.connector.workQueue),
      C2C_OUTBOX_QUEUE_URL: ref(s.connector.outboxQueue as IConstruct),
      C2C_OUTBOX_DLQ_URL: ref(s.connector.outboxDeadLetterQueue as IConstruct),
      C2C_STORE_TABLE: ref(s.connector.table),
      C2C_LOG_LEVEL: 'info',
    });
    const gaEnv =
      general.findResources('AWS::Lambda::Function')[id(s.gaConnector.function)]?.Properties
        .Environment.Variables;
    expect(gaEnv).toEqual({
      C2C_WORK_QUEUE_URL: ref(s.gaConnector.workQueue),
      C2C_STORE_TABLE: ref(s.gaConnector.table),
      C2C_LOG_LEVEL: 'debug',
      C2C_COMMAND_DEADLINE_MS: '60000',
    });
  });

  it('has a Function URL without IAM auth (the webhook HMAC is checked in code)', () => {
    oauth.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: arn(s.connector.function),
    });
  });

  it('lets only the service invoke it, for this account and its account associations', () => {
    oauth.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arn(s.connector.function),
      Principal: 'iotmanagedintegrations.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iotmanagedintegrations:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':account-association/*',
          ],
        ],
      },
    });
    // The other permissions are the Function URL's, with the NONE auth type / via-URL conditions.
    const principals = Object.values(oauth.findResources('AWS::Lambda::Permission')).map((p) => [
      p.Properties.Principal,
      p.Properties.Action,
      p.Properties.FunctionUrlAuthType ?? p.Properties.InvokedViaFunctionUrl,
    ]);
    expect(principals).toEqual(
      expect.arrayContaining([
        ['*', 'lambda:InvokeFunctionUrl', 'NONE'],
        ['*', 'lambda:InvokeFunction', true],
      ]),
    );
    expect(principals).toHaveLength(3);
  });

  it('consumes its work queue and drains its outbox in batches, reporting item failures', () => {
    oauth.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arn(s.connector.workQueue),
      FunctionName: ref(s.connector.function),
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    oauth.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arn(s.connector.outboxQueue as IConstruct),
      FunctionName: ref(s.connector.function),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    oauth.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    general.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });
});

describe('queues and table', () => {
  it('work queue: DLQ after 5 receives, visibility ≥ timeout and < command deadline', () => {
    oauth.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 20,
      RedrivePolicy: { deadLetterTargetArn: arn(s.connector.deadLetterQueue), maxReceiveCount: 5 },
    });
    general.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 30 });
  });

  it('outbox and its dead letter: FIFO (order per device); absent when turned off', () => {
    const queues = oauth.findResources('AWS::SQS::Queue');
    for (const q of [s.connector.outboxQueue, s.connector.outboxDeadLetterQueue]) {
      expect(queues[id(q as IConstruct)]?.Properties).toMatchObject({
        FifoQueue: true,
        MessageRetentionPeriod: 1209600,
      });
    }
    expect(queues[id(s.connector.outboxQueue as IConstruct)]?.Properties.VisibilityTimeout).toBe(
      20,
    );
    general.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 0);
    oauth.resourceCountIs('AWS::SQS::Queue', 4);
    general.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('every queue is encrypted at rest (SQS-managed SSE, or the customer key) and TLS-only', () => {
    for (const q of Object.values(oauth.findResources('AWS::SQS::Queue'))) {
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    }
    for (const q of Object.values(general.findResources('AWS::SQS::Queue'))) {
      expect(q.Properties.KmsMasterKeyId).toEqual(arn(s.key));
    }
    const denies = Object.values(oauth.findResources('AWS::SQS::QueuePolicy')).map(
      (p) => p.Properties.PolicyDocument.Statement[0],
    );
    expect(denies).toHaveLength(4);
    for (const st of denies) {
      expect(st).toMatchObject({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('idempotency table: on demand, key + TTL attribute, encrypted, destroyed with the stack', () => {
    oauth.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Delete',
    });
    general.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arn(s.key) },
    });
  });

  it('log groups keep a month of logs', () => {
    const groups = Object.values(oauth.findResources('AWS::Logs::LogGroup'));
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual([30, 30]);
  });
});

describe('alarms', () => {
  const alarm = (metric: string, namespace: string, dimension: object) => ({
    MetricName: metric,
    Namespace: namespace,
    Dimensions: [dimension],
    Threshold: 1,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });

  it('on DLQ depth, function errors, throttles and dead-lettered outbox events', () => {
    const fn = { Name: 'FunctionName', Value: ref(s.connector.function) };
    oauth.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarm('ApproximateNumberOfMessagesVisible', 'AWS/SQS', {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [id(s.connector.deadLetterQueue), 'QueueName'] },
      }),
      Statistic: 'Maximum',
    });
    oauth.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarm('Errors', 'AWS/Lambda', fn),
      Statistic: 'Sum',
    });
    oauth.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarm('Throttles', 'AWS/Lambda', fn),
      Statistic: 'Sum',
    });
    oauth.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...alarm('ApproximateNumberOfMessagesVisible', 'AWS/SQS', {
        Name: 'QueueName',
        Value: {
          'Fn::GetAtt': [id(s.connector.outboxDeadLetterQueue as IConstruct), 'QueueName'],
        },
      }),
    });
    oauth.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    general.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });
});

describe('IAM, least privilege', () => {
  it('the connector role has exactly the statements the runtime needs', () => {
    const role = id(s.connector.function.role as IConstruct);
    oauth.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: Match.absent(),
    });
    expect(statementsOf(oauth, role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arn(s.connector.logGroup),
      },
      {
        Sid: 'SendConnectorEvents',
        Effect: 'Allow',
        Action: ['iotmanagedintegrations:SendConnectorEvent'],
        Resource: '*',
      },
      {
        Sid: 'ResolveConnectorId',
        Effect: 'Allow',
        Action: [
          'iotmanagedintegrations:ListCloudConnectors',
          'iotmanagedintegrations:GetCloudConnector',
        ],
        Resource: '*',
      },
      {
        Sid: 'EnqueueWork',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: arn(s.connector.workQueue),
      },
      {
        Sid: 'StoreRecords',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: arn(s.connector.table),
      },
      {
        Sid: 'ParkInOutbox',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: arn(s.connector.outboxQueue as IConstruct),
      },
      {
        Sid: 'DeadLetterParkedEvents',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: arn(s.connector.outboxDeadLetterQueue as IConstruct),
      },
      // Added by the SQS event sources: what the mappings poll with (the outbox drain also delays
      // a parked event through its visibility).
      consumeQueue(s.connector.workQueue),
      consumeQueue(s.connector.outboxQueue as IConstruct),
      {
        Sid: 'ReadOwnFunctionUrl',
        Effect: 'Allow',
        Action: ['lambda:GetFunctionUrlConfig'],
        Resource: arn(s.connector.function),
      },
    ]);
  });

  it('General Authorization: GetSecretValue on those secrets, kms:Decrypt only via Secrets Manager', () => {
    const role = id(s.gaConnector.function.role as IConstruct);
    const statements = statementsOf(general, role);
    expect(statements).toContainEqual({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [ref(s.material), ref(s.extra)],
    });
    // One secret's key is unknown (the default aws/secretsmanager key): the conditions narrow it.
    expect(statements).toContainEqual(decryptViaSecretsManager([ref(s.material), ref(s.extra)]));
    // The queues and table's customer key: encrypt to send/write, decrypt to receive/read.
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: arn(s.key),
    });
    expect(
      statementsOf(oauth, id(s.connector.function.role as IConstruct)).map((st) => st.Sid),
    ).not.toContain('ReadSecrets');
  });

  it('the registration handler may manage connectors and read the destination secret, nothing else', () => {
    const role = id(s.connector.registration.handler.role as IConstruct);
    expect(statementsOf(oauth, role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arn(s.connector.registration.logGroup),
      },
      {
        Sid: 'ManageCloudConnector',
        Effect: 'Allow',
        Action: [
          'iotmanagedintegrations:CreateCloudConnector',
          'iotmanagedintegrations:UpdateCloudConnector',
          'iotmanagedintegrations:DeleteCloudConnector',
          'iotmanagedintegrations:CreateConnectorDestination',
          'iotmanagedintegrations:UpdateConnectorDestination',
          'iotmanagedintegrations:DeleteConnectorDestination',
        ],
        Resource: '*',
      },
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: ref(s.clientSecret),
      },
      decryptViaSecretsManager([ref(s.clientSecret)]),
    ]);
  });
});

describe('registration custom resources', () => {
  it('the CloudConnector points at the connector function, after its invoke permission', () => {
    const cc = oauth.findResources('Custom::C2cCloudConnector');
    expect(Object.keys(cc)).toEqual([id(s.connector.registration.cloudConnector)]);
    const [resource] = Object.values(cc);
    expect(resource?.Properties).toEqual({
      ServiceToken: arn(s.connector.registration.handler),
      Name: 'acme-fans',
      Description: 'Acme fans',
      LambdaArn: arn(s.connector.function),
    });
    const permission = s.connector.function.node.findChild('ManagedIntegrationsInvoke');
    expect(resource?.DependsOn).toContain(id(permission));
  });

  it('the OAuth destination names the secret by ARN and never holds its value', () => {
    oauth.hasResourceProperties('Custom::C2cConnectorDestination', {
      ServiceToken: arn(s.connector.registration.handler),
      CloudConnectorId: ref(s.connector.registration.cloudConnector),
      Name: 'acme-fans',
      OAuth: {
        authUrl: 'https://auth.acme.example/oauth/authorize',
        tokenUrl: 'https://auth.acme.example/oauth/token',
        scope: 'devices',
        tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
        proactiveRefreshTokenRenewal: { enabled: true, DaysBeforeRenewal: 30 },
        clientSecretArn: ref(s.clientSecret),
      },
    });
  });

  it('the General Authorization destination lists its materials', () => {
    general.hasResourceProperties('Custom::C2cConnectorDestination', {
      CloudConnectorId: ref(s.gaConnector.registration.cloudConnector),
      GeneralAuthorization: [{ AuthMaterialName: 'apiKey', SecretArn: ref(s.material) }],
      OAuth: Match.absent(),
    });
  });

  it('the handler is a small nodejs22.x arm64 function with its own log group', () => {
    oauth.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('custom resource'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 120,
      LoggingConfig: { LogGroup: ref(s.connector.registration.logGroup) },
    });
  });
});

describe('outputs', () => {
  it('connector id, destination id, Function URL and name, and queue URLs', () => {
    const outputs = Object.values(oauth.findOutputs('*')).map((o) => o.Value);
    expect(outputs).toEqual([
      ref(s.connector.registration.cloudConnector),
      ref(s.connector.registration.destination as IConstruct),
      { 'Fn::GetAtt': [id(s.connector.functionUrl), 'FunctionUrl'] },
      ref(s.connector.function),
      ref(s.connector.workQueue),
      ref(s.connector.deadLetterQueue),
      ref(s.connector.outboxQueue as IConstruct),
      ref(s.connector.outboxDeadLetterQueue as IConstruct),
    ]);
  });
});

describe('the synthesized templates', () => {
  it('pass cfn-lint', () => {
    const { status, output } = cfnLint({ oauth: oauth.toJSON(), general: general.toJSON() });
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('match the snapshot (drift only: the assertions above say what matters)', () => {
    // Asset hashes change with every source edit of the connector; the rest must not drift.
    const text = JSON.stringify(oauth.toJSON(), null, 1).replace(
      /[0-9a-f]{64}\.zip/g,
      '<asset>.zip',
    );
    expect(JSON.parse(text)).toMatchSnapshot();
  });
});
