/**
 * Systematic mutations derived from the model: for the official examples and for a "full" valid
 * instance of every operation input and output, each constraint is violated once and the
 * validator must report exactly that path.
 */

import {
  applyMutation,
  arbitraryFor,
  constrainedShapes,
  type Mutation,
  mutations,
  operation,
} from '@c2c-kit/testing/smithy-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MODEL_EXAMPLES,
  OPERATIONS,
  REDACTED,
  validateOperationInput,
  validateOperationOutput,
} from '../src/index.js';

type Target = { name: string; kind: 'input' | 'output'; shapeId: string; value: unknown };

const validate = (t: Target, v: unknown) =>
  t.kind === 'input' ? validateOperationInput(t.name, v) : validateOperationOutput(t.name, v);

function targets(): Target[] {
  const out: Target[] = [];
  for (const ex of MODEL_EXAMPLES) {
    const op = operation(ex.operation);
    if (ex.input)
      out.push({
        name: ex.operation,
        kind: 'input',
        shapeId: op.input?.target as string,
        value: ex.input,
      });
    if (ex.output)
      out.push({
        name: ex.operation,
        kind: 'output',
        shapeId: op.output?.target as string,
        value: ex.output,
      });
  }
  for (const name of Object.keys(OPERATIONS)) {
    const op = operation(name);
    for (const kind of ['input', 'output'] as const) {
      const shapeId = op[kind]?.target ?? 'smithy.api#Unit';
      const [value] = fc.sample(arbitraryFor(shapeId, undefined, { full: true }), {
        numRuns: 1,
        seed: 42,
      });
      out.push({ name, kind, shapeId, value });
    }
  }
  return out;
}

function check(t: Target, m: Mutation): string | undefined {
  const mutated = applyMutation(t.value, m);
  const result = validate(t, mutated);
  if (result.ok) return `${m.what} at ${m.path}: accepted`;
  const paths = result.issues.map((i) => i.path);
  if (paths.length !== 1 || paths[0] !== m.path) {
    return `${m.what} at ${m.path}: got ${JSON.stringify(paths)}`;
  }
  const issue = result.issues[0];
  if (m.sensitive && issue && 'received' in issue && issue.received !== REDACTED) {
    return `${m.what} at ${m.path}: sensitive value not redacted`;
  }
  if (!issue?.message || issue.message.length < 8) return `${m.what} at ${m.path}: empty message`;
  return undefined;
}

describe('one-constraint mutations', () => {
  const all = targets();

  it('the mutation seeds are valid', () => {
    for (const t of all) {
      const r = validate(t, t.value);
      expect(r.ok ? 'ok' : JSON.stringify(r.issues), `${t.name} ${t.kind}`).toBe('ok');
    }
  });

  it.each(all.map((t, i) => [`${t.name} ${t.kind} #${i}`, t] as const))('%s', (_n, t) => {
    const ms = mutations(t.shapeId, t.value);
    expect(ms.length).toBeGreaterThan(0);
    const failures = ms.map((m) => check(t, m)).filter((f) => f !== undefined);
    expect(failures).toEqual([]);
  });

  it('covers every kind of constraint', () => {
    const kinds = new Set<string>();
    for (const t of all)
      for (const m of mutations(t.shapeId, t.value)) kinds.add(m.what.replace(/ by .*/, ''));
    for (const k of [
      'required member removed',
      'shorter than min',
      'longer than max',
      'pattern broken',
      'not an enum value',
      'below min',
      'above max',
      'fewer items than min',
      'more items than max',
      'map key breaks pattern',
      'more entries than max',
      'not an object',
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it('reaches every constrained shape of every operation input and output', () => {
    const roots = Object.keys(OPERATIONS).flatMap((name) => {
      const op = operation(name);
      return [op.input?.target as string, op.output?.target ?? 'smithy.api#Unit'];
    });
    const touched = new Set<string>();
    for (const t of all) for (const m of mutations(t.shapeId, t.value)) touched.add(m.shape);
    const missed = [...constrainedShapes(roots)].filter((id) => !touched.has(id));
    expect(missed).toEqual([]);
  });
});
