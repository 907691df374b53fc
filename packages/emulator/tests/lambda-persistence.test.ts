import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'c2c-aws-persist-'));

function clients(emu: RunningEmulator) {
  const config = sdkClientConfig(emu.url);
  return {
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    sm: new SecretsManagerClient(config),
    destroy() {
      this.lambda.destroy();
      this.sqs.destroy();
      this.sm.destroy();
    },
  };
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Lambda, SQS and Secrets Manager state survives a restart', () => {
  it('keeps functions, queues with their messages, secrets and event source mappings', async () => {
    const output = join(dir, 'esm.jsonl');
    // Prepare: first run.
    const first = await startEmulator({ dataDir: dir, credentials: [TEST_CREDENTIALS] });
    const a = clients(first);
    first.app.lambdaHost.registerFunction({
      name: 'worker',
      handler: fixture('sqs-worker.mjs'),
      environment: { OUTPUT_FILE: output },
    });
    first.app.lambdaHost.registerFunction({ name: 'echo', handler: fixture('echo.mjs') });
    const keptUrl = (await a.sqs.send(new CreateQueueCommand({ QueueName: 'kept' }))).QueueUrl;
    await a.sqs.send(new SendMessageCommand({ QueueUrl: keptUrl, MessageBody: 'still here' }));
    await a.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await a.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'worker',
        EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:jobs',
      }),
    );
    const secret = await a.sm.send(
      new CreateSecretCommand({ Name: 'kept', SecretString: 's3cr3t' }),
    );
    a.destroy();
    await first.close();

    // Act: second run on the same data directory.
    const second = await startEmulator({ dataDir: dir, credentials: [TEST_CREDENTIALS] });
    const b = clients(second);
    try {
      // Assess
      const echoed = await b.lambda.send(
        new InvokeCommand({ FunctionName: 'echo', Payload: '{"x":1}' }),
      );
      expect(JSON.parse(Buffer.from(echoed.Payload ?? []).toString())).toMatchObject({
        event: { x: 1 },
        env: { AWS_ENDPOINT_URL: second.url },
      });
      const kept = await b.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${second.url}/111122223333/kept` }),
      );
      expect(kept.Messages?.[0]?.Body).toBe('still here');
      const value = await b.sm.send(new GetSecretValueCommand({ SecretId: secret.ARN }));
      expect(value.SecretString).toBe('s3cr3t');
      // The mapping's poller restarts with the emulator.
      await b.sqs.send(
        new SendMessageCommand({
          QueueUrl: `${second.url}/111122223333/jobs`,
          MessageBody: 'after restart',
        }),
      );
      const deadline = Date.now() + 10_000;
      while (!(existsSync(output) && readFileSync(output, 'utf8').includes('after restart'))) {
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(readFileSync(output, 'utf8')).toContain('after restart');
    } finally {
      b.destroy();
      await second.close();
    }
  });
});
