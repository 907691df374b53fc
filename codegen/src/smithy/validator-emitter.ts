/**
 * Emits straight-line validator code: one function per aggregate shape, primitive checks inlined,
 * regexes and enum sets hoisted to module constants, and the words each check's message uses.
 */
import {
  boundsWords,
  constraintsOf,
  isSensitive,
  nounOf,
  PATTERN_WORDS,
  rangeWords,
} from './constraints.js';
import { prop } from './emit-util.js';
import {
  hasTrait,
  localName,
  resolveShape,
  type SmithyMember,
  type SmithyModel,
  trait,
} from './model.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export class Emitter {
  private readonly regexes = new Map<string, string>();
  private readonly enums = new Map<string, string>();
  readonly functions = new Map<string, string>();
  private readonly pending: Array<[string, string, boolean]> = [];
  readonly regexNotes: string[] = [];

  constructor(readonly model: SmithyModel) {}

  regex(pattern: string): string {
    let name = this.regexes.get(pattern);
    if (name) return name;
    name = `R${this.regexes.size}`;
    this.regexes.set(pattern, name);
    return name;
  }

  /** A message as an inline string literal: readable in the generated code, interned by V8. */
  message(text: string): string {
    return JSON.stringify(text);
  }

  enumSet(id: string): string {
    let name = this.enums.get(id);
    if (name) return name;
    name = `E_${localName(id)}`;
    this.enums.set(id, name);
    return name;
  }

  /** Name of the validator function for an aggregate shape (emitted on demand). */
  fn(id: string, sensitive: boolean): string {
    const name = `v${localName(id)}${sensitive ? '$s' : ''}`;
    const k = `${id}|${sensitive}`;
    if (!this.functions.has(k) && !this.pending.some(([p]) => p === k)) {
      this.pending.push([k, id, sensitive]);
    }
    return name;
  }

  drain(): void {
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      const [k, id, sensitive] = next;
      if (this.functions.has(k)) continue;
      this.functions.set(k, '');
      this.functions.set(k, this.aggregateFunction(id, sensitive));
    }
  }

  /** Translates a Smithy (Java-flavoured) pattern to a JS RegExp constructor call. */
  private compileRegex(pattern: string): string {
    // `\x{0022}` is Java syntax; JS spells it `\u{0022}` (u flag only).
    const translated = pattern.replace(/\\x\{([0-9A-Fa-f]+)\}/g, '\\u{$1}');
    try {
      new RegExp(translated, 'u');
      // Unicode property escapes (`\p{L}`) cost ~0.3 ms each to compile: on first use, not at
      // every cold start.
      if (/\\[pP]\{/.test(translated)) {
        return `new LazyPattern(${JSON.stringify(translated)}, 'u')`;
      }
      return `new RegExp(${JSON.stringify(translated)}, 'u')`;
    } catch {
      // Fall through: a pattern only valid without the u flag.
    }
    new RegExp(translated);
    this.regexNotes.push(pattern);
    return `new RegExp(${JSON.stringify(translated)})`;
  }

  header(): string[] {
    const lines: string[] = [];
    // `@__PURE__`: a bundle keeps only the patterns its validators use (a bare constructor call
    // at module level would count as a side effect and keep all of them).
    for (const [pattern, name] of this.regexes) {
      lines.push(`const ${name} = /* @__PURE__ */ ${this.compileRegex(pattern)};`);
    }
    for (const [id, name] of this.enums) {
      const shape = resolveShape(this.model, id);
      const values = Object.values(shape.members ?? {}).map(
        (m) => trait<string>(m.traits, 'enumValue') ?? '',
      );
      lines.push(
        `const ${name}: ReadonlySet<string> = /* @__PURE__ */ new Set(${JSON.stringify(values)});`,
      );
    }
    return lines;
  }

  /** Words for what a value of this target must be; used for messages and docs. */
  expectation(id: string, member?: SmithyMember): string {
    const shape = resolveShape(this.model, id);
    const c = constraintsOf(shape, member);
    switch (shape.type) {
      case 'string': {
        const len = c.length ? boundsWords(c.length, 'character', 'characters') : '';
        const words = c.pattern ? PATTERN_WORDS[c.pattern] : undefined;
        if (words) {
          // A literal pattern (`^1\.0\.0$`) already fixes the length.
          const literal = /^\^[^[\]*+?|()]*\$$/.test(c.pattern ?? '');
          return `expected ${words(nounOf(id))}${len && !literal ? ` (${len})` : ''}`;
        }
        if (len && c.pattern) return `expected ${len} matching ${c.pattern}`;
        if (len) return `expected a string of ${len}`;
        if (c.pattern) return `expected a string matching ${c.pattern}`;
        return 'expected a string';
      }
      case 'enum': {
        const values = Object.values(shape.members ?? {}).map((m) =>
          JSON.stringify(trait<string>(m.traits, 'enumValue')),
        );
        return `expected one of ${values.join(', ')}`;
      }
      case 'integer':
      case 'long':
        return `expected an integer${rangeWords(c.range)}`;
      case 'double':
        return `expected a number${rangeWords(c.range)}`;
      case 'boolean':
        return 'expected true or false';
      case 'timestamp':
        return 'expected a timestamp in epoch seconds';
      case 'document':
        return 'expected a JSON value';
      case 'list':
        return `expected an array${c.length ? ` of ${boundsWords(c.length, 'item', 'items')}` : ''}`;
      case 'map':
        return `expected an object map${c.length ? ` of ${boundsWords(c.length, 'entry', 'entries')}` : ''}`;
      case 'structure':
        return `expected an object (${localName(id)})`;
      default:
        throw new Error(`smithy: unsupported shape type ${shape.type} (${id})`);
    }
  }

  /**
   * Lines that check `x` (already known to be neither undefined nor, for members, null) against
   * target `id`, pushing one issue at path expression `path` on failure.
   */
  check(
    id: string,
    member: SmithyMember | undefined,
    x: string,
    path: string,
    sensitiveCtx: boolean,
    messagePrefix = '',
  ): string[] {
    const shape = resolveShape(this.model, id);
    const sensitive = sensitiveCtx || isSensitive(shape, member);
    const received = sensitive ? 'REDACTED' : x;
    const msg = (): string => this.message(messagePrefix + this.expectation(id, member));
    const fail = (): string =>
      `out.push({ path: ${path}, message: ${msg()}, received: ${received} });`;
    const c = constraintsOf(shape, member);
    switch (shape.type) {
      case 'string': {
        const conds = [`typeof ${x} !== 'string'`];
        if (c.length?.min !== undefined && c.length.min > 0)
          conds.push(`${x}.length < ${c.length.min}`);
        if (c.length?.max !== undefined) {
          // UTF-16 length ≥ code-point count, so count code points only when it can matter.
          conds.push(`(${x}.length > ${c.length.max} && codePoints(${x}) > ${c.length.max})`);
        }
        if (c.length?.min !== undefined && c.length.min > 1) {
          // A surrogate pair counts as one character, so a short string may still be too short.
          conds.push(`(${x}.length < ${c.length.min * 2} && codePoints(${x}) < ${c.length.min})`);
        }
        if (c.pattern) conds.push(`!${this.regex(c.pattern)}.test(${x})`);
        return [`if (${conds.join(' || ')}) ${fail()}`];
      }
      case 'enum':
        return [`if (typeof ${x} !== 'string' || !${this.enumSet(id)}.has(${x})) ${fail()}`];
      case 'integer':
      case 'long': {
        const isInt = shape.type === 'long' ? 'Number.isSafeInteger' : 'Number.isInteger';
        const conds = [`typeof ${x} !== 'number'`, `!${isInt}(${x})`];
        const min = c.range?.min ?? (shape.type === 'integer' ? INT32_MIN : undefined);
        const max = c.range?.max ?? (shape.type === 'integer' ? INT32_MAX : undefined);
        if (min !== undefined) conds.push(`${x} < ${min}`);
        if (max !== undefined) conds.push(`${x} > ${max}`);
        return [`if (${conds.join(' || ')}) ${fail()}`];
      }
      case 'double': {
        const conds = [`typeof ${x} !== 'number'`, `!Number.isFinite(${x})`];
        if (c.range?.min !== undefined) conds.push(`${x} < ${c.range.min}`);
        if (c.range?.max !== undefined) conds.push(`${x} > ${c.range.max}`);
        return [`if (${conds.join(' || ')}) ${fail()}`];
      }
      case 'boolean':
        return [`if (typeof ${x} !== 'boolean') ${fail()}`];
      case 'timestamp':
        return [`if (typeof ${x} !== 'number' || !Number.isFinite(${x})) ${fail()}`];
      case 'document':
        // Any JSON value. A document's content is checked by the layer that knows its meaning
        // (the matter package for Matter attributes).
        return [];
      case 'list':
      case 'map':
      case 'structure':
        if (shape.type === 'structure' && Object.keys(shape.members ?? {}).length === 0) {
          return [
            `if (typeof ${x} !== 'object' || ${x} === null || Array.isArray(${x})) ${fail()}`,
          ];
        }
        return [`${this.fn(id, sensitive)}(${x}, ${path}, out);`];
      default:
        throw new Error(`smithy: unsupported shape type ${shape.type} (${id})`);
    }
  }

  private aggregateFunction(id: string, sensitive: boolean): string {
    const shape = resolveShape(this.model, id);
    const name = `v${localName(id)}${sensitive ? '$s' : ''}`;
    const received = sensitive ? 'REDACTED' : 'v';
    const head = `function ${name}(v: unknown, p: string, out: ValidationIssue[]): void {`;
    const fail = (text: string) =>
      `out.push({ path: p, message: ${this.message(text)}, received: ${received} });`;
    const body: string[] = [];
    const c = constraintsOf(shape);
    if (shape.type === 'structure') {
      body.push(`if (typeof v !== 'object' || v === null || Array.isArray(v)) {`);
      body.push(`  ${fail(this.expectation(id))}`);
      body.push('  return;');
      body.push('}');
      body.push('const o = v as Record<string, unknown>;');
      const members = Object.entries(shape.members ?? {});
      if (members.length > 0) body.push('let x: unknown;');
      for (const [memberName, member] of members) {
        const path = `at(p, ${JSON.stringify(memberName)})`;
        body.push(`x = ${prop('o', memberName)};`);
        const checks = this.check(member.target, member, 'x', path, sensitive);
        const required = hasTrait(member.traits, 'required');
        // null is how JSON writers spell "absent" for optional members; restJson1 skips it.
        if (required) {
          const expectation = this.expectation(member.target, member);
          // A document's null is a JSON value, not an absent member.
          const isDocument = resolveShape(this.model, member.target).type === 'document';
          body.push(isDocument ? 'if (x === undefined) {' : 'if (x === undefined || x === null) {');
          body.push(
            `  missing(o, p, ${JSON.stringify(memberName)}, ${this.message(`required: ${expectation}`)}, out);`,
          );
          if (checks.length > 0) {
            body.push('} else {');
            for (const line of checks) body.push(`  ${line}`);
          }
          body.push('}');
        } else if (checks.length > 0) {
          body.push(`if (x !== undefined && x !== null) {`);
          for (const line of checks) body.push(`  ${line}`);
          body.push('}');
        }
      }
    } else if (shape.type === 'list') {
      const member = shape.member;
      if (!member) throw new Error(`smithy: list without member ${id}`);
      body.push('if (!Array.isArray(v)) {');
      body.push(`  ${fail(this.expectation(id))}`);
      body.push('  return;');
      body.push('}');
      const conds: string[] = [];
      if (c.length?.min !== undefined && c.length.min > 0) conds.push(`v.length < ${c.length.min}`);
      if (c.length?.max !== undefined) conds.push(`v.length > ${c.length.max}`);
      if (conds.length > 0) {
        body.push(
          `if (${conds.join(' || ')}) out.push({ path: p, message: ${this.message(this.expectation(id))}, received: ${sensitive ? 'REDACTED' : 'v.length'} });`,
        );
      }
      const checks = this.check(member.target, member, 'x', 'p + "[" + i + "]"', sensitive);
      if (checks.length > 0) {
        body.push('for (let i = 0; i < v.length; i++) {');
        body.push('  const x: unknown = v[i];');
        // Non-sparse list: null is an error, reported by the item check.
        for (const line of checks) body.push(`  ${line}`);
        body.push('}');
      }
    } else if (shape.type === 'map') {
      const keyMember = shape.key;
      const valueMember = shape.value;
      if (!keyMember || !valueMember) throw new Error(`smithy: map without key/value ${id}`);
      body.push(`if (typeof v !== 'object' || v === null || Array.isArray(v)) {`);
      body.push(`  ${fail(this.expectation(id))}`);
      body.push('  return;');
      body.push('}');
      body.push('const o = v as Record<string, unknown>;');
      body.push('let n = 0;');
      body.push('for (const k in o) {');
      body.push('  n++;');
      const keyChecks = this.check(
        keyMember.target,
        keyMember,
        'k',
        'at(p, k)',
        sensitive,
        'map key: ',
      ).map((line) => line.replace(`typeof k !== 'string' || `, ''));
      for (const line of keyChecks) body.push(`  ${line}`);
      const valueChecks = this.check(valueMember.target, valueMember, 'x', 'at(p, k)', sensitive);
      if (valueChecks.length > 0) {
        body.push('  const x: unknown = o[k];');
        for (const line of valueChecks) body.push(`  ${line}`);
      }
      body.push('}');
      const conds: string[] = [];
      if (c.length?.min !== undefined && c.length.min > 0) conds.push(`n < ${c.length.min}`);
      if (c.length?.max !== undefined) conds.push(`n > ${c.length.max}`);
      if (conds.length > 0) {
        body.push(
          `if (${conds.join(' || ')}) out.push({ path: p, message: ${this.message(this.expectation(id))}, received: ${sensitive ? 'REDACTED' : 'n'} });`,
        );
      }
    } else {
      throw new Error(`smithy: not an aggregate ${id}`);
    }
    return [head, ...body.map((l) => `  ${l}`), '}'].join('\n');
  }
}
