import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_CREDENTIALS } from './mi.js';

/** A connector whose vendor side the outbox tests never reach (webhooks only). */
export const noVendor = {
  resolveUser: async () => 'u',
  listDevices: async () => [],
  executeCommand: async () => [],
};

/**
 * For an outbox test file: an in-memory emulator whose SQS subset the outboxes run on, through
 * the real AWS SDK (`sqs`), started before the file's tests and closed after them; `newQueue()`
 * makes a fresh queue (FIFO when asked).
 */
export function useEmulatorQueues() {
  const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const running = {} as { emu: RunningEmulator; sqs: SQSClient };
  let queues = 0;
  beforeAll(async () => {
    running.emu = await startEmulator({ memory: true, credentials: [LOCAL_CREDENTIALS] });
    running.sqs = new SQSClient({ ...aws, endpoint: running.emu.url });
  });
  afterAll(async () => {
    running.sqs?.destroy();
    await running.emu?.close();
  });
  return Object.assign(running, {
    aws,
    async newQueue(fifo = false): Promise<string> {
      const name = `outbox-test-${queues++}${fifo ? '.fifo' : ''}`;
      const q = await running.sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
        }),
      );
      return q.QueueUrl as string;
    },
  });
}
