import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { until } from '@c2c-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, type SpawnedEmulator, spawnEmulator } from './helpers/spawn-bin.js';

// A queue with a message waiting when `c2c-emulator --data-dir` restarts (a connector's outbox
// after a crash): the mapping's poller invokes the function at once, and the function must be
// able to call back into the emulator. Its worker's AWS_ENDPOINT_URL is the emulator's URL only
// once the server listens; a worker started before that was given `http://127.0.0.1` (no port)
// and, kept warm, failed every call it made for the rest of the run.

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', 'functions', name);
const root = mkdtempSync(join(tmpdir(), 'c2c-emu-restart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Attempt {
  held: boolean;
  pid: number;
  endpoint: string;
}

function attempts(file: string): Attempt[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Attempt);
}

function clients({ url, banner }: SpawnedEmulator) {
  const { accessKeyId, secretAccessKey } = banner;
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
  return { sqs: new SQSClient(config), lambda: new LambdaClient(config) };
}

describe('c2c-emulator restarted on a data dir with a mapped message waiting', () => {
  it('runs the function with the listening URL, so its calls back reach the emulator', async () => {
    const dir = join(root, 'data');
    const output = join(root, 'attempts.jsonl');
    const hold = join(root, 'hold');
    appendFileSync(hold, '');
    const args = ['--data-dir', dir, '--log-level', 'warn'];

    // Arrange: a mapped queue whose message is in flight when the emulator is killed.
    const first = await spawnEmulator(args);
    let a = clients(first);
    try {
      const registered = await fetch(`${first.url}/_local/functions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'relay',
          handler: fixture('sqs-relay.mjs'),
          environment: { OUTPUT_FILE: output, HOLD_FILE: hold, RELAY_TO: 'relayed' },
          timeoutSeconds: 60,
        }),
      });
      expect(registered.status).toBe(201);
      const jobs = await a.sqs.send(
        new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '1' } }),
      );
      await a.sqs.send(new CreateQueueCommand({ QueueName: 'relayed' }));
      await a.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'relay',
          EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:jobs',
          BatchSize: 1,
        }),
      );
      await a.sqs.send(new SendMessageCommand({ QueueUrl: jobs.QueueUrl, MessageBody: 'waiting' }));
      await until(
        'the held invocation',
        async () => (attempts(output).some((t) => t.held) ? true : undefined),
        30_000,
      );
    } finally {
      a.sqs.destroy();
      a.lambda.destroy();
      first.child.kill('SIGKILL');
      await exited(first.child);
    }
    rmSync(hold);
    // The message's visibility timeout (1 s) runs out before the second start.
    await new Promise((r) => setTimeout(r, 1500));

    // Act: the emulator bin again, on the same data dir.
    const second = await spawnEmulator(args);
    a = clients(second);
    try {
      // Assert: the function ran with the emulator's URL, and relayed the message through it.
      const ran = await until(
        'an invocation after the restart',
        async () => {
          const after = attempts(output).filter((t) => !t.held);
          return after.length > 0 ? after : undefined;
        },
        30_000,
      );
      expect(ran.map((t) => t.endpoint)).toEqual(ran.map(() => second.url));
      const relayed = await until(
        'the relayed message',
        async () => {
          const got = await a.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: `${second.url}/111122223333/relayed`,
              WaitTimeSeconds: 1,
            }),
          );
          return got.Messages?.[0];
        },
        30_000,
      );
      expect(relayed.Body).toBe('waiting');
    } finally {
      a.sqs.destroy();
      a.lambda.destroy();
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 120_000);
});
