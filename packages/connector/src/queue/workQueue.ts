import { ConnectorConfigError } from '../errors.js';
import type { MatterEndpointWire } from '../protocol.js';

/** How the service authenticated the end user, as it arrived in the invocation header. */
export type InvocationAuth =
  | { readonly type: 'OAuth2.0'; readonly token: string }
  | {
      readonly type: 'GeneralAuthorization';
      readonly secretsManager: { readonly arn: string; readonly versionId: string };
    };

/**
 * Work deferred from an invocation's ACK to a later invocation. It carries the auth reference
 * the vendor call needs (OAuth token, or only the Secrets Manager ARN for General
 * Authorization); the queue must be encrypted at rest (SQS SSE is on by default).
 */
export type WorkItem =
  | {
      readonly kind: 'discover';
      readonly connectorId: string;
      readonly deviceDiscoveryId: string;
      readonly auth: InvocationAuth;
    }
  | {
      readonly kind: 'command';
      readonly connectorId: string;
      readonly traceId: string;
      readonly connectorDeviceId: string;
      readonly endpoints: readonly MatterEndpointWire[];
      readonly auth: InvocationAuth;
      /** Epoch ms after which the command is failed rather than executed (`commandDeadlineMs`). */
      readonly deadlineAt?: number;
    };

/** Where ACKed work goes. Swap in your own (EventBridge, Step Functions…) by implementing this. */
export interface WorkQueue {
  /** `signal` aborts when the invocation's ACK budget is about to run out. */
  enqueue(item: WorkItem, options?: { signal?: AbortSignal }): Promise<void>;
}

/** The work item's own idempotency key: one discovery per deviceDiscoveryId, one command per traceId. */
export function workKey(item: WorkItem): string {
  return item.kind === 'discover'
    ? `discover:${item.deviceDiscoveryId}`
    : `command:${item.traceId}`;
}

/** An SQS event record as Lambda delivers it (the fields we read). */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle?: string;
  readonly eventSource?: string;
  /** The queue's ARN: tells the outbox queue's records from the work queue's. */
  readonly eventSourceARN?: string;
  readonly attributes?: {
    readonly ApproximateReceiveCount?: string;
    readonly MessageGroupId?: string;
  };
}

/**
 * In-process queue for unit tests only: collects items and turns them into the SQS event the
 * real queue would deliver, so the worker path under test is the production one.
 */
export class InProcessWorkQueue implements WorkQueue {
  readonly items: WorkItem[] = [];
  private seq = 0;
  enqueue(item: WorkItem): Promise<void> {
    this.items.push(JSON.parse(JSON.stringify(item)) as WorkItem);
    return Promise.resolve();
  }
  /** Removes the queued items and returns them as one SQS event. */
  drainAsSqsEvent(): { Records: SqsRecord[] } {
    const records = this.items.splice(0).map((item) => ({
      messageId: `local-${++this.seq}`,
      body: JSON.stringify(item),
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
    }));
    return { Records: records };
  }
}

export interface SqsWorkQueueOptions {
  /** Default: env C2C_WORK_QUEUE_URL. */
  readonly queueUrl?: string;
  readonly region?: string;
}

/**
 * The production queue: SQS, consumed by the same function through an event source mapping
 * with ReportBatchItemFailures and a redrive policy to a DLQ. The SDK client is imported on
 * first use so cold starts that never enqueue don't pay for it.
 */
export class SqsWorkQueue implements WorkQueue {
  private readonly queueUrl: string | undefined;
  private readonly region: string | undefined;
  private client:
    | Promise<{ send(item: WorkItem, signal?: AbortSignal): Promise<void> }>
    | undefined;

  constructor(options: SqsWorkQueueOptions = {}) {
    this.queueUrl = options.queueUrl ?? process.env.C2C_WORK_QUEUE_URL;
    this.region = options.region;
  }

  get configured(): boolean {
    return Boolean(this.queueUrl);
  }

  async enqueue(item: WorkItem, options: { signal?: AbortSignal } = {}): Promise<void> {
    const queueUrl = this.queueUrl;
    if (!queueUrl) {
      throw new ConnectorConfigError(
        'work queue: expected the `workQueue` option or C2C_WORK_QUEUE_URL, got nothing',
      );
    }
    this.client ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => {
      const sqs = new SQSClient(this.region ? { region: this.region } : {});
      return {
        async send(work: WorkItem, signal?: AbortSignal) {
          await sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(work) }),
            signal ? { abortSignal: signal } : {},
          );
        },
      };
    });
    await (await this.client).send(item, options.signal);
  }
}
