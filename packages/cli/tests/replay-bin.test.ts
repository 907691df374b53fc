import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsOutbox } from '@c2c-kit/connector';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { SqliteOutbox } from '@c2c-kit/connector/sqlite';
import { startEmulator } from '@c2c-kit/emulator';
import type { SendConnectorEventRequest } from '@c2c-kit/protocol';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin.js';

// `c2c replay` end to end: events parked in a real SqliteOutbox file and in a real SQS FIFO queue
// on the running emulator, replayed by the real bin (child process) into the emulator's
// SendConnectorEvent; what arrived is read back from its /_local/events and /_local/rejected logs.

const REGION = 'us-east-1';
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let connectorId: string;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS] });
  dir = await mkdtemp(join(tmpdir(), 'c2c-replay-'));
  const client = new ManagedIntegrationsClient({
    endpoint: emulator.url,
    region: REGION,
    credentials: TEST_CREDENTIALS,
  });
  // The connector only has to exist (and belong to the signing account): DEVICE_COMMAND_REQUEST
  // is accepted for any device of a known connector, DEVICE_EVENT needs a managed thing.
  const created = await client.call('CreateCloudConnector', {
    Name: 'replay-test',
    EndpointConfig: {
      lambda: { arn: `arn:aws:lambda:${REGION}:111122223333:function:replay-test` },
    },
    EndpointType: 'LAMBDA',
  });
  await client.close();
  connectorId = created.Id as string;
  env = {
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL_IOT_MANAGED_INTEGRATIONS: '',
    AWS_ENDPOINT_URL_IOTMANAGEDINTEGRATIONS: '',
    AWS_ENDPOINT_URL_SQS: '',
  };
});

afterAll(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function commandRequest(device: string, traceId: string): SendConnectorEventRequest {
  return {
    ConnectorId: connectorId,
    Operation: 'DEVICE_COMMAND_REQUEST',
    ConnectorDeviceId: device,
    TraceId: traceId,
    MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
  } as SendConnectorEventRequest;
}

/** A DEVICE_EVENT for a device no customer owns: the emulator answers 404 and logs it as rejected. */
function orphanEvent(device: string, traceId: string): SendConnectorEventRequest {
  return {
    ConnectorId: connectorId,
    Operation: 'DEVICE_EVENT',
    ConnectorDeviceId: device,
    TraceId: traceId,
    MatterEndpoint: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 1 } }] },
  } as SendConnectorEventRequest;
}

/** TraceIds the emulator accepted for one device, oldest first. */
async function arrived(device: string): Promise<string[]> {
  const res = await fetch(`${emulator.url}/_local/events?limit=1000&connectorId=${connectorId}`);
  const body = (await res.json()) as {
    Items: Array<{ seq: number; traceId: string | null; body: { ConnectorDeviceId?: string } }>;
  };
  return body.Items.filter((e) => e.body.ConnectorDeviceId === device)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => e.traceId ?? '');
}

async function rejectedTraces(): Promise<string[]> {
  const res = await fetch(`${emulator.url}/_local/rejected?limit=1000`);
  const body = (await res.json()) as { Items: Array<{ body?: unknown; reason?: string }> };
  return body.Items.map((r) => {
    const raw = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
    return String((raw as { TraceId?: string } | undefined)?.TraceId ?? '');
  });
}

