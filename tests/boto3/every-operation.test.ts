import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { arbitraryFor, model, NS, operation } from '@c2c-kit/testing/smithy-model';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Boto3Result, boto3, boto3Missing } from './boto3.js';

// Every operation of the pinned model, sent by boto3 with an input boto3 itself accepts (its own
// parameter validation is on): the emulator answers each one as AWS's clients expect — a result or
// a modelled 4xx for the operations it implements, a 501 NotImplementedException for the ones its
// README lists as not implemented, and never any other 5xx. The operation list is the model's.

const README = fileURLToPath(new URL('../../packages/emulator/README.md', import.meta.url));
const OPERATIONS = Object.entries(model.shapes)
  .filter(([id, shape]) => id.startsWith(NS) && shape.type === 'operation')
  .map(([id]) => id.slice(NS.length))
  .sort();

/** The operation names the README's "Operations answered 501" section lists. */
function documentedNotImplemented(): Set<string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('### Operations answered 501');
  expect(start, 'packages/emulator/README.md has a "### Operations answered 501" section').not.toBe(
    -1,
  );
  const section = text.slice(start).split(/\n#{2,3} /)[0] ?? '';
  // Backticked names, less the error names the section's prose mentions.
  return new Set(
    [...section.matchAll(/`([A-Z][A-Za-z]+)`/g)]
      .map((m) => m[1] as string)
      .filter((name) => !name.endsWith('Exception')),
  );
}

/**
 * A valid input for the operation. Top-level lists are never empty: an empty list bound to the query
 * string is not sent at all, so a required one reads as missing on any server (AWS's included).
 */
function validInput(name: string, seed: number): Record<string, unknown> {
  const input = operation(name).input?.target ?? 'smithy.api#Unit';
  const nonEmptyLists = arbitraryFor(input).filter((value) =>
    Object.values(value as Record<string, unknown>).every((v) => !Array.isArray(v) || v.length > 0),
  );
  const [value] = fc.sample(nonEmptyLists, { seed, numRuns: 1 });
  return value as Record<string, unknown>;
}

let emu: RunningEmulator;
let results: Map<string, Boto3Result>;

describe('every operation of the model, through boto3', () => {
  beforeAll(async () => {
    const missing = boto3Missing();
    if (missing !== undefined) throw new Error(missing);
    emu = await startEmulator({ memory: true });
    const credentials = emu.app.emulatorConfig.credentials[0];
    if (credentials === undefined) throw new Error('the emulator has no credentials');
    const calls = OPERATIONS.map((name, i) => ({
      operation: name,
      input: validInput(name, 1000 + i),
    }));
    const answers = await boto3(
      { endpoint: emu.url, region: emu.app.emulatorConfig.region, credentials },
      calls,
    );
    results = new Map(OPERATIONS.map((name, i) => [name, answers[i] as Boto3Result]));
  }, 120_000);
  afterAll(() => emu?.close());

  it('the model has 83 operations, and boto3 knows each (it accepted every generated input)', () => {
    expect(OPERATIONS).toHaveLength(83);
    const refused = [...results].filter(([, r]) => !r.ok && r.clientError !== undefined);
    expect(refused, 'inputs boto3 refused before sending').toEqual([]);
  });

  it('no answer is a 5xx other than 501, and boto3 parses every error', () => {
    for (const [name, result] of results) {
      if (result.ok) continue;
      expect(result.status, `${name}: ${result.code} ${result.message}`).toBeDefined();
      expect(
        result.status === 501 || (result.status ?? 500) < 500,
        `${name} → ${result.status} ${result.code}: ${result.message}`,
      ).toBe(true);
      expect(result.code, `${name}: boto3 found an error code`).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(result.message ?? '', `${name}: a message`).not.toBe('');
    }
  });

  it('501 exactly for the operations the README lists as not implemented', () => {
    const documented = documentedNotImplemented();
    for (const name of documented) expect(OPERATIONS, `${name} is in the model`).toContain(name);
    const answered501 = [...results]
      .filter(([, r]) => !r.ok && r.status === 501)
      .map(([name]) => name);
    for (const name of answered501) {
      expect(results.get(name)).toMatchObject({ code: 'NotImplementedException' });
    }
    expect(answered501.sort()).toEqual([...documented].sort());
  });
});
