import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { eventually } from './helpers/eventually.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

let emu: RunningEmulator;
let lambda: LambdaClient;
let sqs: SQSClient;
let dir: string;

interface Attempt {
  body: string;
  messageId: string;
  receiveCount: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
  md5OfBody: string;
  messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
}

const attempts = (file: string): Attempt[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Attempt);
  } catch {
    return [];
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2c-esm-'));
  emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  lambda = new LambdaClient(sdkClientConfig(emu.url));
  sqs = new SQSClient(sdkClientConfig(emu.url));
});

afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(
  name: string,
  redrive: boolean,
): Promise<{ url: string; arn: string; dlqUrl?: string; out: string }> {
  const out = join(dir, `${name}.jsonl`);
  emu.app.lambdaHost.registerFunction({
    name,
    handler: fixture('sqs-worker.mjs'),
    environment: { OUTPUT_FILE: out },
  });
  let dlqUrl: string | undefined;
  const attributes: Record<string, string> = { VisibilityTimeout: '1' };
  if (redrive) {
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl;
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:111122223333:${name}-dlq`,
      maxReceiveCount: 2,
    });
  }
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
    .QueueUrl as string;
  return {
    url,
    arn: `arn:aws:sqs:us-east-1:111122223333:${name}`,
    out,
    ...(dlqUrl ? { dlqUrl } : {}),
  };
}

describe('SQS event source mapping', () => {
  it('delivers batches as SQS events and deletes what succeeded', async () => {
    // Prepare
    const q = await setup('esm-basic', false);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm-basic',
        EventSourceArn: q.arn,
        BatchSize: 5,
      }),
    );
    expect(created).toMatchObject({
      State: 'Creating',
      BatchSize: 5,
      EventSourceArn: q.arn,
      FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:esm-basic',
    });
    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: 'hello',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      }),
    );
    // Assess
    const seen = await eventually(
      () => attempts(q.out),
      (a) => a.length >= 1,
    );
    expect(seen[0]).toMatchObject({
      body: 'hello',
      receiveCount: '1',
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: 'us-east-1',
      md5OfBody: '5d41402abc4b2a76b9719d911017c592',
      messageAttributes: { kind: { stringValue: 'greeting', dataType: 'String' } },
    });
    const left = await eventually(
      async () =>
        (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['All'] }),
          )
        ).Attributes,
      (a) =>
        a?.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0',
    );
    expect(left?.ApproximateNumberOfMessagesNotVisible).toBe('0');
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(got.State).toBe('Enabled');
    const listed = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: 'esm-basic' }),
    );
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toEqual([created.UUID]);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    await expect(
      lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('honours batchItemFailures: only failed items return, and go to the DLQ after maxReceiveCount', async () => {
    const q = await setup('esm-partial', true);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm-partial',
        EventSourceArn: q.arn,
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: '1', MessageBody: 'ok-1' },
          { Id: '2', MessageBody: 'fail-2' },
          { Id: '3', MessageBody: 'ok-3' },
        ],
      }),
    );
    const dead = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, WaitTimeSeconds: 1 })))
          .Messages ?? [],
      (m) => m.length > 0,
    );
    expect(dead.map((m) => m.Body)).toEqual(['fail-2']);
    const byBody = (body: string): Attempt[] => attempts(q.out).filter((a) => a.body === body);
    expect(byBody('ok-1')).toHaveLength(1);
    expect(byBody('ok-3')).toHaveLength(1);
    expect(byBody('fail-2').map((a) => a.receiveCount)).toEqual(['1', '2']);
  });

  it('a thrown error fails the whole batch', async () => {
    const q = await setup('esm-throw', true);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm-throw',
        EventSourceArn: q.arn,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'throw' }));
    const dead = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, WaitTimeSeconds: 1 })))
          .Messages ?? [],
      (m) => m.length > 0,
    );
    expect(dead.map((m) => m.Body)).toEqual(['throw']);
    expect(attempts(q.out).map((a) => a.receiveCount)).toEqual(['1', '2']);
  });

  it('a disabled mapping stops delivering until it is enabled again', async () => {
    const q = await setup('esm-toggle', false);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm-toggle',
        EventSourceArn: q.arn,
        Enabled: false,
      }),
    );
    expect(
      (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State,
    ).toBe('Disabled');
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'waiting' }));
    const waiting = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: q.url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(waiting.Attributes?.ApproximateNumberOfMessages).toBe('1');
    expect(attempts(q.out)).toHaveLength(0);
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: true }),
    );
    expect(updated.State).toBe('Enabling');
    const seen = await eventually(
      () => attempts(q.out),
      (a) => a.length >= 1,
    );
    expect(seen.map((a) => a.body)).toEqual(['waiting']);
  });

  it('runs batches of different FIFO message groups at once, each group in order', async () => {
    // Group a's head waits for group b's message to be handled: with one batch at a time (the
    // mapping's old poller) it waits alone, fails, and is received a second time.
    const out = join(dir, 'esm-fifo.jsonl');
    emu.app.lambdaHost.registerFunction({
      name: 'esm-fifo',
      handler: fixture('sqs-worker.mjs'),
      environment: { OUTPUT_FILE: out },
      timeoutSeconds: 30,
    });
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'esm-fifo.fifo',
          Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
        }),
      )
    ).QueueUrl as string;
    const send = (group: string, body: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body,
        }),
      );
    await send('a', 'wait:b-done');
    await send('a', 'a-2');
    await send('b', 'touch:b-done');
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm-fifo',
        EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:esm-fifo.fifo',
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    const seen = await eventually(
      () => attempts(out),
      (a) => a.some((x) => x.body === 'a-2'),
    );
    expect(seen.filter((a) => a.body.startsWith('wait')).map((a) => a.receiveCount)).toEqual(['1']);
    const group = seen.map((a) => a.body).filter((b) => b !== 'touch:b-done');
    expect(group).toEqual(['wait:b-done', 'a-2']);
  });

  it('rejects mappings to unknown queues, functions and response types', async () => {
    await expect(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'esm-basic',
          EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:missing',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'ghost',
          EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:esm-basic',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
