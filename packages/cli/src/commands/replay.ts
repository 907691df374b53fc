import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Outbox, OutboxEntry, ReplaySender } from '@c2c-kit/connector';

/** A failure of one outbox entry during a replay (`permanent` is the connector's classification). */
export type { ReplayFailure } from '@c2c-kit/connector';

import { parseCommandArgs } from '../args.js';
import { CliError, InputReadError, ReplayError, UsageError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';
import { planReplay } from '../replayPlan.js';

export const REPLAY_HELP = `Usage: c2c replay (--sqlite <path> | --queue-url <url>) [options]

Re-sends to SendConnectorEvent the events a connector could not deliver for good, oldest first:
those in its outbox's dead-letter queue (the connector retries its SQS outbox by itself and
moves an event there after a 4xx, too many attempts or too long), or in an SqliteOutbox file.
A delivered event is removed; one that still fails stays, and the later events of the same
device stay behind it (order per device is kept).

Options:
  --queue-url <url>      the outbox's dead-letter queue (C2C_OUTBOX_DLQ_URL; SqsOutbox messages;
                         a FIFO queue keeps order per device)
  --sqlite <path>        a local outbox file (the connector's SqliteOutbox database)
  --endpoint <url>       managed-integrations endpoint (default AWS_ENDPOINT_URL_IOT_MANAGED_INTEGRATIONS,
                         AWS_ENDPOINT_URL, else https://api.iotmanagedintegrations.<region>.api.aws)
  --region <region>      AWS region (default AWS_REGION / AWS_DEFAULT_REGION)
  --limit <n>            send at most n events this run (default 10000)
  --dry-run              list what would be sent (per device: count, operations); send nothing
  -h, --help             show this help

Credentials come from the standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
SSO, container or instance roles). SQS calls go to the queue URL's host.

Exit status: 0 every listed event was delivered (or --dry-run), 1 some still fail or the outbox
could not be read, 2 usage error.

Example:
  $ c2c replay --queue-url http://127.0.0.1:4566/queue/us-east-1/111122223333/acme-connector-outbox-dlq.fifo
  replayed 3 events for 2 devices; 0 still failing, left in the outbox`;

const COMMAND = 'replay';
const DEFAULT_LIMIT = 10_000;
/** How long a dry-run peek hides SQS messages before handing them back (they are released at once). */
const PEEK_VISIBILITY_SECONDS = 30;

interface ReplayFlags {
  readonly sqlite: string | undefined;
  readonly queueUrl: string | undefined;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly limit: number;
  readonly dryRun: boolean;
}

function parseFlags(argv: readonly string[], io: CliIo): ReplayFlags | 'help' {
  const args = parseCommandArgs(COMMAND, argv, {
    sqlite: { type: 'string' },
    'queue-url': { type: 'string' },
    endpoint: { type: 'string' },
    region: { type: 'string' },
    limit: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const v = args.values;
  if (v.help === true) return 'help';
  const sqlite = typeof v.sqlite === 'string' ? v.sqlite : undefined;
  const queueUrl = typeof v['queue-url'] === 'string' ? v['queue-url'] : undefined;
  if (sqlite !== undefined && queueUrl !== undefined) {
    throw new UsageError(COMMAND, 'expected one outbox, got both --sqlite and --queue-url');
  }
  if (sqlite === undefined && queueUrl === undefined) {
    throw new UsageError(COMMAND, 'expected an outbox: --sqlite <path> or --queue-url <url>');
  }
  if (sqlite === '') throw new UsageError(COMMAND, '--sqlite: expected a file path, got ""');
  if (queueUrl !== undefined && !isHttpUrl(queueUrl)) {
    throw new UsageError(
      COMMAND,
      `--queue-url: expected an http(s) SQS queue URL, got ${JSON.stringify(queueUrl.slice(0, 200))}`,
    );
  }
  const endpoint = typeof v.endpoint === 'string' ? v.endpoint : undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new UsageError(
      COMMAND,
      `--endpoint: expected an http(s) URL, got ${JSON.stringify(endpoint.slice(0, 200))}`,
    );
  }
  const region =
    (typeof v.region === 'string' ? v.region : undefined) ??
    (io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION);
  if (region === undefined || region === '') {
    throw new UsageError(COMMAND, '--region: expected a region (or AWS_REGION), got nothing');
  }
  if (!/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(region)) {
    throw new UsageError(
      COMMAND,
      `--region: expected a region like us-east-1, got ${JSON.stringify(region.slice(0, 60))}`,
    );
  }
  let limit = DEFAULT_LIMIT;
  if (typeof v.limit === 'string') {
    limit = Number(v.limit);
    if (!/^\d+$/.test(v.limit) || !Number.isSafeInteger(limit) || limit < 1) {
      throw new UsageError(COMMAND, `--limit: expected a positive integer, got "${v.limit}"`);
    }
  }
  return { sqlite, queueUrl, endpoint, region, limit, dryRun: v['dry-run'] === true };
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const protocol = new URL(text).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/** SQLite's 16-byte file header: refuse to turn some other file into an outbox database. */
function assertSqliteFile(path: string, shown: string): void {
  if (!existsSync(path)) throw new InputReadError(shown, 'no such file');
  if (!statSync(path).isFile()) throw new InputReadError(shown, 'not a file');
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== 'SQLite format 3\0') {
    throw new InputReadError(
      shown,
      'not an SQLite database (expected the connector SqliteOutbox file)',
    );
  }
}

interface OpenedOutbox {
  readonly outbox: Outbox;
  readonly label: string;
  /** Lists without consuming (SQS: received, then made visible again at once). */
  peek(limit: number): Promise<OutboxEntry[]>;
  close(): Promise<void>;
}

async function openOutbox(flags: ReplayFlags, io: CliIo): Promise<OpenedOutbox> {
  if (flags.sqlite !== undefined) {
    const path = resolve(io.cwd, flags.sqlite);
    assertSqliteFile(path, flags.sqlite);
    const { SqliteOutbox } = await import('@c2c-kit/connector/sqlite');
    const outbox = new SqliteOutbox(path);
    return {
      outbox,
      label: flags.sqlite,
      peek: (limit) => outbox.list(limit),
      close: async () => outbox.close(),
    };
  }
  const queueUrl = flags.queueUrl as string;
  const { SqsOutbox } = await import('@c2c-kit/connector');
  // The queue URL says where the queue lives (AWS or a local emulator); using its origin as the
  // endpoint also keeps the SDK from warning, on every call, that the two differ.
  const clientConfig = { region: flags.region, endpoint: new URL(queueUrl).origin };
  const outbox = new SqsOutbox({ queueUrl, clientConfig });
  return {
    outbox,
    label: queueUrl,
    peek: (limit) => peekSqs(queueUrl, clientConfig, limit),
    close: () => outbox.close(),
  };
}

/**
 * A dry run must not hide messages from the connector's own replayer for the visibility timeout:
 * receive each message once (deduplicated by MessageId), then set every receipt's visibility back
 * to 0. Receiving does count towards ApproximateReceiveCount (the price of SQS having no peek).
 */
async function peekSqs(
  queueUrl: string,
  clientConfig: Record<string, unknown>,
  limit: number,
): Promise<OutboxEntry[]> {
  const sqs = await import('@aws-sdk/client-sqs');
  const client = new sqs.SQSClient(clientConfig);
  const seen = new Set<string>();
  const receipts: string[] = [];
  const entries: OutboxEntry[] = [];
  try {
    for (let round = 0; entries.length < limit && round < 1000; round++) {
      const res = await client.send(
        new sqs.ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - entries.length),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        if (m.ReceiptHandle) receipts.push(m.ReceiptHandle);
        if (m.MessageId === undefined || seen.has(m.MessageId)) continue;
        seen.add(m.MessageId);
        entries.push(
          sqsEntry(
            m.Body,
            entries.length + 1,
            Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
          ),
        );
      }
    }
  } finally {
    for (let i = 0; i < receipts.length; i += 10) {
      await client
        .send(
          new sqs.ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: receipts
              .slice(i, i + 10)
              .map((ReceiptHandle, j) => ({ Id: `m${j}`, ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => undefined);
    }
    client.destroy();
  }
  return entries;
}

function sqsEntry(body: string | undefined, id: number, attempts: number): OutboxEntry {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(body ?? '') as unknown;
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // Not an SqsOutbox message: listed as such, so the user sees the queue is the wrong one.
  }
  return {
    id,
    deviceKey: typeof parsed.deviceKey === 'string' ? parsed.deviceKey : '(unknown device)',
    request: parsed.request as OutboxEntry['request'],
    attempts,
    lastError: typeof parsed.lastError === 'string' ? parsed.lastError : '',
    createdAt: typeof parsed.createdAt === 'number' ? parsed.createdAt : Number.NaN,
  };
}

/**
 * The connector's `replayOutbox` reads `limit` per pass and may run several passes; this view
 * caps the events attempted in the whole run at `--limit`, and remembers the devices whose
 * events were delivered (the report's failures come from `replayOutbox` itself).
 */
class ObservedOutbox implements Outbox {
  readonly listed = new Map<number, OutboxEntry>();
  readonly replayedDevices = new Set<string>();
  attempted = 0;

  constructor(
    private readonly inner: Outbox,
    private readonly budget: number,
  ) {}

  add(deviceKey: string, request: OutboxEntry['request'], lastError: string) {
    return this.inner.add(deviceKey, request, lastError);
  }
  async list(limit?: number): Promise<OutboxEntry[]> {
    const left = this.budget - this.attempted;
    if (left <= 0) return [];
    const entries = await this.inner.list(Math.min(limit ?? left, left));
    for (const e of entries) this.listed.set(e.id, e);
    return entries;
  }
  async remove(id: number) {
    await this.inner.remove(id);
    const entry = this.listed.get(id);
    if (entry) this.replayedDevices.add(entry.deviceKey);
  }
  recordFailure(id: number, lastError: string) {
    return this.inner.recordFailure(id, lastError);
  }
  count() {
    return this.inner.count();
  }
  unreadable() {
    return this.inner.unreadable?.() ?? [];
  }
}

export async function runReplay(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, io);
  if (flags === 'help') {
    writeLine(io.stdout, REPLAY_HELP);
    return 0;
  }
  const opened = await openOutbox(flags, io);
  try {
    return flags.dryRun ? await dryRun(opened, flags, io) : await replay(opened, flags, io);
  } finally {
    await opened.close();
  }
}

async function dryRun(opened: OpenedOutbox, flags: ReplayFlags, io: CliIo): Promise<number> {
  const entries = await readOutbox(() => opened.peek(flags.limit), opened.label);
  const plans = planReplay(entries);
  if (entries.length === 0) {
    writeLine(io.stdout, `dry run: the outbox ${opened.label} is empty; nothing to send`);
    return 0;
  }
  writeLine(
    io.stdout,
    `dry run: would send ${plural(entries.length, 'event')} for ${plural(plans.length, 'device')} from ${opened.label} (nothing sent)`,
  );
  const width = Math.min(40, Math.max(...plans.map((p) => p.deviceKey.length)));
  for (const p of plans) {
    const ops = Object.entries(p.operations)
      .map(([op, n]) => `${op} ×${n}`)
      .join(', ');
    const oldest = p.oldestAt === undefined ? '' : `  oldest ${new Date(p.oldestAt).toISOString()}`;
    const last = p.lastErrorName === undefined ? '' : `  last error ${p.lastErrorName}`;
    writeLine(
      io.stdout,
      `  ${p.deviceKey.padEnd(width)}  ${plural(p.count, 'event').padEnd(10)}  ${ops}${oldest}  attempts ${p.maxAttempts}${last}`,
    );
  }
  const total = await readOutbox(() => opened.outbox.count(), opened.label);
  if (entries.length >= flags.limit && total > entries.length) {
    writeLine(io.stdout, `(listed the first ${flags.limit} of ${total}; --limit to see more)`);
  } else if (total > entries.length) {
    // FIFO queues hand out one in-flight message per group, and SQS has no peek: the later
    // events of a device only show once its head is delivered.
    writeLine(
      io.stdout,
      `(the queue holds about ${plural(total, 'event')}; SQS shows only each device's oldest ones before delivery)`,
    );
  }
  return 0;
}

async function replay(opened: OpenedOutbox, flags: ReplayFlags, io: CliIo): Promise<number> {
  const {
    ConnectorEventsClient,
    ConnectorValidationError,
    defaultCredentialsProvider,
    replayOutbox,
  } = await import('@c2c-kit/connector');
  // Without credentials every event would fail the same way; say it once, before touching the
  // outbox (an SQS receive would hide the messages for the visibility timeout).
  try {
    await defaultCredentialsProvider(io.env)();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new ReplayError(
      `no AWS credentials for SendConnectorEvent (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …): ${name}: ${oneLine(message)}`,
      { cause: error },
    );
  }
  const client = new ConnectorEventsClient({
    region: flags.region,
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    env: io.env,
  });
  const observed = new ObservedOutbox(opened.outbox, flags.limit);
  const sender: ReplaySender = {
    sendConnectorEvent: (request) => {
      observed.attempted++;
      // An outbox row that holds no request at all: the client's own validation error makes
      // replayOutbox report it as permanent, like any other request that cannot be valid.
      if (typeof request !== 'object' || request === null) {
        return Promise.reject(
          new ConnectorValidationError('request', [
            'expected a SendConnectorEvent request (is this the connector outbox?)',
          ]),
        );
      }
      return client.sendConnectorEvent(request);
    },
  };
  let report: Awaited<ReturnType<typeof replayOutbox>>;
  try {
    report = await readOutbox(
      () => replayOutbox(observed, sender, { limit: flags.limit }),
      opened.label,
    );
  } finally {
    await client.close();
  }
  const failures = report.failures;
  writeLine(
    io.stdout,
    `replayed ${plural(report.sent, 'event')} for ${plural(observed.replayedDevices.size, 'device')}; ${report.failed + report.rejected} still failing, left in the outbox`,
  );
  const behind = report.remaining - failures.length;
  if (behind > 0) {
    writeLine(io.stdout, `${plural(report.remaining, 'event')} left in the outbox in all`);
  }
  for (const f of failures) {
    const hint = f.permanent
      ? ' (permanent: a retry cannot help; fix the cause, it stays parked)'
      : ' (will be retried by the next replay)';
    writeLine(
      io.stderr,
      `c2c replay: event ${f.id} (${f.operation}, device ${f.deviceKey}) still fails: ${oneLine(f.error)}${hint}`,
    );
  }
  for (const m of report.unreadable) {
    writeLine(
      io.stderr,
      `c2c replay: message ${m.messageId} is not an outbox entry (${m.reason}); left in the queue, skipped`,
    );
  }
  return failures.length > 0 || report.unreadable.length > 0 ? 1 : 0;
}

/** Outbox read failures (unreachable queue, wrong credentials, corrupt rows) → exit 1, one line. */
async function readOutbox<T>(run: () => Promise<T>, label: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new ReplayError(`replay from ${label} failed: ${name}: ${oneLine(message)}`, {
      cause: error,
    });
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
