/**
 * `parseJson`: JSON.parse on the fast path; on failure a small scanner finds where the text stops
 * being JSON, so the one issue names a line and column (V8's own message does not reliably carry
 * a position, and its wording changes between Node versions).
 */
import type { Result } from './result.js';

/** Parses JSON text; a syntax error becomes one issue with line and column, never a throw. */
export function parseJson(text: string): Result<unknown> {
  if (typeof text !== 'string') {
    return {
      ok: false,
      issues: [{ path: '', message: 'expected JSON text (a string)', received: text }],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const error = locateSyntaxError(text);
    const { line, column } = lineColumn(text, error.offset);
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `invalid JSON at line ${line}, column ${column}: ${error.reason}`,
          line,
          column,
        },
      ],
    };
  }
}

interface SyntaxErrorAt {
  readonly offset: number;
  readonly reason: string;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const HINTS: Record<string, string> = {
  None: ' (Python None; JSON spells it null)',
  True: ' (Python True; JSON spells it true)',
  False: ' (Python False; JSON spells it false)',
  undefined: ' (undefined is not JSON; use null or omit the member)',
  NaN: ' (NaN is not JSON)',
  Infinity: ' (Infinity is not JSON)',
};

class Fail extends Error {
  constructor(readonly at: SyntaxErrorAt) {
    super(at.reason);
  }
}

/** Recursive-descent JSON recogniser (RFC 8259) that reports the first offending offset. */
function locateSyntaxError(text: string): SyntaxErrorAt {
  let i = 0;
  const fail = (reason: string, offset = i): never => {
    throw new Fail({ offset, reason });
  };
  const describe = (offset: number): string => {
    if (offset >= text.length) return 'unexpected end of input';
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(offset, offset + 32))?.[0];
    if (word) return `unexpected ${JSON.stringify(word)}${HINTS[word] ?? ''}`;
    return `unexpected ${JSON.stringify(text[offset])}`;
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(describe(i));
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail('control character in string (escape it)');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`invalid escape \\${e ?? ''}`);
      } else i++;
    }
    fail('unterminated string');
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(describe(i));
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a member name in double quotes, ${describe(i)}`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ":" after member name, ${describe(i)}`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('trailing comma before "}"');
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected "," or "}" in object, ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('trailing comma before "]"');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected "," or "]" in array, ${describe(i)}`);
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail(i >= text.length ? 'unexpected end of input (expected a JSON value)' : describe(i));
  };
  try {
    // JSON.parse rejects a byte order mark; say so rather than "unexpected character".
    if (text.charCodeAt(0) === 0xfeff) fail('byte order mark before the JSON text', 0);
    value();
    ws();
    if (i < text.length) fail(`unexpected text after the JSON value: ${describe(i)}`);
  } catch (error) {
    if (error instanceof Fail) return error.at;
    // Stack exhausted by nesting; JSON.parse itself is iterative, so only the locator gave up.
    return { offset: i, reason: 'invalid JSON (nested too deeply to locate the error precisely)' };
  }
  // JSON.parse failed but the recogniser accepted: should not happen; report the whole text.
  return { offset: 0, reason: 'invalid JSON' };
}
