import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { RunningEmulator } from '@c2c-kit/emulator';
import { until } from '@c2c-kit/testing';
import { LOCAL_CREDENTIALS } from './mi.js';

/**
 * Drain, then assert: waits until a connector's work queue in the emulator holds nothing, visible
 * or in flight (the emulator's counts are exact), then until the service and the vendor cloud
 * have finished what that work started. Work wrongly enqueued or redelivered before this call has
 * run by the time it returns, so a test asserting "nothing more happened" can fail.
 */
export async function drainWork(
  emu: RunningEmulator,
  queueUrl: string,
  vendor?: { readonly webhooks: { idle(): Promise<void> } },
): Promise<void> {
  const sqs = new SQSClient({
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    endpoint: emu.url,
  });
  try {
    await until(
      'the work queue to drain',
      async () => {
        const { Attributes: a } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
            ],
          }),
        );
        const left =
          Number(a?.ApproximateNumberOfMessages ?? 1) +
          Number(a?.ApproximateNumberOfMessagesNotVisible ?? 1);
        return left === 0 || undefined;
      },
      30_000,
    );
  } finally {
    sqs.destroy();
  }
  await emu.app.managedIntegrations.drain();
  await vendor?.webhooks.idle();
}
