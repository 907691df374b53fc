import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../src/hmac.js';

const reference = (key: Uint8Array, prefix: string, rest?: string | Uint8Array) => {
  const mac = createHmac('sha256', key).update(prefix);
  if (rest !== undefined) mac.update(rest);
  return mac.digest();
};

describe('HmacSha256 (precomputed pads, one reused buffer)', () => {
  it('equals node:crypto createHmac for any key, prefix and rest (property)', () => {
    // One long-lived instance per key, as the signer and the webhook verifier keep them, so
    // the buffer growth and reuse across calls are exercised too.
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 150 }),
        fc.array(
          fc.tuple(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.option(fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.uint8Array()), {
              nil: undefined,
            }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (key, messages) => {
          const mac = new HmacSha256(key);
          for (const [prefix, rest] of messages) {
            const expected = reference(key, prefix, rest);
            expect(mac.digest(prefix, rest)).toEqual(expected);
            expect(mac.hex(prefix, rest)).toBe(expected.toString('hex'));
            expect(mac.base64(prefix, rest)).toBe(expected.toString('base64'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles messages past its buffer and past the buffered limit', () => {
    const key = Buffer.from('k'.repeat(100)); // longer than a block: hashed first
    const mac = new HmacSha256(key);
    for (const size of [10, 5_000, 300_000, 20]) {
      const body = Buffer.alloc(size, 0x61);
      expect(mac.hex('id.1.', body)).toBe(reference(key, 'id.1.', body).toString('hex'));
      const text = 'ሴ'.repeat(size);
      expect(mac.hex('', text)).toBe(reference(key, '', text).toString('hex'));
    }
  });
});
