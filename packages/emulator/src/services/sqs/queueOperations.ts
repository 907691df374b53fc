import {
  optInt,
  optString,
  optStringArray,
  optStringMap,
  reqString,
} from '../../protocols/jsonMembers.js';
import { sqsErrors } from './errors.js';
import { bad, type Handler, queueOf, queueUrl } from './request.js';

/** Queue operations: CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes, Delete/PurgeQueue. */

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

export const queueHandlers: Record<string, Handler> = {
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
};