describe('c2c replay --sqlite (real bin, real SqliteOutbox, running emulator)', () => {
  let file: string;

  beforeAll(async () => {
    file = join(dir, 'outbox.sqlite');
    const outbox = new SqliteOutbox(file);
    await outbox.add(
      'fan-1',
      commandRequest('fan-1', 'fan-1-a'),
      'ThrottlingException: Rate exceeded',
    );
    await outbox.add(
      'cam-1',
      commandRequest('cam-1', 'cam-1-a'),
      'ServiceUnavailableException: down',
    );
    await outbox.add(
      'fan-1',
      commandRequest('fan-1', 'fan-1-b'),
      'ThrottlingException: Rate exceeded',
    );
    await outbox.add(
      'ghost-1',
      orphanEvent('ghost-1', 'ghost-1-a'),
      'ServiceUnavailableException: down',
    );
    // Deliverable on its own, but it must stay behind ghost-1's failing head.
    await outbox.add(
      'ghost-1',
      commandRequest('ghost-1', 'ghost-1-b'),
      'ServiceUnavailableException: down',
    );
    await outbox.add(
      'fan-1',
      commandRequest('fan-1', 'fan-1-c'),
      'ThrottlingException: Rate exceeded',
    );
    outbox.close();
  });

  it('--dry-run lists per device what would be sent, sends nothing, prints no secrets', async () => {
    const result = await runBin(['replay', '--sqlite', file, '--dry-run'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would send 6 events for 3 devices');
    expect(result.stdout).toMatch(
      /^ {2}fan-1\s+3 events\s+DEVICE_COMMAND_REQUEST ×3 .*last error ThrottlingException$/m,
    );
    expect(result.stdout).toMatch(
      /^ {2}ghost-1\s+2 events\s+DEVICE_EVENT ×1, DEVICE_COMMAND_REQUEST ×1/m,
    );
    expect(result.stdout).not.toContain(TEST_CREDENTIALS.secretAccessKey);
    expect(result.stdout).not.toContain('Rate exceeded');
    expect(await arrived('fan-1')).toEqual([]);
    const outbox = new SqliteOutbox(file);
    expect(await outbox.count()).toBe(6);
    outbox.close();
  });

  it('replays in order per device, leaves the failing event and the one behind it parked', async () => {
    const result = await runBin(['replay', '--sqlite', file], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'replayed 4 events for 2 devices; 1 still failing, left in the outbox',
    );
    expect(result.stdout).toContain('2 events left in the outbox in all');
    expect(result.stderr).toMatch(
      /^c2c replay: event 4 \(DEVICE_EVENT, device ghost-1\) still fails: ResourceNotFoundException: .*ConnectorDeviceId.*permanent: a retry cannot help/m,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(TEST_CREDENTIALS.secretAccessKey);
    expect(await arrived('fan-1')).toEqual(['fan-1-a', 'fan-1-b', 'fan-1-c']);
    expect(await arrived('cam-1')).toEqual(['cam-1-a']);
    expect(await arrived('ghost-1')).toEqual([]);
    expect(await rejectedTraces()).toContain('ghost-1-a');

    const outbox = new SqliteOutbox(file);
    const left = await outbox.list();
    outbox.close();
    expect(left.map((e) => e.request.TraceId)).toEqual(['ghost-1-a', 'ghost-1-b']);
    expect(left[0]?.attempts).toBe(2);
    expect(left[0]?.lastError).toMatch(/^ResourceNotFoundException/);
  });

  it('--limit caps the events sent in one run', async () => {
    const limited = join(dir, 'limited.sqlite');
    const outbox = new SqliteOutbox(limited);
    for (const t of ['fan-2-a', 'fan-2-b', 'fan-2-c']) {
      await outbox.add('fan-2', commandRequest('fan-2', t), 'ThrottlingException: x');
    }
    const first = await runBin(['replay', '--sqlite', limited, '--limit', '2'], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('replayed 2 events for 1 device; 0 still failing');
    expect(await arrived('fan-2')).toEqual(['fan-2-a', 'fan-2-b']);
    expect(await outbox.count()).toBe(1);
    const second = await runBin(['replay', '--sqlite', limited, '--endpoint', emulator.url], {
      env: { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(await arrived('fan-2')).toEqual(['fan-2-a', 'fan-2-b', 'fan-2-c']);
    expect(await outbox.count()).toBe(0);
    outbox.close();
  });

  it('reports an unreachable endpoint per event, exit 1, and keeps everything parked', async () => {
    const parked = join(dir, 'unreachable.sqlite');
    const outbox = new SqliteOutbox(parked);
    await outbox.add('fan-9', commandRequest('fan-9', 'fan-9-a'), 'ThrottlingException: x');
    const result = await runBin(
      ['replay', '--sqlite', parked, '--endpoint', 'http://127.0.0.1:9'],
      { env, timeoutMs: 60_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('replayed 0 events for 0 devices; 1 still failing');
    expect(result.stderr).toMatch(
      /event 1 \(DEVICE_COMMAND_REQUEST, device fan-9\) still fails: .*will be retried/,
    );
    expect(await outbox.count()).toBe(1);
    outbox.close();
  }, 60_000);
});

describe('c2c replay --queue-url (real bin, SqsOutbox FIFO queue on the emulator)', () => {
  let queueUrl: string;
  let sqs: SQSClient;

  beforeAll(async () => {
    const clientConfig = {
      endpoint: emulator.url,
      region: REGION,
      credentials: {
        accessKeyId: TEST_CREDENTIALS.accessKeyId,
        secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
      },
    };
    sqs = new SQSClient(clientConfig);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'connector-outbox.fifo',
        Attributes: { FifoQueue: 'true' },
      }),
    );
    queueUrl = created.QueueUrl ?? '';
    const outbox = new SqsOutbox({ queueUrl, clientConfig });
    await outbox.add('fan-3', commandRequest('fan-3', 'fan-3-a'), 'ThrottlingException: x');
    await outbox.add(
      'ghost-3',
      orphanEvent('ghost-3', 'ghost-3-a'),
      'ServiceUnavailableException: x',
    );
    await outbox.add('fan-3', commandRequest('fan-3', 'fan-3-b'), 'ThrottlingException: x');
    await outbox.add('fan-3', commandRequest('fan-3', 'fan-3-c'), 'ThrottlingException: x');
    await outbox.close();
  });

  afterAll(() => sqs?.destroy());

  async function visible(): Promise<number> {
    const res = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(res.Attributes?.ApproximateNumberOfMessages ?? -1);
  }

  it('--dry-run peeks without consuming: messages are visible again right after', async () => {
    // No AWS_ENDPOINT_URL: the SQS client finds the emulator through the queue URL.
    const result = await runBin(['replay', '--queue-url', queueUrl, '--dry-run'], {
      env: { ...env, AWS_ENDPOINT_URL: undefined },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // FIFO hands out one in-flight message per group, so a peek sees each device's head.
    expect(result.stdout).toMatch(/would send \d+ events? for 2 devices/);
    expect(result.stdout).toMatch(/^ {2}fan-3\s+1 event\s+DEVICE_COMMAND_REQUEST ×1/m);
    expect(result.stdout).toMatch(/^ {2}ghost-3\s+1 event\s+DEVICE_EVENT ×1/m);
    expect(result.stdout).toContain('(the queue holds about 4 events;');
    expect(await visible()).toBe(4);
    expect(await arrived('fan-3')).toEqual([]);
  });

  it('replays the queue in order per device; the failing event stays in the queue', async () => {
    const result = await runBin(['replay', '--queue-url', queueUrl, '--endpoint', emulator.url], {
      env: { ...env, AWS_ENDPOINT_URL: undefined },
    });
    expect(result.stdout).toContain(
      'replayed 3 events for 1 device; 1 still failing, left in the outbox',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\(DEVICE_EVENT, device ghost-3\) still fails: ResourceNotFoundException/,
    );
    expect(await arrived('fan-3')).toEqual(['fan-3-a', 'fan-3-b', 'fan-3-c']);
    expect(await rejectedTraces()).toContain('ghost-3-a');
    const res = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const left =
      Number(res.Attributes?.ApproximateNumberOfMessages) +
      Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible);
    expect(left).toBe(1);
  });
});

describe('c2c replay --queue-url with messages that are not outbox entries', () => {
  it('reports each by message id, leaves it in the queue, replays the rest, exit 1', async () => {
    const clientConfig = {
      endpoint: emulator.url,
      region: REGION,
      credentials: {
        accessKeyId: TEST_CREDENTIALS.accessKeyId,
        secretAccessKey: TEST_CREDENTIALS.secretAccessKey,
      },
    };
    const sqs = new SQSClient(clientConfig);
    try {
      const created = await sqs.send(new CreateQueueCommand({ QueueName: 'mixed-outbox' }));
      const queueUrl = created.QueueUrl ?? '';
      const junk = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'secret-ish, not json {' }),
      );
      const foreign = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"job":"resize"}' }),
      );
      const outbox = new SqsOutbox({ queueUrl, clientConfig });
      await outbox.add('fan-5', commandRequest('fan-5', 'fan-5-a'), 'ThrottlingException: x');
      await outbox.close();

      const result = await runBin(['replay', '--queue-url', queueUrl], { env });
      expect(result.stdout).toContain(
        'replayed 1 event for 1 device; 0 still failing, left in the outbox',
      );
      expect(await arrived('fan-5')).toEqual(['fan-5-a']);
      expect(result.stderr).toContain(
        `c2c replay: message ${junk.MessageId} is not an outbox entry (body: expected an SqsOutbox entry (JSON), got 22 characters that are not JSON); left in the queue, skipped`,
      );
      expect(result.stderr).toMatch(
        new RegExp(`message ${foreign.MessageId} is not an outbox entry \\(deviceKey: `),
      );
      expect(result.stderr).not.toContain('secret-ish');
      expect(result.code).toBe(1);
      const res = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      expect(
        Number(res.Attributes?.ApproximateNumberOfMessages) +
          Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible),
      ).toBe(2);
    } finally {
      sqs.destroy();
    }
  });
});

describe('c2c replay usage and input errors', () => {
  it.each([
    [[], /expected an outbox: --sqlite <path> or --queue-url <url>/],
    [['--sqlite', 'a.db', '--queue-url', 'http://x/q'], /got both --sqlite and --queue-url/],
    [['--sqlite', 'a.db', '--limit', '0'], /--limit: expected a positive integer, got "0"/],
    [['--sqlite', 'a.db', '--limit', '2x'], /--limit: expected a positive integer, got "2x"/],
    [['--queue-url', 'not a url'], /--queue-url: expected an http\(s\) SQS queue URL/],
    [['--sqlite', 'a.db', '--endpoint', 'ftp://x'], /--endpoint: expected an http\(s\) URL/],
    [['--sqlite', 'a.db', '--region', 'Mars'], /--region: expected a region like us-east-1/],
    [['--sqlite', 'a.db', '--bogus'], /unknown option --bogus/],
  ])('%j exits 2 naming the flag', async (args, message) => {
    const result = await runBin(['replay', ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Run "c2c replay --help" for usage.');
    expect(result.stdout).toBe('');
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await runBin(['replay', '--help'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: c2c replay \(--sqlite <path> \| --queue-url <url>\)/);
  });

  it('a missing or non-SQLite file exits 1 naming it, without creating it', async () => {
    const missing = await runBin(['replay', '--sqlite', join(dir, 'nope.sqlite')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.sqlite: no such file/);
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello');
    const wrong = await runBin(['replay', '--sqlite', text, '--dry-run'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/notes\.txt: not an SQLite database/);
  });

  it('no credentials anywhere: one clear error, exit 1, nothing taken from the outbox', async () => {
    const file = join(dir, 'nocreds.sqlite');
    const outbox = new SqliteOutbox(file);
    await outbox.add('fan-8', commandRequest('fan-8', 'fan-8-a'), 'ThrottlingException: x');
    const result = await runBin(['replay', '--sqlite', file], {
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_PROFILE: 'c2c-no-such-profile',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^c2c: no AWS credentials for SendConnectorEvent/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await outbox.count()).toBe(1);
    outbox.close();
  }, 40_000);

  it('a missing region is a usage error', async () => {
    const result = await runBin(['replay', '--sqlite', 'a.db'], {
      env: { ...env, AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--region: expected a region \(or AWS_REGION\), got nothing/);
  });
});
