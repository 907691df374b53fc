import { sqsErrors } from './errors.js';
import type { MessageAttributeValue } from './md5.js';
import type { StoredMessage } from './SqsStore.js';

/** Rows of `sqs_messages` and what a receive hands out of them (attributes, receipt handles). */

export interface MessageRow {
  rowid: number;
  message_id: string;
  body: string;
  md5_body: string;
  message_attributes: string;
  md5_attributes: string | null;
  system_attributes: string;
  sender_id: string;
  sent_at: number;
  first_received_at: number | null;
  receive_count: number;
  visible_at: number;
  receipt_token: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
}

export function encodeAttributes(attrs: Record<string, MessageAttributeValue>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        {
          DataType: v.DataType,
          StringValue: v.StringValue,
          BinaryValue: v.BinaryValue?.toString('base64'),
        },
      ]),
    ),
  );
}

function decodeAttributes(text: string): Record<string, MessageAttributeValue> {
  const raw = JSON.parse(text) as Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : {}),
    };
  }
  return out;
}

/** Receipt handles carry the message id, so a delete needs no extra lookup table. */
function makeReceiptHandle(messageId: string, token: string): string {
  return Buffer.from(`${messageId}#${token}`, 'utf8').toString('base64url');
}

export function parseReceiptHandle(handle: string): { messageId: string; token: string } {
  const text = Buffer.from(handle, 'base64url').toString('utf8');
  const m = /^([0-9a-f-]{36})#([0-9a-f]{32})$/.exec(text);
  if (!m) throw sqsErrors.receiptHandleIsInvalid(handle);
  return { messageId: m[1] as string, token: m[2] as string };
}

/** The message a receive hands out: system attributes as SQS names them, a fresh receipt handle. */
export function toStoredMessage(row: MessageRow, token: string): StoredMessage {
  const system = decodeAttributes(row.system_attributes);
  const attributes: Record<string, string> = {
    SenderId: row.sender_id,
    SentTimestamp: String(row.sent_at),
    ApproximateReceiveCount: String(row.receive_count),
    ApproximateFirstReceiveTimestamp: String(row.first_received_at ?? row.sent_at),
  };
  if (row.group_id) attributes.MessageGroupId = row.group_id;
  if (row.dedup_id) attributes.MessageDeduplicationId = row.dedup_id;
  if (row.sequence_number) attributes.SequenceNumber = row.sequence_number;
  const trace = system.AWSTraceHeader?.StringValue;
  if (trace) attributes.AWSTraceHeader = trace;
  const messageAttributes = decodeAttributes(row.message_attributes);
  return {
    messageId: row.message_id,
    receiptHandle: makeReceiptHandle(row.message_id, token),
    body: row.body,
    md5OfBody: row.md5_body,
    messageAttributes,
    ...(row.md5_attributes ? { md5OfMessageAttributes: row.md5_attributes } : {}),
    attributes,
  };
}
