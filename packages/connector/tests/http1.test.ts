import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponseParser } from '../src/client/http1.js';
import type { ParsedResponse } from '../src/client/http1Response.js';
import { MalformedResponseError } from '../src/errors.js';

const scratch = Buffer.alloc(64 * 1024);

/** Feeds `bytes` split at `cuts` and returns what the parser made of it (end() at the close). */
function parse(bytes: Buffer, cuts: number[] = [], method = 'POST', close = false) {
  const parser = new ResponseParser();
  parser.start(method);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  let result: ParsedResponse | undefined;
  for (const at of [...points, bytes.length]) {
    if (at <= from && at !== bytes.length) continue;
    const piece = bytes.subarray(from, at);
    from = at;
    if (piece.length === 0 && at !== bytes.length) continue;
    if (piece.length > 0) {
      // As the pool reads: every piece lands in one reused buffer, which the next read
      // overwrites, so the parser must keep copies of what an unfinished response needs.
      piece.copy(scratch);
      result = parser.push(scratch.subarray(0, piece.length));
      if (result === undefined) scratch.fill(0xee);
    }
    if (result !== undefined) break;
  }
  if (result === undefined && close) result = parser.end();
  return { result, leftover: parser.leftover };
}

const fieldName = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/)
  .filter(
    (n) =>
      !['content-length', 'transfer-encoding', 'connection', 'set-cookie', 'keep-alive'].includes(
        n.toLowerCase(),
      ),
  );
const fieldValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);

