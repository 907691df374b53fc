import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRING_SHAPES } from '../src/index.js';
import { LazyPattern } from '../src/validate-runtime.js';

describe('LazyPattern (Unicode-property patterns compiled on first use)', () => {
  it('accepts and rejects exactly what the RegExp accepts (property)', () => {
    const source = '^[\\p{L}\\p{N} ._-]+$';
    const lazy = new LazyPattern(source, 'u');
    const eager = new RegExp(source, 'u');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.constantFrom('Living room 2', 'Küche', '台灯', 'a/b', ''),
        ),
        (text) => {
          expect(lazy.test(text)).toBe(eager.test(text));
        },
      ),
      { numRuns: 300 },
    );
    expect(String(lazy)).toBe(String(eager));
  });

  it('is what the generated tables use for \\p{…} patterns, and only for those', () => {
    const patterns = Object.values(STRING_SHAPES).flatMap((s) =>
      'pattern' in s && s.pattern !== undefined ? [s.pattern] : [],
    );
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) {
      expect(p instanceof LazyPattern).toBe(/\\[pP]\{/.test(p.source));
    }
    expect(STRING_SHAPES.ConnectorDeviceName.pattern.test('Fan 42')).toBe(true);
    expect(STRING_SHAPES.ConnectorDeviceName.pattern.test('fan/42')).toBe(false);
  });
});
