/** Emits `generated/types.ts`: wire types of every shape the operations reach. */
import type { Closure } from './closure.js';
import { isSensitive } from './constraints.js';
import { docBlock, key, typeName } from './emit-util.js';
import {
  hasTrait,
  localName,
  NAMESPACE,
  plainDoc,
  resolveShape,
  type SmithyModel,
  trait,
} from './model.js';
import type { Emitter } from './validator-emitter.js';

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

export function emitTypes(
  model: SmithyModel,
  closure: Closure,
  emitter: Emitter,
  banner: string,
): string {
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
