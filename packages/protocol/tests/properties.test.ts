/**
 * Property-based tests with arbitraries derived from the model: random valid payloads validate;
 * random mutations never throw and always yield well-formed issues; parseJson never throws.
 */

import { arbitraryFor, operation } from '@c2c-kit/testing/smithy-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OPERATIONS,
  parseJson,
  validateConnectorInvocation,
  validateNotification,
  validateOperationInput,
  validateOperationOutput,
} from '../src/index.js';

const NAMES = Object.keys(OPERATIONS);
const RUNS = { numRuns: 15, seed: 20261126 };

/** Replaces a random node of a JSON-like value by a random value. */
function mutate(value: unknown, picks: number[], replacement: unknown): unknown {
  if (picks.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const [pick, ...rest] = picks as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const copy = value.slice();
    const i = pick % value.length;
    copy[i] = mutate(copy[i], rest, replacement);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const k = keys[pick % keys.length] as string;
  return { ...value, [k]: mutate((value as Record<string, unknown>)[k], rest, replacement) };
}

const wellFormed = (r: { ok: boolean; issues?: readonly { path: unknown; message: unknown }[] }) =>
  r.ok ||
  (r.issues !== undefined &&
    r.issues.length > 0 &&
    r.issues.every(
      (i) => typeof i.path === 'string' && typeof i.message === 'string' && i.message !== '',
    ));

describe('random valid payloads validate', () => {
  it.each(NAMES)('%s input and output', (name) => {
    const op = operation(name);
    const input = arbitraryFor(op.input?.target as string);
    const output = arbitraryFor(op.output?.target ?? 'smithy.api#Unit');
    fc.assert(
      fc.property(input, output, (i, o) => {
        const ri = validateOperationInput(name, i);
        const ro = validateOperationOutput(name, o);
        if (!ri.ok) throw new Error(JSON.stringify(ri.issues));
        if (!ro.ok) throw new Error(JSON.stringify(ro.issues));
      }),
      RUNS,
    );
  });
});

describe('random mutations never throw', () => {
  it.each(NAMES)('%s', (name) => {
    const op = operation(name);
    fc.assert(
      fc.property(
        arbitraryFor(op.input?.target as string),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.anything(),
        (valid, picks, replacement) => {
          const mutated = mutate(valid, picks, replacement);
          expect(wellFormed(validateOperationInput(name, mutated))).toBe(true);
          expect(wellFormed(validateOperationOutput(name, mutated))).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('hand-written validators accept anything without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(wellFormed(validateConnectorInvocation(value))).toBe(true);
        expect(wellFormed(validateNotification(value))).toBe(true);
        expect(wellFormed(validateOperationInput('SendConnectorEvent', value))).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('parseJson', () => {
  it('agrees with JSON.parse on valid text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        const r = parseJson(text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('never throws, and rejects exactly what JSON.parse rejects, with one located issue', () => {
    const texty = fc.oneof(
      fc.string(),
      fc.jsonValue().chain((v) => {
        const text = JSON.stringify(v) ?? 'null';
        return fc
          .tuple(
            fc.nat(text.length),
            fc.constantFrom('', ']', '}', ',', 'None', '"', ':', 'x'),
            fc.nat(3),
          )
          .map(([at, insert, cut]) => text.slice(0, at) + insert + text.slice(at + cut));
      }),
    );
    fc.assert(
      fc.property(texty, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const r = parseJson(text);
        expect(r.ok).toBe(valid);
        if (!r.ok) {
          expect(r.issues).toHaveLength(1);
          const issue = r.issues[0];
          expect(issue?.line).toBeGreaterThanOrEqual(1);
          expect(issue?.column).toBeGreaterThanOrEqual(1);
          expect(issue?.message).toMatch(/^invalid JSON at line \d+, column \d+: /);
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('locates errors on later lines', () => {
    const r = parseJson('{\n  "a": 1,\n  "b": True\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]).toMatchObject({ line: 3, column: 8 });
      expect(r.issues[0]?.message).toContain('Python True');
    }
  });
});

describe('parseJson messages', () => {
  it('names trailing commas and survives absurd nesting', () => {
    const trailing = parseJson('{"a": [1, 2,]}');
    expect(trailing.ok ? '' : trailing.issues[0]?.message).toBe(
      'invalid JSON at line 1, column 13: trailing comma before "]"',
    );
    const deep = parseJson('['.repeat(200_000));
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.issues).toHaveLength(1);
  });
});
