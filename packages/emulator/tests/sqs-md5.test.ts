import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5OfMessageAttributes } from '../src/services/sqs/md5.js';

describe('MD5OfMessageAttributes', () => {
  // Published vectors: the SellerName example of the SQS developer guide's algorithm, and the
  // test vector of wcharczuk/sqslite (internal/sqslite/md5_test.go), itself checked against SQS.
  it('matches known SQS values', () => {
    expect(
      md5OfMessageAttributes({ SellerName: { DataType: 'String', StringValue: 'Example Store' } }),
    ).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
    expect(
      md5OfMessageAttributes({
        ordinal: { DataType: 'Number', StringValue: '1' },
        category: { DataType: 'String', StringValue: 'test' },
      }),
    ).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('does not depend on the order the attributes were given in', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
          fc.oneof(
            fc.string().map((s) => ({ DataType: 'String', StringValue: s })),
            fc
              .uint8Array({ maxLength: 8 })
              .map((b) => ({ DataType: 'Binary', BinaryValue: Buffer.from(b) })),
          ),
          { minKeys: 1, maxKeys: 6 },
        ),
        (attrs) => {
          const reversed = Object.fromEntries(Object.entries(attrs).reverse());
          expect(md5OfMessageAttributes(reversed)).toBe(md5OfMessageAttributes(attrs));
        },
      ),
    );
  });
});
