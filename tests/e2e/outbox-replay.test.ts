import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DemoResult, type DevStack, runDemo, startDevStack } from '@c2c-kit/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../../packages/cli/tests/helpers/bin.js';

// Nothing is lost when the service throttles: the reference connector (in the emulator's Lambda
// host, as `c2c dev` runs it) parks a DEVICE_EVENT that SendConnectorEvent still refuses after
// the client's retries in its SQS FIFO outbox, answers the vendor 202 (no vendor retry), and the
// real `c2c replay --queue-url` bin delivers it later — the customer's notification arrives.

let stack: DevStack;
let demo: DemoResult;
let sqs: SQSClient;

interface StoredNotification {
  eventType: string;
  payload?: Record<string, unknown>;
  message?: { payload?: Record<string, unknown> };
}

/**
 * The customer's DEVICE_EVENT notifications about the camera (the only device with an
 * OccupancySensing cluster). The vendor simulation keeps other devices busy meanwhile, so
 * counting every DEVICE_EVENT would be racy.
 */
async function cameraEvents(): Promise<StoredNotification[]> {
  const res = await fetch(
    `${stack.emulatorUrl}/_local/notifications?eventType=DEVICE_EVENT&limit=500`,
  );
  const items = ((await res.json()) as { Items: StoredNotification[] }).Items;
  return items.filter((n) => /Occupancy/.test(JSON.stringify(n)));
}

async function outboxCount(): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.outboxQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

interface Delivery {
  id: string;
  deviceId: string;
  state: string;
  attempts: Array<{ status?: number }>;
}

async function webhookDeliveries(): Promise<Delivery[]> {
  const res = await fetch(`${stack.vendorCloudUrl}/_sim/webhooks`);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}

beforeAll(async () => {
  stack = await startDevStack({ emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });
  sqs = new SQSClient({
    endpoint: stack.emulatorUrl,
    region: stack.region,
    credentials: {
      accessKeyId: stack.customer.credentials.accessKeyId,
      secretAccessKey: stack.customer.credentials.secretAccessKey,
    },
  });
  // Link, discovery, managed things: the camera needs a managed thing for its events to reach
  // the customer (and a replayed event would be rejected without one).
  const quiet = () => {};
  demo = await runDemo(stack, { step: quiet, ok: quiet, detail: quiet });
}, 90_000);

afterAll(async () => {
  sqs?.destroy();
  await stack?.close();
});

describe('outbox: a throttled DEVICE_EVENT is parked, then replayed by `c2c replay`', () => {
  it('parks the event in the SQS outbox, answers the vendor 202, and replay delivers it', async () => {
    expect(demo.steps.map((s) => s.step)).toContain('camera motion');
    expect(stack.outboxQueueUrl).toMatch(/\/acme-connector-outbox\.fifo$/);
    expect(await outboxCount()).toBe(0);
    const before = (await cameraEvents()).length;
    const deliveredBefore = new Set((await webhookDeliveries()).map((d) => d.id));

    // Every SendConnectorEvent is throttled now: the connector's client retries, then parks.
    stack.setFaults({ throttle: 1 });
    try {
      await stack.triggerVendorEvent('cam-1', 'motion');
      await expect
        .poll(
          async () =>
            (await webhookDeliveries()).find(
              (d) => !deliveredBefore.has(d.id) && d.deviceId === 'cam-1' && d.state !== 'pending',
            ),
          { timeout: 15_000, interval: 100 },
        )
        .toMatchObject({ state: 'delivered' });
    } finally {
      stack.setFaults({ throttle: 0 });
    }
    const delivery = (await webhookDeliveries()).find(
      (d) => !deliveredBefore.has(d.id) && d.deviceId === 'cam-1',
    );
    // One attempt, answered 202: the event is safe in the outbox, so the vendor must not retry.
    expect(delivery?.attempts.map((a) => a.status)).toEqual([202]);
    const parked = await outboxCount();
    expect(parked).toBeGreaterThanOrEqual(1);
    expect((await cameraEvents()).length).toBe(before);

    const env = {
      AWS_ENDPOINT_URL: stack.emulatorUrl,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: stack.customer.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.customer.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    };
    const dry = await runBin(['replay', '--queue-url', stack.outboxQueueUrl, '--dry-run'], {
      env,
      timeoutMs: 30_000,
    });
    expect(dry.stderr).toBe('');
    // Other devices' events of that moment may be parked too; the camera's must be.
    expect(dry.stdout).toMatch(/would send \d+ events? for \d+ devices? /);
    expect(dry.stdout).toMatch(/cam-1 .* DEVICE_EVENT ×\d+ .* last error ThrottlingException/);

    const run = await runBin(['replay', '--queue-url', stack.outboxQueueUrl], {
      env,
      timeoutMs: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^replayed [1-9]\d* events? for [1-9]\d* devices?; 0 still failing/m,
    );
    expect(run.code).toBe(0);

    // The customer's notification about the camera's motion arrives.
    await expect
      .poll(async () => (await cameraEvents()).length, { timeout: 15_000, interval: 100 })
      .toBeGreaterThan(before);
  }, 60_000);
});
