/**
 * Smithy → `packages/protocol/src/generated/`: wire types, straight-line validators, HTTP bindings
 * as data and error classes for the operations c2c-kit uses.
 *
 * Validators are emitted as plain code (one function per aggregate shape, primitive checks inlined,
 * regexes and messages hoisted to module constants) rather than interpreted from a schema at run
 * time: the emulator and the connector validate every event, so this path has to be cheap.
 */
import {
  hasTrait,
  type LoadedModel,
  loadModel,
  localName,
  MODEL_FILE,
  NAMESPACE,
  plainDoc,
  resolveShape,
  type SmithyMember,
  type SmithyModel,
  type SmithyShape,
  trait,
} from './model.js';

/**
 * Every operation of the service, in model order of names: protocol types, validates and binds all
 * of them, so the emulator can route each one (a 4xx for invalid input, 501 for valid input to an
 * operation it does not implement) and `c2c validate` knows every input. Bundles stay small because
 * each operation's bindings and validators are separate constants that a bundler drops when unused.
 */
export function modelOperations(model: SmithyModel): string[] {
  return Object.entries(model.shapes)
    .filter(([id, shape]) => shape.type === 'operation' && id.startsWith(`${NAMESPACE}#`))
    .map(([id]) => localName(id))
    .sort();
}

const OUT_DIR = 'packages/protocol/src/generated';
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const IDENT = /^[A-Za-z_$][\w$]*$/;
const prop = (obj: string, name: string): string =>
  IDENT.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
const key = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name));
const sid = (name: string): string => `${NAMESPACE}#${name}`;

// ---------------------------------------------------------------------------------------------
// Closure and naming

interface Closure {
  readonly operations: ReadonlyArray<{ name: string; shape: SmithyShape }>;
  /** Every shape id reachable from the operations (inputs, outputs, errors), sorted. */
  readonly shapes: readonly string[];
  readonly errors: readonly string[];
}

