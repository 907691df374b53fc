import { optInt, optString, optStringArray, reqString } from '../../protocols/jsonMembers.js';
import { sqsErrors } from './errors.js';
import { batchEntries, batchError, sendInputOf } from './messageInput.js';
import { bad, type Handler, queueOf } from './request.js';
import type { SendInput } from './SqsStore.js';

/**
 * Message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch).
 */

const MAX_BATCH_BYTES = 1_048_576;

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

export const messageHandlers: Record<string, Handler> = {
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
