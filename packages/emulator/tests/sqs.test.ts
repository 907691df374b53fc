import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sdkClientConfig, TEST_CREDENTIALS, useEmulatorWithSdkClient } from '@c2c-kit/testing';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';

const aws = useEmulatorWithSdkClient((config) => new SQSClient(config));

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await aws.client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return out.QueueUrl as string;
}

describe('SQS with @aws-sdk/client-sqs', () => {
  it('creates queues with the documented URL and finds them again', async () => {
    // Act
    const url = await queue('orders');
    const again = await queue('orders');
    const byName = await aws.client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const listed = await aws.client.send(new ListQueuesCommand({ QueueNamePrefix: 'ord' }));
    const attrs = await aws.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    // Assess
    expect(url).toBe(`${aws.emu.url}/queue/us-east-1/111122223333/orders`);
    expect(again).toBe(url);
    expect(byName.QueueUrl).toBe(url);
    expect(listed.QueueUrls).toEqual([url]);
    expect(attrs.Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:111122223333:orders',
      VisibilityTimeout: '30',
      ApproximateNumberOfMessages: '0',
    });
  });

  it('rejects a conflicting re-create and an unknown queue with the SQS errors', async () => {
    await queue('conflict', { VisibilityTimeout: '5' });
    await expect(
      aws.client.send(
        new CreateQueueCommand({ QueueName: 'conflict', Attributes: { VisibilityTimeout: '9' } }),
      ),
    ).rejects.toMatchObject({ name: 'QueueNameExists', $metadata: { httpStatusCode: 400 } });
    const err = await aws.client
      .send(new GetQueueUrlCommand({ QueueName: 'nope' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    expect(err).toMatchObject({ Code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('round-trips messages with attributes (the SDK checks every MD5)', async () => {
    const url = await queue('roundtrip');
    const sent = await aws.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'hello ✓',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'greeting' },
          n: { DataType: 'Number', StringValue: '42' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hello ✓').digest('hex'));
    const got = await aws.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages?.[0];
    expect(m?.MessageId).toBe(sent.MessageId);
    expect(m?.Body).toBe('hello ✓');
    expect(m?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m?.MessageAttributes?.raw?.BinaryValue).toEqual(new Uint8Array([1, 2, 3]));
    expect(m?.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: TEST_CREDENTIALS.accessKeyId,
    });
    await aws.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m?.ReceiptHandle }),
    );
    const empty = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(empty.Messages ?? []).toHaveLength(0);
  });

  it('sends and deletes in batches, reporting bad entries per entry', async () => {
    const url = await queue('batch');
    const sent = await aws.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 0 },
          { Id: 'c', MessageBody: 'bad \u0000 char' },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toMatchObject([
      { Id: 'c', Code: 'InvalidMessageContents', SenderFault: true },
    ]);
    const got = await aws.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(got.Messages?.map((m) => m.Body).sort()).toEqual(['one', 'two']);
    const del = await aws.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: (got.Messages ?? []).map((m, i) => ({
          Id: `d${i}`,
          ReceiptHandle: m.ReceiptHandle,
        })),
      }),
    );
    expect(del.Successful).toHaveLength(2);
    const attrs = await aws.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  // Bounded by the test timeout (well under the 20 s wait): passes only if the poll returns early.
  it('long polling returns as soon as a message arrives', { timeout: 10_000 }, async () => {
    const url = await queue('longpoll');
    const pending = aws.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
    );
    setTimeout(() => {
      void aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    }, 200);
    const got = await pending;
    expect(got.Messages?.[0]?.Body).toBe('late');
  });

  it('closing the emulator ends a pending long poll', { timeout: 10_000 }, async () => {
    const other = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
    const client = new SQSClient(sdkClientConfig(other.url));
    const url = (await client.send(new CreateQueueCommand({ QueueName: 'idle' }))).QueueUrl;
    const pending = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 100));
    await other.close();
    const got = await pending;
    expect(got.Messages ?? []).toHaveLength(0);
    client.destroy();
  });

  it('a message becomes visible again after its visibility timeout', async () => {
    const url = await queue('visibility');
    await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await aws.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }),
    );
    expect(first.Messages).toHaveLength(1);
    const hidden = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(hidden.Messages ?? []).toHaveLength(0);
    const second = await aws.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(second.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    // ChangeMessageVisibility(0) releases it at once; the old receipt handle is no longer in flight.
    await aws.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await expect(
      aws.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 10,
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
    const third = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(third.Messages).toHaveLength(1);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlqUrl = await queue('work-dlq');
    const dlqArn = 'arn:aws:sqs:us-east-1:111122223333:work-dlq';
    const url = await queue('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const sent = await aws.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }),
    );
    for (let i = 0; i < 2; i++) {
      const r = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(r.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    }
    const third = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(third.Messages ?? []).toHaveLength(0);
    const dead = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }));
    expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('rejects a redrive policy whose target does not exist', async () => {
    await expect(
      queue('orphan', {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:111122223333:missing',
          maxReceiveCount: 3,
        }),
      }),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('FIFO queues deduplicate and keep group order', async () => {
    const url = await queue('jobs.fifo', { FifoQueue: 'true' });
    const a = await aws.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '1',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'x1',
      }),
    );
    const dup = await aws.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '1',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'x1',
      }),
    );
    await aws.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '2',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'x2',
      }),
    );
    expect(dup.MessageId).toBe(a.MessageId);
    expect(a.SequenceNumber).toMatch(/^\d+$/);
    const first = await aws.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(first.Messages?.map((m) => m.Body)).toEqual(['1']);
    // The group is locked while '1' is in flight.
    const blocked = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(blocked.Messages ?? []).toHaveLength(0);
    await aws.client.send(
      new DeleteMessageCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
      }),
    );
    const next = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(next.Messages?.map((m) => m.Body)).toEqual(['2']);
  });

  it('pages ListQueues and updates attributes with SetQueueAttributes', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await queue(n);
    const first = await aws.client.send(
      new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2 }),
    );
    expect(first.QueueUrls).toHaveLength(2);
    const second = await aws.client.send(
      new ListQueuesCommand({
        QueueNamePrefix: 'page-',
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(second.QueueUrls).toEqual([`${aws.emu.url}/queue/us-east-1/111122223333/page-c`]);
    expect(second.NextToken).toBeUndefined();
    // The URL form without a region (data dirs and environments from before) names a queue of the
    // caller's region.
    const url = `${aws.emu.url}/111122223333/page-a`;
    await aws.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '7' } }),
    );
    const attrs = await aws.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(attrs.Attributes).toEqual({ VisibilityTimeout: '7' });
    await expect(
      aws.client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '-1' } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
  });

  it('rejects a malformed receipt handle and a wrongly signed request', async () => {
    const url = await queue('handles');
    await expect(
      aws.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid', $metadata: { httpStatusCode: 404 } });
    const forged = new SQSClient(sdkClientConfig(aws.emu.url, { secretAccessKey: 'wrong-secret' }));
    await expect(
      forged.send(new GetQueueUrlCommand({ QueueName: 'handles' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    forged.destroy();
  });

  it('purges and deletes queues', async () => {
    const url = await queue('temp');
    await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await aws.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(
      (await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? [],
    ).toHaveLength(0);
    await aws.client.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(
      aws.client.send(new GetQueueUrlCommand({ QueueName: 'temp' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});
