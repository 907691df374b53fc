import { withTestEmulator } from '@c2c-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postUnsignedAwsJson } from './helpers/sign.js';

// The SQS route under hostile input, sent unsigned (verification off) so the body is what is
// tested: a 4xx naming the problem, never a 5xx. The SDK's view of SQS: sqs.test.ts.

describe('SQS route robustness', () => {
  const operations = [
    'CreateQueue',
    'GetQueueUrl',
    'SendMessage',
    'SendMessageBatch',
    'ReceiveMessage',
    'DeleteMessage',
    'DeleteMessageBatch',
    'ChangeMessageVisibility',
    'GetQueueAttributes',
    'PurgeQueue',
    'Bogus',
  ];

  it('malformed requests get a 4xx with a message, never a 5xx', async () => {
    await withTestEmulator({ verify: false }, async (unsigned) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...operations),
          fc.oneof(
            fc.string({ maxLength: 60 }),
            fc.json({ maxDepth: 3 }),
            fc
              .record(
                {
                  QueueName: fc.oneof(
                    fc.string({ maxLength: 90 }),
                    fc.integer(),
                    fc.constant(null),
                  ),
                  QueueUrl: fc.oneof(fc.string(), fc.constant(`${unsigned.url}/111122223333/nope`)),
                  MessageBody: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.object()),
                  MaxNumberOfMessages: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.string()),
                  Entries: fc.oneof(fc.array(fc.anything(), { maxLength: 12 }), fc.string()),
                  ReceiptHandle: fc.oneof(fc.string(), fc.integer()),
                  Attributes: fc.oneof(
                    fc.dictionary(fc.string({ maxLength: 12 }), fc.string()),
                    fc.anything(),
                  ),
                },
                { requiredKeys: [] },
              )
              .map((o) => JSON.stringify(o)),
          ),
          async (op, body) => {
            const res = await postUnsignedAwsJson(unsigned.url, '1.0', `AmazonSQS.${op}`, body);
            const json = (await res.json()) as { __type?: string; message?: string };
            if (res.status >= 400) {
              expect(res.status).toBeLessThan(500);
              expect(json.__type).toBeTypeOf('string');
              expect(json.message).toBeTypeOf('string');
            }
            expect(res.status).toBeLessThan(500);
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  it('names the field, the expectation and what was sent', async () => {
    await withTestEmulator({ verify: false }, async (unsigned) => {
      const res = await postUnsignedAwsJson(
        unsigned.url,
        '1.0',
        'AmazonSQS.CreateQueue',
        JSON.stringify({ QueueName: 42 }),
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        message: 'QueueName: expected string, got number 42',
      });
      const syntax = await postUnsignedAwsJson(
        unsigned.url,
        '1.0',
        'AmazonSQS.CreateQueue',
        '{"QueueName": ',
      );
      expect(syntax.status).toBe(400);
      expect(((await syntax.json()) as { __type: string }).__type).toContain(
        'SerializationException',
      );
    });
  });
});
