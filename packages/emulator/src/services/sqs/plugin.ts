import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { frameworkErrorToWire, sendAwsJson, sendAwsJsonError } from './awsJson.js';
import { type Caller, callerOf, coreDeps, type EmulatorConfigLike, jsonBody } from './context.js';
import { SqsError, sqsErrors } from './errors.js';
import {
  describe,
  optArray,
  optInt,
  optString,
  optStringArray,
  optStringMap,
  reqString,
  requireObject,
} from './fields.js';
import type { MessageAttributeValue } from './md5.js';
import { type QueueRecord, type SendInput, type SqsStore, sqsStoreFor } from './SqsStore.js';

/**
 * SQS subset over the JSON protocol the current `@aws-sdk/client-sqs` speaks
 * (`application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`).
 */

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TYPE_PREFIX = 'com.amazonaws.sqs#';
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BATCH_BYTES = 1_048_576;

const bad = (message: string): SqsError => sqsErrors.invalidParameter(message);

// XML 1.0 characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point.
const INVALID_BODY_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface Ctx {
  store: SqsStore;
  config: EmulatorConfigLike;
  caller: Caller;
  signal: AbortSignal;
}

type Handler = (input: Record<string, unknown>, ctx: Ctx) => unknown | Promise<unknown>;

function queueUrl(config: EmulatorConfigLike, q: QueueRecord): string {
  return `${config.baseUrl()}/${q.accountId}/${q.name}`;
}

/** Resolves `QueueUrl` (any host: the SDK may rewrite it) to a queue of the caller's region. */
function queueOf(input: Record<string, unknown>, ctx: Ctx, key = 'QueueUrl'): QueueRecord {
  const url = reqString(input, key, bad);
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const m = /^\/?(\d{12})\/([^/]+)\/?$/.exec(path);
  if (!m) {
    throw new SqsError(
      'InvalidAddress',
      `${key}: expected ${ctx.config.baseUrl()}/<accountId>/<queueName>, got ${JSON.stringify(url.slice(0, 200))}`,
      {
        statusCode: 404,
      },
    );
  }
  return ctx.store.getQueue(m[1] as string, ctx.caller.region, decodeURIComponent(m[2] as string));
}

function messageAttributesOf(
  value: unknown,
  path: string,
): Record<string, MessageAttributeValue> | undefined {
  if (value === undefined || value === null) return undefined;
  const map = requireObject(value, path, bad);
  const entries = Object.entries(map);
  if (entries.length > 10) {
    throw bad(`${path}: expected at most 10 message attributes, got ${entries.length}`);
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of entries) {
    const p = `${path}.${name}`;
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      name.startsWith('AWS.') ||
      name.startsWith('Amazon.')
    ) {
      throw bad(`${p}: invalid message attribute name`);
    }
    const attr = requireObject(raw, p, bad);
    const dataType = reqString(attr, 'DataType', bad, { min: 1, max: 256 }, `${p}.DataType`);
    const base = dataType.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw bad(
        `${p}.DataType: expected String, Number or Binary (optionally ".custom"), got ${JSON.stringify(dataType.slice(0, 40))}`,
      );
    }
    if (base === 'Binary') {
      const v = attr.BinaryValue;
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
        throw bad(
          `${p}.BinaryValue: expected base64 text for a Binary attribute, got ${describe(v)}`,
        );
      }
      out[name] = { DataType: dataType, BinaryValue: Buffer.from(v, 'base64') };
    } else {
      const v = reqString(attr, 'StringValue', bad, {}, `${p}.StringValue`);
      if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) {
        throw bad(`${p}.StringValue: expected a number for a Number attribute`);
      }
      out[name] = { DataType: dataType, StringValue: v };
    }
  }
  return out;
}

