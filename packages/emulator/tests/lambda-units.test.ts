import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failedItems, sqsRecord } from '../src/services/lambda/EventSourceMappings.js';
import { FunctionUrlResponseError } from '../src/services/lambda/errors.js';
import { buildFunctionUrlEvent, mapFunctionUrlResult } from '../src/services/lambda/functionUrl.js';

describe('batchItemFailures parsing', () => {
  const ids = new Set(['m1', 'm2', 'm3']);

  it('reads the reported items, and treats empty answers as full success', () => {
    expect(failedItems('{"batchItemFailures":[{"itemIdentifier":"m2"}]}', ids)).toEqual(
      new Set(['m2']),
    );
    expect(failedItems('{"batchItemFailures":[]}', ids)).toEqual(new Set());
    expect(failedItems('null', ids)).toEqual(new Set());
    expect(failedItems('{}', ids)).toEqual(new Set());
  });

  it('fails the whole batch on an invalid report, as Lambda does', () => {
    expect(failedItems('{"batchItemFailures":[{"itemIdentifier":"other"}]}', ids)).toBe('all');
    expect(failedItems('{"batchItemFailures":[{"itemIdentifier":""}]}', ids)).toBe('all');
    expect(failedItems('{"batchItemFailures":"m1"}', ids)).toBe('all');
    expect(failedItems('"text"', ids)).toBe('all');
    expect(failedItems('not json', ids)).toBe('all');
  });

  it('never throws and only ever names messages of the batch', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .array(fc.oneof(fc.constantFrom('m1', 'm2', 'm3', 'x', ''), fc.anything()), {
              maxLength: 5,
            })
            .map((list) =>
              JSON.stringify({
                batchItemFailures: list.map((itemIdentifier) => ({ itemIdentifier })),
              }),
            ),
        ),
        (payload) => {
          const r = failedItems(payload, ids);
          if (r !== 'all') for (const id of r) expect(ids.has(id)).toBe(true);
        },
      ),
    );
  });
});

describe('Function URL mapping', () => {
  it('maps any JSON result to a response or a FunctionUrlResponseError (→ 502), nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc
            .record(
              {
                statusCode: fc.oneof(
                  fc.integer({ min: 0, max: 700 }),
                  fc.string(),
                  fc.constant(null),
                ),
                headers: fc.oneof(
                  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()),
                  fc.jsonValue(),
                ),
                cookies: fc.jsonValue(),
                body: fc.jsonValue(),
                isBase64Encoded: fc.jsonValue(),
              },
              { requiredKeys: ['statusCode'] },
            )
            .map((r) => JSON.stringify(r)),
        ),
        (payload) => {
          try {
            const r = mapFunctionUrlResult(payload);
            expect(r.statusCode).toBeGreaterThanOrEqual(100);
            expect(r.statusCode).toBeLessThanOrEqual(599);
            expect(Buffer.isBuffer(r.body)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(FunctionUrlResponseError);
          }
        },
      ),
    );
  });

  it('round-trips any body through the event and a base64 response', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('application/octet-stream', 'text/plain'),
        (bytes, type) => {
          const body = Buffer.from(bytes);
          const event = buildFunctionUrlEvent(
            {
              method: 'POST',
              rawPath: '/x',
              rawQueryString: '',
              headers: { 'content-type': type },
              body,
              sourceIp: '127.0.0.1',
            },
            'id',
            'anonymous',
          ) as { body?: string; isBase64Encoded: boolean };
          const received =
            event.body === undefined
              ? Buffer.alloc(0)
              : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
          if (type === 'application/octet-stream') expect(received).toEqual(body);
          const response = mapFunctionUrlResult(
            JSON.stringify({
              statusCode: 200,
              body: body.toString('base64'),
              isBase64Encoded: true,
            }),
          );
          expect(response.body).toEqual(body);
        },
      ),
    );
  });
});

describe('SQS records for Lambda', () => {
  it('have the shape Lambda delivers', () => {
    const record = sqsRecord(
      {
        messageId: 'id',
        receiptHandle: 'rh',
        body: 'b',
        md5OfBody: 'md5',
        messageAttributes: { k: { DataType: 'Binary', BinaryValue: Buffer.from([1]) } },
        attributes: { ApproximateReceiveCount: '1' },
      },
      'arn:aws:sqs:us-east-1:111122223333:q',
      'us-east-1',
    );
    expect(record).toEqual({
      messageId: 'id',
      receiptHandle: 'rh',
      body: 'b',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        k: { binaryValue: 'AQ==', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
      awsRegion: 'us-east-1',
    });
  });
});