function computeClosure(model: SmithyModel): Closure {
  const seen = new Set<string>();
  const errors = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const shape = resolveShape(model, id);
    for (const m of Object.values(shape.members ?? {})) if (shape.type !== 'enum') visit(m.target);
    if (shape.member) visit(shape.member.target);
    if (shape.key) visit(shape.key.target);
    if (shape.value) visit(shape.value.target);
  };
  const operations = modelOperations(model).map((name) => {
    const shape = model.shapes[sid(name)];
    if (shape?.type !== 'operation') throw new Error(`smithy: operation ${name} not in model`);
    visit(shape.input?.target ?? 'smithy.api#Unit');
    visit(shape.output?.target ?? 'smithy.api#Unit');
    for (const e of shape.errors ?? []) {
      visit(e.target);
      errors.add(e.target);
    }
    return { name, shape };
  });
  return {
    operations,
    shapes: [...seen].sort(),
    errors: [...errors].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Constraints in words

interface Constraints {
  readonly length?: { min?: number; max?: number };
  readonly range?: { min?: number; max?: number };
  readonly pattern?: string;
}

function constraintsOf(shape: SmithyShape, member?: SmithyMember): Constraints {
  const t = { ...(shape.traits ?? {}), ...(member?.traits ?? {}) };
  const out: { length?: Constraints['length']; range?: Constraints['range']; pattern?: string } =
    {};
  const length = trait<{ min?: number; max?: number }>(t, 'length');
  if (length) out.length = length;
  const range = trait<{ min?: number; max?: number }>(t, 'range');
  if (range) out.range = range;
  const pattern = trait<string>(t, 'pattern');
  if (pattern) out.pattern = pattern;
  return out;
}

function isSensitive(shape: SmithyShape, member?: SmithyMember): boolean {
  return hasTrait(shape.traits, 'sensitive') || hasTrait(member?.traits, 'sensitive');
}

function boundsWords(b: { min?: number; max?: number }, unit: string, units: string): string {
  const u = (n: number): string => (n === 1 ? unit : units);
  if (b.min !== undefined && b.max !== undefined) {
    return b.min === b.max ? `exactly ${b.min} ${u(b.min)}` : `${b.min}–${b.max} ${units}`;
  }
  if (b.min !== undefined) return `at least ${b.min} ${u(b.min)}`;
  if (b.max !== undefined) return `at most ${b.max} ${u(b.max)}`;
  return '';
}

function rangeWords(r: { min?: number; max?: number } | undefined): string {
  if (r === undefined) return '';
  if (r.min !== undefined && r.max !== undefined) return ` ${r.min}–${r.max}`;
  if (r.min !== undefined) return ` ≥ ${r.min}`;
  if (r.max !== undefined) return ` ≤ ${r.max}`;
  return '';
}

/**
 * Patterns whose regex reads worse than words. Keyed by the exact model pattern, so a model change
 * falls back to printing the regex rather than a stale description.
 */
const PATTERN_WORDS: Record<string, (noun: string) => string> = {
  '^0[xX][0-9a-fA-F]+$|^[0-9]+$': (noun) => `hex "0x…" or decimal ${noun}`,
  '^1\\.0\\.0$': () => '"1.0.0"',
};

/** `MatterAttributeId` → `attribute id`, `ClusterId` → `cluster id`. */
function nounOf(id: string): string {
  return localName(id)
    .replace(/^Matter/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Emission helpers

class Emitter {
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

// ---------------------------------------------------------------------------------------------
// Types

/** Error structures share their name with the generated exception class, so the body type is `XBody`. */
function typeName(id: string, errors: ReadonlySet<string>): string {
  return errors.has(id) ? `${localName(id)}Body` : localName(id);
}

function typeExpr(model: SmithyModel, id: string, errors: ReadonlySet<string>): string {
  const shape = resolveShape(model, id);
  switch (shape.type) {
    case 'string':
      return 'string';
    case 'enum':
      return localName(id);
    case 'integer':
    case 'long':
    case 'double':
    case 'timestamp':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'document':
      return 'DocumentValue';
    case 'list':
      return `Array<${typeExpr(model, shape.member?.target ?? '', errors)}>`;
    case 'map':
      return `Record<string, ${typeExpr(model, shape.value?.target ?? '', errors)}>`;
    case 'structure':
      if (id === 'smithy.api#Unit') return 'Record<string, never>';
      return typeName(id, errors);
    default:
      throw new Error(`smithy: unsupported shape type ${shape.type} (${id})`);
  }
}

function docBlock(lines: string[], indent = ''): string[] {
  const text = lines.filter((l) => l !== '');
  if (text.length === 0) return [];
  if (text.length === 1) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((l) => `${indent} * ${l}`), `${indent} */`];
}

function emitTypes(model: SmithyModel, closure: Closure, emitter: Emitter, banner: string): string {
  const errors = new Set(closure.errors);
  const out: string[] = [banner, ''];
  out.push(
    '/** Any JSON value: the wire form of a Smithy `document`. */',
    'export type DocumentValue =',
    '  | null',
    '  | boolean',
    '  | number',
    '  | string',
    '  | DocumentValue[]',
    '  | { [key: string]: DocumentValue };',
    '',
  );
  for (const id of closure.shapes) {
    if (!id.startsWith(`${NAMESPACE}#`)) continue;
    const shape = resolveShape(model, id);
    const name = localName(id);
    if (shape.type === 'enum') {
      out.push(...docBlock([plainDoc(shape.traits)]));
      out.push(`export const ${name} = {`);
      for (const [memberName, m] of Object.entries(shape.members ?? {})) {
        out.push(`  ${key(memberName)}: ${JSON.stringify(trait<string>(m.traits, 'enumValue'))},`);
      }
      out.push('} as const;');
      out.push(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`, '');
    } else if (shape.type === 'structure') {
      const tn = typeName(id, errors);
      out.push(...docBlock([plainDoc(shape.traits)]));
      const members = Object.entries(shape.members ?? {});
      if (members.length === 0) {
        out.push(`export type ${tn} = Record<string, never>;`, '');
        continue;
      }
      out.push(`export interface ${tn} {`);
      for (const [memberName, m] of members) {
        const target = resolveShape(model, m.target);
        const expectation = ['structure', 'list', 'map', 'document'].includes(target.type)
          ? ''
          : emitter.expectation(m.target, m).replace(/^expected /, 'Wire: ');
        const flags = [
          isSensitive(target, m) ? 'Sensitive.' : '',
          hasTrait(m.traits, 'deprecated') || hasTrait(target.traits, 'deprecated')
            ? '@deprecated'
            : '',
        ];
        out.push(...docBlock([plainDoc(m.traits, 200), expectation, ...flags], '  '));
        const optional = hasTrait(m.traits, 'required') ? '' : '?';
        out.push(`  ${key(memberName)}${optional}: ${typeExpr(model, m.target, errors)};`);
      }
      out.push('}', '');
    }
  }
  out.push('/** Input and output type of every generated operation, by operation name. */');
  out.push('export interface OperationShapes {');
  for (const op of closure.operations) {
    const input = typeExpr(model, op.shape.input?.target ?? 'smithy.api#Unit', errors);
    const output = typeExpr(model, op.shape.output?.target ?? 'smithy.api#Unit', errors);
    out.push(`  ${op.name}: { input: ${input}; output: ${output} };`);
  }
  out.push('}', '');
  // Request/Response aliases for operations whose model names differ (Unit outputs).
  for (const op of closure.operations) {
    const input = localName(op.shape.input?.target ?? '');
    const output = localName(op.shape.output?.target ?? 'smithy.api#Unit');
    if (input !== `${op.name}Request`) {
      out.push(`export type ${op.name}Request = OperationShapes['${op.name}']['input'];`);
    }
    if (output !== `${op.name}Response`) {
      out.push(`export type ${op.name}Response = OperationShapes['${op.name}']['output'];`);
    }
  }
  out.push(
    '',
    '/** Names of the operations with generated types, validators and HTTP bindings. */',
    'export type OperationName = keyof OperationShapes;',
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Validators

function emitValidators(model: SmithyModel, closure: Closure, banner: string): string {
  const errors = new Set(closure.errors);
  const emitter = new Emitter(model);
  const exported: string[] = [];
  const checkers: string[] = [];
  const names = new Map<string, string>();
  for (const id of closure.shapes) {
    const shape = resolveShape(model, id);
    if (shape.type !== 'structure' || !id.startsWith(`${NAMESPACE}#`)) continue;
    const tn = typeName(id, errors);
    const fname = `validate${tn}`;
    names.set(id, fname);
    const members = Object.keys(shape.members ?? {}).length;
    const inner =
      members === 0
        ? `if (typeof value !== 'object' || value === null || Array.isArray(value)) out.push({ path: '', message: ${emitter.message(emitter.expectation(id))}, received: value });`
        : `${emitter.fn(id, isSensitive(shape))}(value, '', out);`;
    if (members > 0) {
      checkers.push(
        `/** Checks a \`${tn}\` nested at \`path\`, appending issues to \`out\` (for hand-written validators). */`,
        `export const check${tn}: (value: unknown, path: string, out: ValidationIssue[]) => void = ${emitter.fn(id, isSensitive(shape))};`,
      );
    }
    exported.push(
      `/** Validates a \`${tn}\` value; collects every issue. */`,
      `export function ${fname}(value: unknown): Result<T.${tn}> {`,
      '  const out: ValidationIssue[] = [];',
      `  ${inner}`,
      `  return out.length === 0 ? { ok: true, value: value as T.${tn} } : { ok: false, issues: out };`,
      '}',
      '',
    );
  }
  exported.push(
    '/** Validates an empty (Unit) output: any JSON object. */',
    'export function validateUnit(value: unknown): Result<Record<string, never>> {',
    "  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {",
    '    return { ok: true, value: value as Record<string, never> };',
    '  }',
    `  return { ok: false, issues: [{ path: '', message: ${emitter.message('expected an object')}, received: value }] };`,
    '}',
    '',
  );
  const aliases: string[] = [];
  const table: string[] = [
    '/** Input/output validators of every generated operation (model names kept). */',
    'export const OPERATION_VALIDATORS: {',
    '  readonly [K in T.OperationName]: {',
    "    readonly input: (value: unknown) => Result<T.OperationShapes[K]['input']>;",
    "    readonly output: (value: unknown) => Result<T.OperationShapes[K]['output']>;",
    '  };',
    '} = {',
  ];
  for (const op of closure.operations) {
    const inputId = op.shape.input?.target ?? 'smithy.api#Unit';
    const outputId = op.shape.output?.target ?? 'smithy.api#Unit';
    const inFn = names.get(inputId) ?? 'validateUnit';
    const outFn = names.get(outputId) ?? 'validateUnit';
    if (inFn !== `validate${op.name}Request`) {
      aliases.push(`export const validate${op.name}Request = ${inFn};`);
    }
    if (outFn !== `validate${op.name}Response`) {
      aliases.push(`export const validate${op.name}Response = ${outFn};`);
    }
    table.push(`  ${op.name}: { input: ${inFn}, output: ${outFn} },`);
  }
  table.push('};', '');
  emitter.drain();
  // Before header(): registers the regexes the constraint table refers to.
  const strings = stringConstraints(model, closure, emitter);
  const fns = [...emitter.functions.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [
    banner,
    '',
    "import { at, codePoints, LazyPattern, missing, type Pattern, REDACTED } from '../validate-runtime.js';",
    "import type { Result, ValidationIssue } from '../result.js';",
    "import type * as T from './types.js';",
    '',
    ...emitter.header(),
    '',
    ...fns.map(([, code]) => `${code}\n`),
    ...exported,
    ...aliases,
    '',
    ...checkers,
    '',
    ...strings,
    '',
    ...table,
  ];
  return lines.join('\n');
}

/**
 * Constraints of every named string shape in the closure, for hand-written validators (invoke
 * envelopes echo `ConnectorDeviceId`, `TraceId`, … and must not copy the model's rules by hand).
 */
function stringConstraints(model: SmithyModel, closure: Closure, emitter: Emitter): string[] {
  const lines = [
    '/** A named string shape of the model: its constraints and the message that states them. */',
    'export interface StringConstraint {',
    '  readonly min?: number;',
    '  readonly max?: number;',
    '  readonly pattern?: Pattern;',
    '  readonly sensitive: boolean;',
    '  /** The constraint in words: `expected 1–64 characters matching ^[A-Za-z0-9-_]+$`. */',
    '  readonly message: string;',
    '}',
    '',
  ];
  // One constant per shape (`TraceIdShape`), so code that names a few shapes bundles only those;
  // STRING_SHAPES is the table of all of them.
  const table = [
    '/** Named string shapes of the model with their constraints, by shape name. */',
    'export const STRING_SHAPES = {',
  ];
  for (const id of closure.shapes) {
    const shape = resolveShape(model, id);
    if (shape.type !== 'string' || !id.startsWith(`${NAMESPACE}#`)) continue;
    const c = constraintsOf(shape);
    const parts: string[] = [];
    if (c.length?.min !== undefined) parts.push(`min: ${c.length.min}`);
    if (c.length?.max !== undefined) parts.push(`max: ${c.length.max}`);
    if (c.pattern) parts.push(`pattern: ${emitter.regex(c.pattern)}`);
    parts.push(`sensitive: ${isSensitive(shape)}`);
    parts.push(`message: ${JSON.stringify(emitter.expectation(id))}`);
    lines.push(
      `export const ${localName(id)}Shape = { ${parts.join(', ')} } as const satisfies StringConstraint;`,
    );
    table.push(`  ${localName(id)}: ${localName(id)}Shape,`);
  }
  lines.push('', ...table, '} as const satisfies Record<string, StringConstraint>;', '');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// HTTP bindings and errors

interface HttpTrait {
  method: string;
  uri: string;
  code?: number;
}

function emitOperations(model: SmithyModel, closure: Closure, banner: string): string {
  const out: string[] = [
    banner,
    '',
    "import type { ErrorShapeInfo, OperationBinding } from '../bindings.js';",
    '',
  ];
  const table: string[] = [
    '/** HTTP bindings (restJson1) of every generated operation, as data. */',
    'export const OPERATIONS = {',
  ];
  for (const op of closure.operations) {
    const http = trait<HttpTrait>(op.shape.traits, 'http');
    if (!http) throw new Error(`smithy: ${op.name} has no @http`);
    const input = resolveShape(model, op.shape.input?.target ?? 'smithy.api#Unit');
    const path: string[] = [];
    const query: Array<{ member: string; name: string; type: string }> = [];
    const header: Array<{ member: string; name: string; type: string }> = [];
    const body: string[] = [];
    let payload: string | undefined;
    let token: string | undefined;
    const required: string[] = [];
    for (const [memberName, m] of Object.entries(input.members ?? {})) {
      const type = resolveShape(model, m.target).type;
      if (hasTrait(m.traits, 'required')) required.push(memberName);
      if (hasTrait(m.traits, 'idempotencyToken')) token = memberName;
      if (hasTrait(m.traits, 'httpLabel')) path.push(memberName);
      else if (hasTrait(m.traits, 'httpQuery')) {
        query.push({ member: memberName, name: trait<string>(m.traits, 'httpQuery') ?? '', type });
      } else if (hasTrait(m.traits, 'httpHeader')) {
        header.push({
          member: memberName,
          name: trait<string>(m.traits, 'httpHeader') ?? '',
          type,
        });
      } else if (hasTrait(m.traits, 'httpPayload')) payload = memberName;
      else body.push(memberName);
    }
    const paginated = trait<Record<string, string>>(op.shape.traits, 'paginated');
    const entry = {
      name: op.name,
      method: http.method,
      uri: http.uri,
      successCode: http.code ?? 200,
      pathMembers: path,
      queryMembers: query.map((q) => q.member),
      headerMembers: header.map((h) => h.member),
      bodyMembers: body,
      payloadMember: payload ?? null,
      queryBindings: query,
      headerBindings: header,
      requiredMembers: required,
      idempotencyToken: token ?? null,
      idempotent: hasTrait(op.shape.traits, 'idempotent'),
      readonly: hasTrait(op.shape.traits, 'readonly'),
      paginated: paginated ?? null,
      inputShape: localName(op.shape.input?.target ?? 'smithy.api#Unit'),
      outputShape: localName(op.shape.output?.target ?? 'smithy.api#Unit'),
      errors: (op.shape.errors ?? []).map((e) => localName(e.target)),
    };
    // One constant per operation, so a bundle that names a few operations' bindings carries
    // only those (an object-literal table cannot be tree-shaken by property).
    const doc = plainDoc(op.shape.traits, 160);
    if (doc) out.push(`/** ${doc} */`);
    out.push(
      `export const ${op.name}Binding = ${JSON.stringify(entry, null, 2)} as const satisfies OperationBinding;`,
      '',
    );
    table.push(`  ${op.name}: ${op.name}Binding,`);
  }
  out.push(
    ...table,
    '} as const satisfies Record<string, OperationBinding>;',
    '',
    '/** Modelled errors: HTTP status, fault and retry class (see bindings.ts for the retry rule). */',
    'export const ERROR_SHAPES = {',
  );
  for (const id of closure.errors) {
    const shape = resolveShape(model, id);
    const status = trait<number>(shape.traits, 'httpError') ?? 0;
    const fault = trait<string>(shape.traits, 'error') ?? 'client';
    const retryableTrait = trait<{ throttling?: boolean }>(shape.traits, 'retryable');
    // The model carries no @retryable; fall back to the AWS SDK standard retry classification
    // (429 throttling; 500/502/503/504 transient), which is what real clients do.
    const throttling = retryableTrait?.throttling === true || status === 429;
    const retryable =
      retryableTrait !== undefined || throttling || [500, 502, 503, 504].includes(status);
    const entry = {
      name: localName(id),
      httpStatus: status,
      fault,
      retryable,
      throttling,
      retryableFrom: retryableTrait ? 'model' : 'sdk-standard-retry',
      members: Object.keys(shape.members ?? {}).filter((m) => m !== 'Message'),
    };
    out.push(`  ${localName(id)}: ${JSON.stringify(entry)},`);
  }
  out.push(
    '} as const satisfies Record<string, ErrorShapeInfo>;',
    '',
    '/** Name of a modelled error shape. */',
    'export type ErrorShapeName = keyof typeof ERROR_SHAPES;',
    '',
  );
  return out.join('\n');
}

function emitErrors(model: SmithyModel, closure: Closure, banner: string): string {
  const out: string[] = [
    banner,
    '',
    "import { ServiceException } from '../service-exception.js';",
    "import type * as T from './types.js';",
    '',
  ];
  const names: string[] = [];
  for (const id of closure.errors) {
    const shape = resolveShape(model, id);
    const name = localName(id);
    names.push(name);
    const status = trait<number>(shape.traits, 'httpError') ?? 0;
    const extra = Object.keys(shape.members ?? {}).filter((m) => m !== 'Message');
    const doc = plainDoc(shape.traits, 200);
    out.push(...docBlock([doc, `HTTP ${status}.`]));
    out.push(`export class ${name} extends ServiceException {`);
    for (const m of extra) out.push(`  readonly ${m}: string | undefined;`);
    out.push(
      `  constructor(message = '', members: Omit<T.${name}Body, 'Message'> = {}, options?: { requestId?: string | undefined; cause?: unknown }) {`,
      `    super({ name: '${name}', message, statusCode: ${status} }, options);`,
    );
    for (const m of extra) out.push(`    this.${m} = members.${m};`);
    out.push('  }');
    if (extra.length > 0) {
      out.push(
        '  override get members(): Record<string, unknown> {',
        `    return { ${extra.map((m) => `${m}: this.${m}`).join(', ')} };`,
        '  }',
      );
    }
    out.push('}', '');
  }
  out.push(
    '/** Constructors of the modelled errors, by wire name. */',
    'export const ERROR_CLASSES = {',
    ...names.map((n) => `  ${n},`),
    '} as const;',
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Examples (for tests) — the model's `smithy.api#examples` for every operation

function emitExamples(closure: Closure, banner: string): string {
  const examples: unknown[] = [];
  for (const op of closure.operations) {
    const list = trait<Array<Record<string, unknown>>>(op.shape.traits, 'examples') ?? [];
    for (const ex of list) examples.push({ operation: op.name, ...ex });
  }
  return [
    banner,
    '',
    '/** One `smithy.api#examples` entry of a generated operation, verbatim from the model. */',
    'export interface ModelExample {',
    '  readonly operation: string;',
    '  readonly title: string;',
    '  readonly documentation?: string;',
    '  readonly input?: Record<string, unknown>;',
    '  readonly output?: Record<string, unknown>;',
    '  readonly error?: { readonly shapeId: string; readonly content?: Record<string, unknown> };',
    '  readonly allowConstraintErrors?: boolean;',
    '}',
    '',
    `export const MODEL_EXAMPLES: readonly ModelExample[] = ${JSON.stringify(examples, null, 2)};`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

function bannerFor(loaded: LoadedModel): string {
  return [
    '// GENERATED by codegen/src/smithy/generate-protocol.ts — do not edit; run `npm run gen`.',
    `// Input: ${MODEL_FILE} (sha256 ${loaded.sha256}).`,
    '/* eslint-disable */',
  ].join('\n');
}

export async function generate(): Promise<Map<string, string>> {
  const loaded = await loadModel();
  const { model } = loaded;
  const closure = computeClosure(model);
  const banner = bannerFor(loaded);
  const files = new Map<string, string>();
  const docEmitter = new Emitter(model);
  files.set(`${OUT_DIR}/types.ts`, emitTypes(model, closure, docEmitter, banner));
  files.set(`${OUT_DIR}/validators.ts`, emitValidators(model, closure, banner));
  files.set(`${OUT_DIR}/operations.ts`, emitOperations(model, closure, banner));
  files.set(`${OUT_DIR}/errors.ts`, emitErrors(model, closure, banner));
  files.set(`${OUT_DIR}/examples.ts`, emitExamples(closure, banner));
  return files;
}

/** Counts used by the ratchet test. */
export async function counts(): Promise<{ operations: number; shapes: number; errors: number }> {
  const { model } = await loadModel();
  const closure = computeClosure(model);
  return {
    operations: closure.operations.length,
    shapes: closure.shapes.length,
    errors: closure.errors.length,
  };
}
