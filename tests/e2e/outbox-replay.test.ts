import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DevStack, runDemo, startDevStack } from '@c2c-kit/cli';
import { runBin, webhookHeaders } from '@c2c-kit/testing';
import { childPids, sigkill } from '@c2c-kit/testing/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Reliability where the user meets it: `c2c dev` runs the reference connector in the emulator's
// Lambda host — several worker processes sharing the connector store (SQLite in the data
// directory) — over real sockets, with the emulator's fault injection. Every wait is a bounded
// poll; nothing asserts on timing.

const dataDir = mkdtempSync(join(tmpdir(), 'c2c-outbox-e2e-'));
let stack: DevStack;
let sqs: SQSClient;
let aliceId: string;

interface StoredEvent {
  seq: number;
  operation: string;
  body: {
    ConnectorDeviceId?: string;
    UserId?: string;
    MatterEndpoint?: { clusters?: Array<{ id: string; attributes?: Record<string, unknown> }> };
  };
}

/** DEVICE_EVENTs the service stored for the connector, oldest first. */
async function storedEvents(): Promise<StoredEvent[]> {
  const res = await fetch(
    `${stack.emulatorUrl}/_local/events?connectorId=${stack.connectorId}&limit=10000`,
  );
  const items = ((await res.json()) as { Items: StoredEvent[] }).Items;
  return items.filter((e) => e.operation === 'DEVICE_EVENT').sort((a, b) => a.seq - b.seq);
}

/** The thermostat's LocalTemperature values (0.01 °C) the service stored, in arrival order. */
async function temperatures(device: string): Promise<number[]> {
  return (await storedEvents())
    .filter((e) => e.body.ConnectorDeviceId === device)
    .flatMap((e) => e.body.MatterEndpoint?.clusters ?? [])
    .filter((c) => c.id === '0x0201')
    .map((c) => Number(c.attributes?.['0x0000']));
}

async function queueDepth(queueUrl: string): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** A vendor webhook signed with the stack's secret, as the Acme cloud sends it. */
function signedDelivery(id: string, deviceId: string, temperatureC: number) {
  const secret = (
    JSON.parse(readFileSync(join(dataDir, 'dev-stack.json'), 'utf8')) as { webhookSecret: string }
  ).webhookSecret;
  const body = JSON.stringify({
    eventId: id,
    type: 'device.temperature',
    deviceId,
    kind: 'thermostat',
    userId: aliceId,
    occurredAt: new Date().toISOString(),
    source: 'device',
    data: { temperatureC },
  });
  const headers = webhookHeaders(secret, body, id);
  return () =>
    fetch(stack.functionUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { status?: string } }));
}

const start = () => startDevStack({ dataDir, emulatorPort: 0, vendorPort: 0, dashboardPort: 0 });

function connectSqs() {
  sqs?.destroy();
  sqs = new SQSClient({
    endpoint: stack.emulatorUrl,
    region: stack.region,
    credentials: {
      accessKeyId: stack.customer.credentials.accessKeyId,
      secretAccessKey: stack.customer.credentials.secretAccessKey,
    },
  });
}

