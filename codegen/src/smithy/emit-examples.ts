/** Emits `generated/examples.ts`: the model's `smithy.api#examples` for every operation (for tests). */
import type { Closure } from './closure.js';
import { trait } from './model.js';

export function emitExamples(closure: Closure, banner: string): string {
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
