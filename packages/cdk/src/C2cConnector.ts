import { CfnOutput, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLE_FILE, type BundlingOptions, bundleEntry } from './bundle.js';
import { ConnectorRegistration, type DestinationProps } from './ConnectorRegistration.js';
import { ConnectorPropsError } from './errors.js';
import { secretReadStatements } from './secretGrants.js';

/** The service principal that invokes a connector (AWS.ActivateUser, … AWS.DeactivateUser). */
export const SERVICE_PRINCIPAL = 'iotmanagedintegrations.amazonaws.com';

/** Environment variables the construct sets; the connector runtime reads them. */
export const CONNECTOR_ENV = {
  workQueueUrl: 'C2C_WORK_QUEUE_URL',
  outboxQueueUrl: 'C2C_OUTBOX_QUEUE_URL',
  outboxDeadLetterQueueUrl: 'C2C_OUTBOX_DLQ_URL',
  storeTable: 'C2C_STORE_TABLE',
  logLevel: 'C2C_LOG_LEVEL',
  commandDeadlineMs: 'C2C_COMMAND_DEADLINE_MS',
} as const;

export interface C2cConnectorProps {
  /** The connector's Lambda entry (`.ts` or `.js`) exporting the handler; bundled at synth time. */
  readonly entry: string;
  /** Exported handler name. Default `handler`. */
  readonly handlerExport?: string;
  /** esbuild options. Default: ESM, minified, `@aws-sdk/*` external, no extra conditions. */
  readonly bundling?: BundlingOptions;
  /** The connector's own configuration (e.g. `ACME_API_URL`); `C2C_*` names are the construct's. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Function timeout. Default 10 s: the ACK path answers within the service's 2 s; queue work needs more. */
  readonly timeout?: Duration;
  /** Function memory in MB. Default 512 (CPU scales with it; cold start + ACK fit in 2 s). */
  readonly memorySize?: number;
  /** `C2C_LOG_LEVEL`. Default `info`. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Retention of the function's and the registration handler's logs. Default one month. */
  readonly logRetention?: logs.RetentionDays;
  /** `C2C_COMMAND_DEADLINE_MS`. Default: the runtime's (30 s). Must exceed the visibility timeout. */
  readonly commandDeadline?: Duration;
  /** Work queue visibility timeout. Default 2 × `timeout`, at least `timeout`. */
  readonly workVisibilityTimeout?: Duration;
  /** Work messages per invocation. Default 5. */
  readonly workBatchSize?: number;
  /** Receives of a work message before it moves to the DLQ. Default 5 (the runtime fails a command at its 3rd). */
  readonly maxReceiveCount?: number;
  /** Create the FIFO outbox (`C2C_OUTBOX_QUEUE_URL`) and its dead letter (`C2C_OUTBOX_DLQ_URL`). Default `true`. */
  readonly outbox?: boolean;
  /** Customer-managed key for the queues and the table. Default: SQS-managed SSE, DynamoDB's AWS managed key. */
  readonly encryptionKey?: kms.IKey;
  /** Secrets the connector reads for General Authorization besides the destination's. Default none. */
  readonly generalAuthorizationSecrets?: readonly secretsmanager.ISecret[];
  /** `aws:SourceArn` of the service's invocations. Default: any account association of this account and region. */
  readonly invokeSourceArn?: string;
  /** CloudConnector name. Default: a unique name from the construct path. */
  readonly connectorName?: string;
  /** CloudConnector description. Default none. */
  readonly description?: string;
  /** The ConnectorDestination (OAuth 2.0 or General Authorization). Default: none is created. */
  readonly destination?: DestinationProps;
  /** Added to every alarm. Default none (read `alarms` to wire your own). */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * A c2c-kit connector on AWS: the bundled Lambda (nodejs22.x, arm64) with its Function URL for
 * vendor webhooks, the SQS work queue (+ DLQ) it consumes, the FIFO outbox, the DynamoDB
 * idempotency table, logs, alarms, least-privilege IAM, the service's invoke permission and the
 * CloudConnector registration.
 */
export class C2cConnector extends Construct {
  readonly function: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  readonly workQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly outboxQueue: sqs.Queue | undefined;
  readonly outboxDeadLetterQueue: sqs.Queue | undefined;
  readonly table: dynamodb.Table;
  readonly logGroup: logs.LogGroup;
  readonly registration: ConnectorRegistration;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The CloudConnector id (known after deployment). */
  readonly connectorId: string;

  constructor(scope: Construct, id: string, props: C2cConnectorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const timeout = props.timeout ?? Duration.seconds(10);
    const visibility = props.workVisibilityTimeout ?? Duration.seconds(timeout.toSeconds() * 2);
    checkTimes(timeout, visibility, props.commandDeadline);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const key = props.encryptionKey;
    // SQS-managed SSE by default: the queued work carries OAuth access tokens, so it is encrypted
    // at rest either way; a customer key adds key policy and CloudTrail control at KMS cost.
    const queueEncryption = key
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };

