/** Emits `generated/errors.ts`: one exception class per modelled error. */
import type { Closure } from './closure.js';
import { docBlock } from './emit-util.js';
import { localName, plainDoc, resolveShape, type SmithyModel, trait } from './model.js';

export function emitErrors(model: SmithyModel, closure: Closure, banner: string): string {
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
