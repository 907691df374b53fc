/**
 * Helpers the generated validators call. Kept tiny and allocation-free on the success path: paths
 * and messages are only built when an issue is reported.
 */
import type { ValidationIssue } from './result.js';

/**
 * Stands in for the value of a sensitive member (`@sensitive` in the model: user ids, device ids,
 * messages, Matter attributes, tokens) in `ValidationIssue.received`.
 */
export const REDACTED = '<redacted>';

/** `at('', 'A')` → `A`; `at('A', 'b')` → `A.b`. */
export function at(parent: string, member: string): string {
  return parent === '' ? member : `${parent}.${member}`;
}

/** Length in Unicode code points, the unit of Smithy's `@length` on strings. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Reports a missing required member. Wire names are case-sensitive (`UserId`, not `userId`), and
 * the wrong case is the most common mistake, so a near miss is named in the message.
 */
export function missing(
  o: Record<string, unknown>,
  parent: string,
  member: string,
  message: string,
  out: ValidationIssue[],
): void {
  const lower = member.toLowerCase();
  let nearMiss: string | undefined;
  for (const k in o) {
    if (k !== member && k.toLowerCase() === lower) {
      nearMiss = k;
      break;
    }
  }
  out.push({
    path: at(parent, member),
    message:
      nearMiss === undefined
        ? message
        : `${message} (found "${nearMiss}"; member names are case-sensitive)`,
  });
}

/** What a string constraint's pattern needs: a test, and its source for messages. */
export interface Pattern {
  test(text: string): boolean;
  readonly source: string;
}

/**
 * A regular expression compiled on first use. Patterns with Unicode property escapes (`\p{L}`)
 * take ~0.3 ms each to construct, which every Lambda cold start would pay at import otherwise.
 */
export class LazyPattern implements Pattern {
  #compiled: RegExp | undefined;
  constructor(
    readonly source: string,
    readonly flags: string,
  ) {}

  test(text: string): boolean {
    this.#compiled ??= new RegExp(this.source, this.flags);
    return this.#compiled.test(text);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

/**
 * A value built on first use and kept: module-level tables derived from the generated ones are
 * wrapped in this so importing a module neither builds them nor (with the `@__PURE__` mark at
 * the call site) keeps them in a bundle that never calls them.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