describe('ResponseParser', () => {
  it('reads Content-Length, chunked and until-close bodies the same, however the bytes arrive (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
          fields: fc.uniqueArray(fc.tuple(fieldName, fieldValue), {
            maxLength: 6,
            selector: ([n]) => n.toLowerCase(),
          }),
          body: fc.string({ maxLength: 300, unit: 'grapheme' }),
          framing: fc.constantFrom('length', 'chunked', 'close'),
          chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 12 }),
          cuts: fc.array(fc.nat(), { maxLength: 10 }),
          interim: fc.boolean(),
        }),
        (r) => {
          const body = Buffer.from(r.body);
          let head = r.interim ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
          head += `HTTP/1.1 ${r.status} Reason Phrase\r\n`;
          for (const [name, value] of r.fields) head += `${name}:  ${value} \r\n`;
          let payload: Buffer;
          if (r.framing === 'length') {
            head += `Content-Length: ${body.length}\r\n`;
            payload = body;
          } else if (r.framing === 'chunked') {
            head += 'Transfer-Encoding: chunked\r\n';
            const parts: string[] = [];
            let at = 0;
            for (const size of [...r.chunkSizes, body.length]) {
              if (at >= body.length) break;
              const piece = body.subarray(at, at + size);
              at += piece.length;
              parts.push(
                `${piece.length.toString(16)};ext=1\r\n`,
                piece.toString('latin1'),
                '\r\n',
              );
            }
            parts.push('0\r\nx-trailer: t\r\n\r\n');
            payload = Buffer.from(parts.join(''), 'latin1');
          } else {
            payload = body;
          }
          const bytes = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]);
          const { result } = parse(bytes, r.cuts, 'POST', r.framing === 'close');
          expect(result).toBeDefined();
          expect(result?.statusCode).toBe(r.status);
          expect(result?.body.toString('utf8')).toBe(r.body);
          expect(result?.keepAlive).toBe(r.framing !== 'close');
          for (const [name, value] of r.fields) {
            expect(result?.headers[name.toLowerCase()]).toBe(value);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('has no body for HEAD, 204 and 304, and keeps bytes after the response as leftover', () => {
    const head = parse(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n'), [], 'HEAD');
    expect(head.result?.body.length).toBe(0);
    expect(head.result?.keepAlive).toBe(true);
    const noContent = parse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\nXYZ'));
    expect(noContent.result?.statusCode).toBe(204);
    expect(noContent.leftover.toString()).toBe('XYZ');
    // A connection with bytes nobody asked for is not reused.
    expect(noContent.result?.keepAlive).toBe(false);
  });

  it('follows Connection: close, HTTP/1.0 and repeated fields', () => {
    const close = parse(
      Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n'),
    );
    expect(close.result?.keepAlive).toBe(false);
    const old = parse(Buffer.from('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    expect(old.result?.keepAlive).toBe(false);
    const oldKeep = parse(
      Buffer.from('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nok'),
    );
    expect(oldKeep.result?.keepAlive).toBe(true);
    const repeated = parse(
      Buffer.from(
        'HTTP/1.1 200 OK\r\nVia: a\r\nvia: b\r\nSet-Cookie: x=1\r\nset-cookie: y=2\r\ncontent-length: 5, 5\r\n\r\nhello',
      ),
    );
    expect(repeated.result?.headers.via).toBe('a, b');
    expect(repeated.result?.headers['set-cookie']).toEqual(['x=1', 'y=2']);
    expect(repeated.result?.body.toString()).toBe('hello');
  });

  it('reads the framing fields in any letter case, and only those names', () => {
    const mixed = parse(
      Buffer.from(
        'HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: chunked\r\ncOnNeCtIoN: close\r\n' +
          'KEEP-alive: timeout=3\r\n\r\n2\r\nok\r\n0\r\n\r\n',
      ),
    );
    expect(mixed.result?.body.toString()).toBe('ok');
    expect(mixed.result?.keepAlive).toBe(false);
    expect(mixed.result?.keepAliveField).toBe('timeout=3');
    // Same lengths, other names: not framing (the body runs to the close).
    const lookalikes = parse(
      Buffer.from(
        'HTTP/1.1 200 OK\r\ncontent-lengtx: 2\r\nconnectiom: close\r\n' +
          'transfer-encodinh: chunked\r\n\r\nbody',
      ),
      [],
      'GET',
      true,
    );
    expect(lookalikes.result?.body.toString()).toBe('body');
    expect(lookalikes.result?.headers['content-lengtx']).toBe('2');
  });

  it('rejects what is not HTTP/1.1 with a message naming the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['HTTP/2 200 OK\r\n\r\n', /invalid status line.*HTTP\/2 200/],
      ['HTTP/1.1 20 OK\r\n\r\n', /invalid status line/],
      ['SSH-2.0-OpenSSH\r\n\r\n', /invalid status line/],
      ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /invalid header line 1: .*no colon here/],
      ['HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n', /invalid header line 1/],
      ['HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', /invalid header line 1/],
      ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /invalid Content-Length.*-1/],
      ['HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\n', /invalid Content-Length/],
      [
        'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
        /invalid chunk size line.*zz/,
      ],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n', /chunk data longer/],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parse(Buffer.from(text));
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(MalformedResponseError);
      expect((error as MalformedResponseError).code).toBe('C2C_MALFORMED_RESPONSE');
      expect((error as Error).message, text).toMatch(message);
    }
  });

  it('enforces the header and body size limits', () => {
    const parser = new ResponseParser({ maxHeaderBytes: 100, maxBodyBytes: 10 });
    parser.start('GET');
    expect(() => parser.push(Buffer.from(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(200)}`))).toThrow(
      /header block larger than 100 bytes/,
    );
    parser.start('GET');
    expect(() => parser.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n'))).toThrow(
      /body larger than 10 bytes/,
    );
    parser.start('GET');
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'));
    expect(() => parser.push(Buffer.from('8\r\n12345678\r\n8\r\n12345678\r\n'))).toThrow(
      /body larger than 10 bytes/,
    );
  });

  it('never crashes on arbitrary bytes: a response, undefined, or MalformedResponseError (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .string({ maxLength: 200 })
            .map((s) => new TextEncoder().encode(`HTTP/1.1 200 OK\r\n${s}`)),
        ),
        fc.array(fc.nat(), { maxLength: 5 }),
        (bytes, cuts) => {
          try {
            parse(Buffer.from(bytes), cuts, 'GET', true);
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedResponseError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
