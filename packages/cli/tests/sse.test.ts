import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSse, SseParser } from '../src/dev/sse.js';

describe('SseParser', () => {
  it('parses events split at any byte boundary exactly as sent', () => {
    const event = fc.record({
      event: fc.stringMatching(/^[a-z_]{1,12}$/),
      data: fc.string({ maxLength: 80 }),
      id: fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (events, cuts) => {
          const wire = events.map((e) => formatSse(e.event, e.data, e.id)).join('');
          const parser = new SseParser();
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const got = [];
          let last = 0;
          for (const p of [...points, wire.length]) {
            got.push(...parser.push(wire.slice(last, p)));
            last = p;
          }
          // Lines are split on CR/LF, so data normalises its line ends to \n (as browsers do).
          const expected = events.map((e) => ({
            event: e.event,
            data: e.data.split(/\r\n|\n|\r/).join('\n'),
            id: e.id,
          }));
          let lastId: string | undefined;
          const withIds = expected.map((e) => {
            if (e.id !== undefined) lastId = e.id;
            return { ...e, id: lastId };
          });
          expect(got).toEqual(withIds);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ignores comments (keep-alives) and CRLF line ends', () => {
    const parser = new SseParser();
    expect(parser.push(': hello\r\n\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([
      { event: 'x', data: 'a\nb', id: undefined },
    ]);
  });
});
