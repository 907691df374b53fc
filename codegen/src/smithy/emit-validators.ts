/** Emits `generated/validators.ts`: a validator per structure, the operation table and the
 * constraints of named string shapes. */
import type { Closure } from './closure.js';
import { constraintsOf, isSensitive } from './constraints.js';
import { typeName } from './emit-util.js';
import { localName, NAMESPACE, resolveShape, type SmithyModel } from './model.js';
import { Emitter } from './validator-emitter.js';

export function emitValidators(model: SmithyModel, closure: Closure, banner: string): string {
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