function sendInputOf(
  entry: Record<string, unknown>,
  queue: QueueRecord,
  ctx: Ctx,
  path: string,
): SendInput {
  const body = reqString(entry, 'MessageBody', bad, { min: 1 }, `${path}MessageBody`);
  const max = Number(queue.attributes.MaximumMessageSize ?? 1_048_576);
  if (Buffer.byteLength(body) > max) {
    throw bad(
      `${path}MessageBody: message must be shorter than ${max} bytes, got ${Buffer.byteLength(body)}`,
    );
  }
  if (INVALID_BODY_CHARS.test(body)) {
    throw sqsErrors.invalidMessageContents(
      `${path}MessageBody: invalid binary character; only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed`,
    );
  }
  const fifo = queue.attributes.FifoQueue === 'true';
  const delaySeconds = optInt(
    entry,
    'DelaySeconds',
    bad,
    { min: 0, max: 900 },
    `${path}DelaySeconds`,
  );
  if (fifo && delaySeconds !== undefined && delaySeconds !== 0) {
    throw bad(`${path}DelaySeconds: per-message delay is not supported on FIFO queues`);
  }
  const messageGroupId = optString(
    entry,
    'MessageGroupId',
    bad,
    { min: 1, max: 128 },
    `${path}MessageGroupId`,
  );
  if (fifo && messageGroupId === undefined) {
    throw sqsErrors.missingParameter('MessageGroupId');
  }
  const messageDeduplicationId = optString(
    entry,
    'MessageDeduplicationId',
    bad,
    { min: 1, max: 128 },
    `${path}MessageDeduplicationId`,
  );
  const messageAttributes = messageAttributesOf(
    entry.MessageAttributes,
    `${path}MessageAttributes`,
  );
  const systemAttributes = messageAttributesOf(
    entry.MessageSystemAttributes,
    `${path}MessageSystemAttributes`,
  );
  return {
    body,
    senderId: ctx.caller.accessKeyId,
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    ...(messageAttributes ? { messageAttributes } : {}),
    ...(systemAttributes ? { systemAttributes } : {}),
    ...(messageGroupId !== undefined ? { messageGroupId } : {}),
    ...(messageDeduplicationId !== undefined ? { messageDeduplicationId } : {}),
  };
}

/** Batch entries: 1..10, distinct ids matching the SQS id rule. */
function batchEntries(
  input: Record<string, unknown>,
  key: string,
): Array<Record<string, unknown> & { Id: string }> {
  const list = optArray(input, key, bad);
  if (!list || list.length === 0) throw sqsErrors.emptyBatch(key);
  if (list.length > 10) throw sqsErrors.tooManyEntries(list.length);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const entry = requireObject(raw, `${key}[${i}]`, bad);
    const id = reqString(entry, 'Id', bad, {}, `${key}[${i}].Id`);
    if (!BATCH_ID.test(id)) throw sqsErrors.invalidBatchEntryId(id);
    if (seen.has(id)) throw sqsErrors.batchIdsNotDistinct(id);
    seen.add(id);
    return { ...entry, Id: id };
  });
}

function batchError(id: string, error: unknown): Record<string, unknown> {
  if (error instanceof SqsError) {
    return {
      Id: id,
      SenderFault: error.fault === 'Sender',
      Code: error.code,
      Message: error.message,
    };
  }
  throw error;
}

