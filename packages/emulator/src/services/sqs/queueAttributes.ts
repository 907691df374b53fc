import { sqsErrors } from './errors.js';

/** Queue attributes as CreateQueue and SetQueueAttributes take them, checked like SQS does. */

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Settable attributes with their allowed range (strings on the wire, integers inside). */
const INT_ATTRIBUTES: Record<string, { min: number; max: number; default: number }> = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, default: 1_048_576 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
};
/** Accepted and reported back, with no behaviour here (policies, encryption). */
const PASSTHROUGH_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
const BOOL_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication']);

export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

function parseRedrivePolicy(text: string): RedrivePolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw sqsErrors.invalidAttributeValue(
      'Attributes.RedrivePolicy: expected a JSON object {"deadLetterTargetArn","maxReceiveCount"}, got text that is not JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw sqsErrors.invalidAttributeValue('Attributes.RedrivePolicy: expected a JSON object');
  }
  const v = value as Record<string, unknown>;
  const arn = v.deadLetterTargetArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw sqsErrors.invalidAttributeValue(
      'Attributes.RedrivePolicy.deadLetterTargetArn: expected a queue ARN string',
    );
  }
  const count =
    typeof v.maxReceiveCount === 'string' ? Number(v.maxReceiveCount) : v.maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw sqsErrors.invalidAttributeValue(
      `Attributes.RedrivePolicy.maxReceiveCount: expected an integer from 1 to 1000, got ${JSON.stringify(v.maxReceiveCount)}`,
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/**
 * Normalises and validates CreateQueue/SetQueueAttributes input into SQS's string form: `base`
 * (the queue's current attributes) with `input` applied, or the defaults with it for a new queue.
 * A RedrivePolicy must name a queue `deadLetterTargetExists` knows.
 */
export function normalizeQueueAttributes(
  name: string,
  input: Record<string, string>,
  options: { base?: Record<string, string>; deadLetterTargetExists(arn: string): boolean },
): Record<string, string> {
  const { base } = options;
  const out: Record<string, string> = {};
  if (!base) {
    for (const [k, rule] of Object.entries(INT_ATTRIBUTES)) out[k] = String(rule.default);
  } else {
    Object.assign(out, base);
  }
  for (const [k, v] of Object.entries(input)) {
    const rule = INT_ATTRIBUTES[k];
    if (rule) {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < rule.min || n > rule.max) {
        throw sqsErrors.invalidAttributeValue(
          `Attributes.${k}: expected an integer from ${rule.min} to ${rule.max}, got ${JSON.stringify(v.slice(0, 40))}`,
        );
      }
      out[k] = String(n);
    } else if (k === 'RedrivePolicy') {
      if (v === '') {
        delete out.RedrivePolicy;
        continue;
      }
      const policy = parseRedrivePolicy(v);
      if (!options.deadLetterTargetExists(policy.deadLetterTargetArn)) {
        throw sqsErrors.invalidParameter(
          `Value ${v} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
        );
      }
      out[k] = JSON.stringify(policy);
    } else if (BOOL_ATTRIBUTES.has(k)) {
      if (v !== 'true' && v !== 'false') {
        throw sqsErrors.invalidAttributeValue(
          `Attributes.${k}: expected "true" or "false", got ${JSON.stringify(v.slice(0, 40))}`,
        );
      }
      out[k] = v;
    } else if (PASSTHROUGH_ATTRIBUTES.has(k)) {
      out[k] = v;
    } else {
      throw sqsErrors.invalidAttributeName(`Unknown Attribute ${k.slice(0, 80)}.`);
    }
  }
  const fifo = out.FifoQueue === 'true';
  if (fifo !== name.endsWith('.fifo')) {
    throw sqsErrors.invalidParameter(
      fifo
        ? `QueueName: a FIFO queue name must end with ".fifo", got "${name}"`
        : `QueueName: a queue named "${name}" must set Attributes.FifoQueue to "true"`,
    );
  }
  if (!fifo && out.ContentBasedDeduplication !== undefined) {
    throw sqsErrors.invalidAttributeName(
      'Attributes.ContentBasedDeduplication: only valid for FIFO queues',
    );
  }
  return out;
}
