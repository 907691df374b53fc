import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedBodyError } from '../src/errors.js';
import { MAX_JSON_DEPTH, parseJsonBody } from '../src/plugins/body.js';

/** `depth` nested containers, each array or object as `kinds` says, around `leaf`. */
function nested(kinds: readonly boolean[], leaf: unknown): unknown {
  let value = leaf;
  for (const isArray of kinds) value = isArray ? [value] : { k: value };
  return value;
}

describe('JSON body depth bound', () => {
  it('refuses exactly the bodies nested deeper than MAX_JSON_DEPTH, whatever their length (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_JSON_DEPTH - 3, max: MAX_JSON_DEPTH + 3 }),
        fc.array(fc.boolean(), { minLength: MAX_JSON_DEPTH + 3, maxLength: MAX_JSON_DEPTH + 3 }),
        // Brackets inside strings count towards no depth; a long padding makes the text long.
        fc.string({ unit: fc.constantFrom('[', '{', 'a', ' '), maxLength: 2000 }),
        (depth, kinds, padding) => {
          const text = JSON.stringify(nested(kinds.slice(0, depth), padding));
          if (depth > MAX_JSON_DEPTH) {
            expect(() => parseJsonBody(text)).toThrow(MalformedBodyError);
          } else {
            expect(parseJsonBody(text)).toEqual(JSON.parse(text));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