function wantedNames(list: string[] | undefined, name: string): boolean {
  if (!list) return false;
  return list.some(
    (w) =>
      w === 'All' ||
      w === '.*' ||
      w === name ||
      (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
  );
}

const ATTRIBUTE_NAMES = new Set([
  'All',
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
]);

const handlers: Record<string, Handler> = {
  CreateQueue(input, ctx) {
    const name = reqString(input, 'QueueName', bad);
    const attributes = optStringMap(input, 'Attributes', bad) ?? {};
    const q = ctx.store.createQueue(ctx.caller.accountId, ctx.caller.region, name, attributes);
    return { QueueUrl: queueUrl(ctx.config, q) };
  },
  GetQueueUrl(input, ctx) {
    const name = reqString(input, 'QueueName', bad);
    const owner = optString(input, 'QueueOwnerAWSAccountId', bad, {
      pattern: /^\d{12}$/,
      patternText: '12 digits',
    });
    const q = ctx.store.getQueue(owner ?? ctx.caller.accountId, ctx.caller.region, name);
    return { QueueUrl: queueUrl(ctx.config, q) };
  },
  ListQueues(input, ctx) {
    const prefix = optString(input, 'QueueNamePrefix', bad, { max: 80 }) ?? '';
    const max = optInt(input, 'MaxResults', bad, { min: 1, max: 1000 });
    const next = optString(input, 'NextToken', bad) ?? '';
    let queues = ctx.store.listQueues(ctx.caller.accountId, ctx.caller.region, prefix);
    queues = queues.filter((q) => q.name > next);
    const page = max !== undefined ? queues.slice(0, max) : queues.slice(0, 1000);
    const last = page.at(-1);
    return {
      QueueUrls: page.map((q) => queueUrl(ctx.config, q)),
      ...(max !== undefined && last && queues.length > page.length ? { NextToken: last.name } : {}),
    };
  },
  GetQueueAttributes(input, ctx) {
    const q = queueOf(input, ctx);
    const names = optStringArray(input, 'AttributeNames', bad) ?? [];
    for (const n of names) {
      if (!ATTRIBUTE_NAMES.has(n))
        throw sqsErrors.invalidAttributeName(`Unknown Attribute ${n.slice(0, 80)}.`);
    }
    const counts = ctx.store.queueCounts(q);
    const all: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
      ...q.attributes,
    };
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const Attributes: Record<string, string> = {};
    for (const n of wanted) {
      const v = all[n];
      if (v !== undefined) Attributes[n] = v;
    }
    return Object.keys(Attributes).length > 0 ? { Attributes } : {};
  },
  SetQueueAttributes(input, ctx) {
    const q = queueOf(input, ctx);
    const attributes = optStringMap(input, 'Attributes', bad) ?? {};
    ctx.store.setQueueAttributes(q, attributes);
    return {};
  },
  DeleteQueue(input, ctx) {
    ctx.store.deleteQueue(queueOf(input, ctx));
    return {};
  },
  PurgeQueue(input, ctx) {
    ctx.store.purgeQueue(queueOf(input, ctx));
    return {};
  },
  SendMessage(input, ctx) {
    const q = queueOf(input, ctx);
    const [r] = ctx.store.send(q, [sendInputOf(input, q, ctx, '')]);
    if (!r) return {};
    return {
      MessageId: r.messageId,
      MD5OfMessageBody: r.md5OfBody,
      ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}),
      ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
    };
  },
  SendMessageBatch(input, ctx) {
    const q = queueOf(input, ctx);
    const entries = batchEntries(input, 'Entries');
    const total = entries.reduce(
      (n, e) => n + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0),
      0,
    );
    if (total > MAX_BATCH_BYTES) throw sqsErrors.batchTooLong(total);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    const valid: Array<{ id: string; input: SendInput }> = [];
    entries.forEach((e, i) => {
      try {
        valid.push({ id: e.Id, input: sendInputOf(e, q, ctx, `Entries[${i}].`) });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    });
    const results = ctx.store.send(
      q,
      valid.map((v) => v.input),
    );
    results.forEach((r, i) => {
      Successful.push({
        Id: valid[i]?.id,
        MessageId: r.messageId,
        MD5OfMessageBody: r.md5OfBody,
        ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}),
        ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
      });
    });
    return { Successful, Failed };
  },
  async ReceiveMessage(input, ctx) {
    const q = queueOf(input, ctx);
    const maxMessages = optInt(input, 'MaxNumberOfMessages', bad, { min: 1, max: 10 }) ?? 1;
    const visibilityTimeout = optInt(input, 'VisibilityTimeout', bad, { min: 0, max: 43_200 });
    const waitTimeSeconds = optInt(input, 'WaitTimeSeconds', bad, { min: 0, max: 20 });
    const systemNames = [
      ...(optStringArray(input, 'AttributeNames', bad) ?? []),
      ...(optStringArray(input, 'MessageSystemAttributeNames', bad) ?? []),
    ];
    const attrNames = optStringArray(input, 'MessageAttributeNames', bad);
    optString(input, 'ReceiveRequestAttemptId', bad, { max: 128 });
    const messages = await ctx.store.receive(q, {
      maxMessages,
      ...(visibilityTimeout !== undefined ? { visibilityTimeout } : {}),
      ...(waitTimeSeconds !== undefined ? { waitTimeSeconds } : {}),
      signal: ctx.signal,
    });
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((m) => {
        const attributes = Object.fromEntries(
          Object.entries(m.attributes).filter(([k]) => wantedNames(systemNames, k)),
        );
        const selected = Object.entries(m.messageAttributes).filter(([k]) =>
          wantedNames(attrNames, k),
        );
        return {
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.md5OfBody,
          Body: m.body,
          ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
          // SQS reports the MD5 of all message attributes, even when only some are returned.
          ...(m.md5OfMessageAttributes && selected.length > 0
            ? { MD5OfMessageAttributes: m.md5OfMessageAttributes }
            : {}),
          ...(selected.length > 0
            ? {
                MessageAttributes: Object.fromEntries(
                  selected.map(([k, v]) => [
                    k,
                    {
                      DataType: v.DataType,
                      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
                      ...(v.BinaryValue !== undefined
                        ? { BinaryValue: v.BinaryValue.toString('base64') }
                        : {}),
                    },
                  ]),
                ),
              }
            : {}),
        };
      }),
    };
  },
  DeleteMessage(input, ctx) {
    const q = queueOf(input, ctx);
    ctx.store.deleteMessage(q, reqString(input, 'ReceiptHandle', bad, { min: 1 }));
    return {};
  },
  DeleteMessageBatch(input, ctx) {
    const q = queueOf(input, ctx);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    batchEntries(input, 'Entries').forEach((e, i) => {
      try {
        ctx.store.deleteMessage(
          q,
          reqString(e, 'ReceiptHandle', bad, { min: 1 }, `Entries[${i}].ReceiptHandle`),
        );
        Successful.push({ Id: e.Id });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    });
    return { Successful, Failed };
  },
  ChangeMessageVisibility(input, ctx) {
    const q = queueOf(input, ctx);
    const handle = reqString(input, 'ReceiptHandle', bad, { min: 1 });
    const timeout = optInt(input, 'VisibilityTimeout', bad, { min: 0, max: 43_200 });
    if (timeout === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
    ctx.store.changeVisibility(q, handle, timeout);
    return {};
  },
  ChangeMessageVisibilityBatch(input, ctx) {
    const q = queueOf(input, ctx);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    batchEntries(input, 'Entries').forEach((e, i) => {
      try {
        const handle = reqString(
          e,
          'ReceiptHandle',
          bad,
          { min: 1 },
          `Entries[${i}].ReceiptHandle`,
        );
        const timeout =
          optInt(
            e,
            'VisibilityTimeout',
            bad,
            { min: 0, max: 43_200 },
            `Entries[${i}].VisibilityTimeout`,
          ) ?? 0;
        ctx.store.changeVisibility(q, handle, timeout);
        Successful.push({ Id: e.Id });
      } catch (err) {
        Failed.push(batchError(e.Id, err));
      }
    });
    return { Successful, Failed };
  },
};

async function sqsRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const store = sqsStoreFor(db);
  // Long polls end (empty) as soon as the emulator starts closing.
  app.addHook('preClose', async () => store.close());

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof SqsError) return sendAwsJsonError(reply, CONTENT_TYPE, TYPE_PREFIX, error);
    const wire = frameworkErrorToWire(error, request);
    return sendAwsJsonError(reply, CONTENT_TYPE, TYPE_PREFIX, { ...wire, queryCode: wire.code });
  });

  app.post(
    '/',
    { constraints: { awsService: 'sqs' } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const target = request.headers['x-amz-target'];
      const op =
        typeof target === 'string' && target.startsWith('AmazonSQS.') ? target.slice(10) : '';
      const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
      if (!handler) {
        throw new SqsError(
          'UnsupportedOperation',
          `X-Amz-Target: expected AmazonSQS.<Operation> with one of ${Object.keys(handlers).join(', ')}, got ${JSON.stringify(String(target ?? '').slice(0, 80))}`,
          { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' },
        );
      }
      let parsed: unknown;
      try {
        parsed = jsonBody(request);
      } catch {
        throw new SqsError(
          'SerializationException',
          'request body: expected JSON, got text that does not parse',
        );
      }
      const input = requireObject(parsed, 'request body', bad);
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      const out = await handler(input, {
        store,
        config,
        caller: callerOf(request, config),
        signal: abort.signal,
      });
      return sendAwsJson(reply, CONTENT_TYPE, out);
    },
  );
}

async function sqs(app: FastifyInstance): Promise<void> {
  // Routes and their error handler live in a child context so the JSON error style stays local.
  await app.register(sqsRoutes);
}

/** Registers the SQS JSON-protocol route (`POST /`, constraint `awsService: 'sqs'`). */
export const sqsPlugin = fp(sqs, { name: '@c2c-kit/emulator-sqs', fastify: '5.x' });