    this.deadLetterQueue = new sqs.Queue(this, 'WorkDeadLetterQueue', {
      ...queueEncryption,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    this.workQueue = new sqs.Queue(this, 'WorkQueue', {
      ...queueEncryption,
      visibilityTimeout: visibility,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    // The outbox (parked events, drained by the function itself) and the dead letter it moves
    // events to when they fail for good; both FIFO, so order per device holds end to end.
    const fifo = {
      ...queueEncryption,
      fifo: true,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    };
    this.outboxDeadLetterQueue =
      props.outbox === false ? undefined : new sqs.Queue(this, 'OutboxDeadLetterQueue', fifo);
    this.outboxQueue =
      props.outbox === false
        ? undefined
        : new sqs.Queue(this, 'OutboxQueue', { ...fifo, visibilityTimeout: visibility });
    // The connector store's schema (@c2c-kit/connector/dynamodb): idempotency records and the
    // per-device parked markers, `ttl` in epoch seconds for DynamoDB's clean-up.
    this.table = new dynamodb.Table(this, 'StoreTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      ...(key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      // Records live minutes to days; nothing in it outlives the connector.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'c2c-kit connector execution role',
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'c2c-kit connector: invocations, vendor webhooks, work queue',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(bundleEntry(props.entry, props.bundling)),
      handler: `${BUNDLE_FILE.replace(/\.mjs$/, '')}.${props.handlerExport ?? 'handler'}`,
      timeout,
      memorySize: props.memorySize ?? 512,
      role,
      logGroup: this.logGroup,
      environment: this.environment(props),
    });
    this.grant(role, props);
    this.function.addEventSource(
      new SqsEventSource(this.workQueue, {
        batchSize: props.workBatchSize ?? 5,
        reportBatchItemFailures: true,
      }),
    );
    if (this.outboxQueue) {
      // The drain: each device's oldest parked event re-sent (with backoff through the message's
      // visibility) until the service takes it.
      this.function.addEventSource(
        new SqsEventSource(this.outboxQueue, { batchSize: 10, reportBatchItemFailures: true }),
      );
    }
    // Vendors cannot sign with SigV4: the webhook's HMAC (checked in code) is the authentication.
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.function.addPermission('ManagedIntegrationsInvoke', {
      principal: new iam.ServicePrincipal(SERVICE_PRINCIPAL),
      action: 'lambda:InvokeFunction',
      sourceAccount: stack.account,
      sourceArn:
        props.invokeSourceArn ??
        stack.formatArn({
          service: 'iotmanagedintegrations',
          resource: 'account-association',
          resourceName: '*',
        }),
    });

    this.registration = new ConnectorRegistration(this, 'Registration', {
      connector: this.function,
      name:
        props.connectorName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      ...(props.description === undefined ? {} : { description: props.description }),
      ...(props.destination === undefined ? {} : { destination: props.destination }),
      logRetention: retention,
    });
    // The service may check at registration that it can invoke the function.
    this.registration.cloudConnector.node.addDependency(
      this.function.node.findChild('ManagedIntegrationsInvoke'),
    );
    this.connectorId = this.registration.cloudConnector.ref;
    this.addAlarms(props.alarmAction);
    this.addOutputs();
  }

  private environment(props: C2cConnectorProps): Record<string, string> {
    const own: Record<string, string> = {
      [CONNECTOR_ENV.workQueueUrl]: this.workQueue.queueUrl,
      [CONNECTOR_ENV.storeTable]: this.table.tableName,
      [CONNECTOR_ENV.logLevel]: props.logLevel ?? 'info',
    };
    if (this.outboxQueue && this.outboxDeadLetterQueue) {
      own[CONNECTOR_ENV.outboxQueueUrl] = this.outboxQueue.queueUrl;
      own[CONNECTOR_ENV.outboxDeadLetterQueueUrl] = this.outboxDeadLetterQueue.queueUrl;
    }
    if (props.commandDeadline) {
      own[CONNECTOR_ENV.commandDeadlineMs] = String(props.commandDeadline.toMilliseconds());
    }
    for (const name of Object.keys(props.environment ?? {})) {
      if (name.startsWith('C2C_') || name.startsWith('AWS_')) {
        throw new ConnectorPropsError(
          'environment',
          `${name} is set by the construct or by Lambda; use the matching prop instead`,
        );
      }
    }
    return { ...props.environment, ...own };
  }

  private grant(role: iam.Role, props: C2cConnectorProps): void {
    const stack = Stack.of(this);
    this.logGroup.grantWrite(role);
    const statements = [
      new iam.PolicyStatement({
        sid: 'SendConnectorEvents',
        // SendConnectorEvent has no resource type in the service authorization reference.
        actions: ['iotmanagedintegrations:SendConnectorEvent'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ResolveConnectorId',
        // Cloud connectors are no resource type either; the runtime finds its own id with these.
        actions: [
          'iotmanagedintegrations:ListCloudConnectors',
          'iotmanagedintegrations:GetCloudConnector',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'EnqueueWork',
        actions: ['sqs:SendMessage'],
        resources: [this.workQueue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'StoreRecords',
        // Query: a device's parked markers (one partition).
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    ];
    if (this.outboxQueue && this.outboxDeadLetterQueue) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ParkInOutbox',
          actions: ['sqs:SendMessage'],
          resources: [this.outboxQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'DeadLetterParkedEvents',
          // The drain moves an event that fails for good to the dead letter `c2c replay` serves.
          actions: ['sqs:SendMessage'],
          resources: [this.outboxDeadLetterQueue.queueArn],
        }),
      );
    }
    const secrets = [
      ...(props.destination?.generalAuthorization ?? []).map((m) => m.secret),
      ...(props.generalAuthorizationSecrets ?? []),
    ];
    statements.push(...secretReadStatements(stack, secrets, ['secretsmanager:GetSecretValue']));
    for (const statement of statements) role.addToPolicy(statement);
    if (props.encryptionKey) {
      // Sending to the queues and writing the table encrypts; the event source mapping decrypts.
      props.encryptionKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    // GetFunctionUrlConfig on itself, in its own policy: the function waits for its default
    // policy, which therefore cannot name the function's ARN without a dependency cycle.
    new iam.Policy(this, 'SelfLookupPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadOwnFunctionUrl',
          actions: ['lambda:GetFunctionUrlConfig'],
          resources: [this.function.functionArn],
        }),
      ],
    });
  }

  private addAlarms(action: cloudwatch.IAlarmAction | undefined): void {
    const atLeastOne = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const period = Duration.minutes(5);
    const add = (id: string, metric: cloudwatch.IMetric, description: string) => {
      const alarm = new cloudwatch.Alarm(this, id, {
        ...atLeastOne,
        metric,
        alarmDescription: description,
      });
      if (action) alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    add(
      'DeadLetterAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      'Work the connector gave up on is in the dead-letter queue',
    );
    add(
      'ErrorsAlarm',
      this.function.metricErrors({ period, statistic: 'Sum' }),
      'The connector function failed',
    );
    add(
      'ThrottlesAlarm',
      this.function.metricThrottles({ period, statistic: 'Sum' }),
      'The connector function was throttled',
    );
    if (this.outboxDeadLetterQueue) {
      add(
        'OutboxDeadLetterAlarm',
        this.outboxDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
        'Events the service kept refusing are dead-lettered: replay them with c2c replay --queue-url',
      );
    }
  }

  private addOutputs(): void {
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    out('ConnectorId', this.connectorId, 'CloudConnector id');
    if (this.registration.destination) {
      out('ConnectorDestinationId', this.registration.destination.ref, 'ConnectorDestination id');
    }
    out('FunctionUrl', this.functionUrl.url, "The vendor's webhook target");
    out('FunctionName', this.function.functionName, 'The connector function (c2c test --deployed)');
    out('WorkQueueUrl', this.workQueue.queueUrl, 'SQS work queue');
    out('DeadLetterQueueUrl', this.deadLetterQueue.queueUrl, 'Dead-letter queue of the work queue');
    if (this.outboxQueue && this.outboxDeadLetterQueue) {
      out('OutboxQueueUrl', this.outboxQueue.queueUrl, 'FIFO outbox of parked events');
      out(
        'OutboxDeadLetterQueueUrl',
        this.outboxDeadLetterQueue.queueUrl,
        'Dead-lettered events (c2c replay --queue-url)',
      );
    }
  }
}

function checkTimes(timeout: Duration, visibility: Duration, deadline: Duration | undefined): void {
  if (visibility.toSeconds() < timeout.toSeconds()) {
    throw new ConnectorPropsError(
      'workVisibilityTimeout',
      `expected at least the function timeout (${timeout.toSeconds()} s), got ${visibility.toSeconds()} s`,
    );
  }
  const deadlineSeconds = deadline?.toSeconds() ?? 30;
  if (visibility.toSeconds() >= deadlineSeconds) {
    throw new ConnectorPropsError(
      'workVisibilityTimeout',
      `expected less than the command deadline (${deadlineSeconds} s) so a failed command is retried before it, got ${visibility.toSeconds()} s`,
    );
  }
}
