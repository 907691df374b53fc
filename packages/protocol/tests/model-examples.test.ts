/**
 * Every official example of the Smithy model (`smithy.api#examples`) for the generated operations
 * validates: inputs, outputs and error bodies.
 */

import { NS, operation } from '@c2c-kit/testing/smithy-model';
import { describe, expect, it } from 'vitest';
import * as generated from '../src/generated/validators.js';
import {
  formatIssue,
  MODEL_EXAMPLES,
  OPERATIONS,
  validateOperationInput,
  validateOperationOutput,
} from '../src/index.js';

type Validator = (value: unknown) => {
  ok: boolean;
  issues?: readonly { path: string; message: string }[];
};

function render(result: ReturnType<Validator>): string {
  return result.ok ? 'ok' : (result.issues ?? []).map((i) => formatIssue(i)).join('\n');
}

describe('model examples', () => {
  it('covers every generated operation that has examples in the model', () => {
    const withExamples = Object.keys(OPERATIONS).filter(
      (name) => (operation(name).traits?.['smithy.api#examples'] as unknown[] | undefined)?.length,
    );
    const covered = new Set(MODEL_EXAMPLES.map((e) => e.operation));
    expect([...covered].sort()).toEqual(withExamples.sort());
    expect(MODEL_EXAMPLES.length).toBeGreaterThanOrEqual(19);
  });

  it.each(MODEL_EXAMPLES.map((e) => [`${e.operation}: ${e.title}`, e] as const))(
    '%s',
    (_title, example) => {
      const input = validateOperationInput(example.operation, example.input ?? {});
      expect(render(input)).toBe('ok');
      if (example.output) {
        expect(render(validateOperationOutput(example.operation, example.output))).toBe('ok');
      }
      if (example.error) {
        const name = example.error.shapeId.replace(NS, '');
        expect(OPERATIONS[example.operation as keyof typeof OPERATIONS].errors).toContain(name);
        const validate = (generated as unknown as Record<string, Validator>)[`validate${name}Body`];
        expect(validate).toBeTypeOf('function');
        expect(render((validate as Validator)(example.error.content ?? {}))).toBe('ok');
      }
    },
  );
});
