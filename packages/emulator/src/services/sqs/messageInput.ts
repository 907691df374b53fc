import {
  describe,
  optArray,
  optInt,
  optString,
  reqString,
  requireObject,
} from '../../protocols/jsonMembers.js';
import { SqsError, sqsErrors } from './errors.js';
import type { MessageAttributeValue } from './md5.js';
import { bad, type Ctx } from './request.js';
import type { QueueRecord, SendInput } from './SqsStore.js';

/** The message members of SendMessage(Batch) and the batch entries every *Batch operation takes. */

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

// XML 1.0 characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point.
const INVALID_BODY_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

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

export function sendInputOf(
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
export function batchEntries(
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

export function batchError(id: string, error: unknown): Record<string, unknown> {
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
