import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface TestQueueOptions {
  /** SQS attributes of the queue (strings, as the API takes them). */
  readonly attributes?: Record<string, string>;
  /** A dead-letter queue to create first and redrive to after `maxReceiveCount` receives. */
  readonly deadLetter?: { readonly name: string; readonly maxReceiveCount: number };
}

async function queueArn(sqs: SQSClient, queueUrl: string | undefined): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!queueUrl || !Attributes?.QueueArn) throw new Error(`no ARN for queue ${queueUrl}`);
  return Attributes.QueueArn;
}

/**
 * A connector's work queue on an emulator's SQS, made through the SDK as a customer makes it:
 * its URL and ARN (for `C2C_WORK_QUEUE_URL` and an event source mapping).
 */
export async function createTestQueue(
  sqs: SQSClient,
  name: string,
  options: TestQueueOptions = {},
): Promise<{ url: string; arn: string }> {
  const attributes = { ...options.attributes };
  if (options.deadLetter) {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: options.deadLetter.name }));
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, created.QueueUrl),
      maxReceiveCount: String(options.deadLetter.maxReceiveCount),
    });
  }
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return { url: QueueUrl as string, arn: await queueArn(sqs, QueueUrl) };
}