beforeAll(async () => {
  stack = await start();
  connectSqs();
  // Link, discovery, a managed thing per device: events of a device reach the customer.
  const quiet = () => {};
  await runDemo(stack, { step: quiet, ok: quiet, detail: quiet });
  const first = (await storedEvents()).find((e) => e.body.UserId);
  aliceId = first?.body.UserId as string;
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('outbox and webhook de-duplication under several workers, faults and restarts', () => {
  it('a throttle burst, then healthy: every parked event is delivered by the connector itself, in order per device', async () => {
    expect(aliceId).toMatch(/\S/);
    // 24 temperatures for the thermostat, unusual values, strictly increasing: -15.0 … -12.7 °C.
    const values = Array.from({ length: 24 }, (_, i) => Math.round(-1500 + 10 * i) / 100);
    const expected = values.map((c) => Math.round(c * 100));
    const vendorDeliveries = async () =>
      (
        (await (await fetch(`${stack.vendorCloudUrl}/_sim/webhooks`)).json()) as {
          deliveries: Array<{ deviceId: string; state: string }>;
        }
      ).deliveries;
    const pendingBefore = (await vendorDeliveries()).filter((d) => d.state === 'pending').length;

    stack.setFaults({ throttle: 1 });
    try {
      // The vendor cloud sends one device's webhooks one after another (as Acme does), and the
      // fan's and the light's at the same time: several workers are busy at once.
      for (const temperatureC of values) {
        await stack.triggerVendorEvent('thermo-1', 'temperature', { temperatureC });
        await stack.triggerVendorEvent('fan-1', 'button');
      }
      // Every webhook answered (202, parked) while SendConnectorEvent refuses everything.
      await expect
        .poll(
          async () =>
            (await vendorDeliveries()).filter((d) => d.state === 'pending').length <= pendingBefore,
          { timeout: 60_000, interval: 200 },
        )
        .toBe(true);
      expect(await queueDepth(stack.outboxQueueUrl)).toBeGreaterThan(0);
    } finally {
      stack.setFaults({ throttle: 0 });
    }
    // Healthy again. No new webhook, no `c2c replay`: the connector drains its outbox. (The
    // simulated thermostat also drifts by 0.1 °C towards its setpoint, upwards from here, so
    // the service may store values of its own between ours: every one of ours, never a drop.)
    const ours = async () =>
      (await temperatures('thermo-1')).filter((t) => t >= -1500 && t <= -1270);
    await expect
      .poll(
        async () => {
          const got = await ours();
          return expected.filter((t) => got.includes(t));
        },
        {
          timeout: 90_000,
          interval: 250,
        },
      )
      .toEqual(expected);
    const arrived = await ours();
    for (let i = 1; i < arrived.length; i++) {
      expect(arrived[i], `temperatures ${arrived.join(',')}`).toBeGreaterThanOrEqual(
        arrived[i - 1] as number,
      );
    }
    await expect
      .poll(() => queueDepth(stack.outboxQueueUrl), { timeout: 30_000, interval: 250 })
      .toBe(0);
    expect(await queueDepth(stack.deadLetterQueueUrl)).toBe(0);
    // The fan's button cycles off → low → medium → high: its events arrived in that order too.
    const order = ['0', '1', '2', '3'];
    const modes = (await storedEvents())
      .filter((e) => e.body.ConnectorDeviceId === 'fan-1')
      .flatMap((e) => e.body.MatterEndpoint?.clusters ?? [])
      .filter((c) => c.id === '0x0202' && c.attributes?.['0x0000'] !== undefined)
      .map((c) => String(c.attributes?.['0x0000']))
      .slice(-values.length);
    for (let i = 1; i < modes.length; i++) {
      const step =
        (order.indexOf(modes[i] as string) - order.indexOf(modes[i - 1] as string) + 4) % 4;
      expect(step, `fan modes ${modes.join(',')}`).toBe(1);
    }
  }, 240_000);

  it('kill -9 of every connector worker while a device is parked, then healthy: all delivered, in order, none dead-lettered', async () => {
    // 12 unusual, strictly increasing temperatures: -17.00 … -16.45 °C.
    const expected = Array.from({ length: 12 }, (_, i) => -1700 + 5 * i);
    const workers = () =>
      childPids(process.pid).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bootstrap.mjs');
        } catch {
          return false;
        }
      });
    stack.setFaults({ throttle: 1 });
    let killed = 0;
    try {
      // Each answered 202 before the next is sent (parked), as a vendor sends a device's events.
      for (const [i, t] of expected.entries()) {
        const answer = await signedDelivery(`evt_killed_${i}`, 'thermo-1', t / 100)();
        expect(answer.status).toBe(202);
      }
      expect(await queueDepth(stack.outboxQueueUrl)).toBeGreaterThan(0);
      // Every worker, including one running the outbox drainer's refused attempt.
      for (const pid of workers()) if (sigkill(pid)) killed++;
      expect(killed).toBeGreaterThan(0);
    } finally {
      stack.setFaults({ throttle: 0 });
    }
    const ours = async () =>
      (await temperatures('thermo-1')).filter((t) => t >= -1700 && t <= -1645);
    await expect
      .poll(async () => new Set(await ours()).size, { timeout: 150_000, interval: 500 })
      .toBe(expected.length);
    // First arrivals in the order acknowledged (a copy may only follow its first arrival).
    expect([...new Set(await ours())]).toEqual(expected);
    await expect
      .poll(() => queueDepth(stack.outboxQueueUrl), { timeout: 30_000, interval: 250 })
      .toBe(0);
    expect(await queueDepth(stack.deadLetterQueueUrl)).toBe(0);
  }, 240_000);

  it('20 concurrent replays of one webhook delivery → exactly one event; after a restart it is refused', async () => {
    const deliver = signedDelivery('evt_replayed_once', 'thermo-1', -19.5);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver()));
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted, JSON.stringify(answers.map((a) => a.status))).toHaveLength(1);
    // The others: a duplicate (200), or "being processed, retry" (409) — never a second event.
    for (const a of answers) expect([200, 202, 409]).toContain(a.status);
    await expect
      .poll(async () => (await temperatures('thermo-1')).filter((t) => t === -1950).length, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(1);

    // Restart the whole stack on the same data directory: new worker processes, same store.
    await stack.close();
    stack = await start();
    connectSqs();
    const again = await signedDelivery('evt_replayed_once', 'thermo-1', -19.5)();
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ status: 'duplicate' }) });
    expect((await temperatures('thermo-1')).filter((t) => t === -1950)).toHaveLength(1);
  }, 180_000);

  it('a permanent failure goes to the dead-letter queue, and `c2c replay` serves it', async () => {
    // No managed thing has this device: the service answers 404 ResourceNotFoundException.
    const answer = await signedDelivery('evt_ghost_device', 'ghost-1', -18.5)();
    expect(answer.status).toBe(202);
    await expect
      .poll(() => queueDepth(stack.deadLetterQueueUrl), { timeout: 60_000, interval: 250 })
      .toBe(1);
    await expect
      .poll(() => queueDepth(stack.outboxQueueUrl), { timeout: 30_000, interval: 250 })
      .toBe(0);

    const env = {
      AWS_ENDPOINT_URL: stack.emulatorUrl,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: stack.customer.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.customer.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    };
    const dry = await runBin(['replay', '--queue-url', stack.deadLetterQueueUrl, '--dry-run'], {
      env,
      timeoutMs: 30_000,
    });
    expect(dry.stdout).toMatch(
      /ghost-1 .* DEVICE_EVENT ×1 .* last error ResourceNotFoundException/,
    );
    // The cause is still there (no such device): replay sends it, and reports it still refused.
    const run = await runBin(['replay', '--queue-url', stack.deadLetterQueueUrl], {
      env,
      timeoutMs: 30_000,
    });
    expect(run.stdout).toMatch(/^replayed 0 events for 0 devices; 1 still failing/m);
    expect(run.stderr).toMatch(
      /\(DEVICE_EVENT, device ghost-1\) still fails: ResourceNotFoundException.*\(permanent/,
    );
    expect(run.code).toBe(1);
  }, 120_000);
});
