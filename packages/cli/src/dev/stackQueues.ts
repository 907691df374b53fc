import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type LoopbackServer, listenOnLoopback } from '@c2c-kit/emulator';
import kinesalite from 'kinesalite';

// The connector's queues on the emulator's SQS, and the local Kinesis the customer's
// notifications are delivered to: what `startDevStack` provisions besides registrations.

/**
 * The connector's queues, named after its function: the work queue and its dead-letter queue;
 * the outbox, a FIFO queue grouped per device that the connector consumes itself (a second event
 * source mapping) to retry parked events in order, and the outbox's dead-letter queue for what
 * fails for good, which `c2c replay` serves.
 */
export const queueNames = (fn: string) => ({
  work: `${fn}-work`,
  deadLetter: `${fn}-dlq`,
  outbox: `${fn}-outbox.fifo`,
  outboxDlq: `${fn}-outbox-dlq.fifo`,
});

/** A queue's ARN (what an event source mapping and a redrive policy name it by). */
async function arnOf(sqs: SQSClient, queueUrl: string | undefined): Promise<string | undefined> {
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return got.Attributes?.QueueArn;
}

/**
 * The work queue with its dead-letter queue (five receives, then there). CreateQueue with the
 * same attributes returns the existing queue, so a second start reuses it.
 */
export async function ensureWorkQueue(
  sqs: SQSClient,
  names: ReturnType<typeof queueNames>,
): Promise<{ url: string; arn: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetter }));
  const redrive = { deadLetterTargetArn: await arnOf(sqs, dlq.QueueUrl), maxReceiveCount: '5' };
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.work,
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify(redrive) },
    }),
  );
  const arn = await arnOf(sqs, work.QueueUrl);
  if (!work.QueueUrl || !arn) throw new Error('CreateQueue returned no URL/ARN');
  return { url: work.QueueUrl, arn };
}

/** The outbox and its dead-letter queue, both FIFO (each device's events stay in order). */
export async function ensureOutboxQueues(
  sqs: SQSClient,
  names: ReturnType<typeof queueNames>,
): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const [outbox, dlq] = await Promise.all(
    [names.outbox, names.outboxDlq].map((QueueName) =>
      sqs.send(
        new CreateQueueCommand({
          QueueName,
          Attributes: { FifoQueue: 'true', VisibilityTimeout: '60' },
        }),
      ),
    ),
  );
  const arn = await arnOf(sqs, outbox?.QueueUrl);
  if (!outbox?.QueueUrl || !dlq?.QueueUrl || !arn) {
    throw new Error('CreateQueue returned no URL/ARN');
  }
  return { url: outbox.QueueUrl, arn, dlqUrl: dlq.QueueUrl };
}

/**
 * A local Kinesis (kinesalite, in memory, loopback): the customer's notification destination is
 * a Kinesis stream, as in AWS, so the emulator's real PutRecord deliveries neither go to the
 * internet nor hang until a timeout.
 */
export async function startLocalKinesis(): Promise<LoopbackServer> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  return listenOnLoopback(server);
}
