import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCluster, tryParseMatterId } from '@c2c-kit/matter';
import { MODEL_EXAMPLES, type OperationName } from '@c2c-kit/protocol';
import { arbitraryFor, model, NS, operation } from '@c2c-kit/testing/smithy-model';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateDocument } from '../src/commands/validate.js';
import { runBin } from './helpers/bin.js';

// `c2c validate` against the pinned model itself: its examples (as generated, wrapped with their
// operation), and an input generated from the model's shapes for every one of its operations.

const OPERATIONS = Object.entries(model.shapes)
  .filter(([id, shape]) => id.startsWith(NS) && shape.type === 'operation')
  .map(([id]) => id.slice(NS.length) as OperationName)
  .sort();

const happy = MODEL_EXAMPLES.filter((e) => e.error === undefined);
const errorPath = MODEL_EXAMPLES.filter((e) => e.error !== undefined);

/** True when a MatterEndpoint names a cluster Matter 1.4 defines (its contents get checked). */
function namesDefinedCluster(input: unknown): boolean {
  const endpoint = (input as { MatterEndpoint?: { clusters?: unknown } }).MatterEndpoint;
  const clusters = Array.isArray(endpoint?.clusters) ? endpoint.clusters : [];
  return clusters.some((c: { id?: unknown }) => {
    const id = tryParseMatterId(typeof c?.id === 'string' ? c.id.replace(/^0X/, '0x') : c?.id);
    return id !== undefined && getCluster(id) !== undefined;
  });
}

/**
 * A valid input of the operation, from the model's shapes. The model types Matter attributes as a
 * free-form document, so random content in a cluster Matter 1.4 defines is rightly refused: the
 * SendConnectorEvent inputs keep to clusters it does not define (checked by the wire model only).
 */
function generatedInput(name: OperationName, seed: number): unknown {
  const arbitrary = arbitraryFor(operation(name).input?.target ?? 'smithy.api#Unit');
  const valid =
    name === 'SendConnectorEvent' ? arbitrary.filter((v) => !namesDefinedCluster(v)) : arbitrary;
  return fc.sample(valid, { seed, numRuns: 1 })[0];
}

const dir = mkdtempSync(join(tmpdir(), 'c2c-validate-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('c2c validate and the model', () => {
  it('has the examples and operations this test counts on', () => {
    expect(OPERATIONS).toHaveLength(83);
    expect(new Set(happy.map((e) => e.operation)).size).toBe(8);
    expect(errorPath.length).toBeGreaterThan(0);
  });

  it('accepts a generated input of each of the 83 operations (in process)', () => {
    for (const name of OPERATIONS) {
      for (const seed of [1, 2, 3]) {
        const input = generatedInput(name, seed);
        const report = validateDocument(JSON.stringify(input), undefined, name);
        expect(report, `${name} seed ${seed}: ${JSON.stringify(input)}`).toMatchObject({
          valid: true,
          kind: name,
        });
      }
    }
  });

  it('still refuses a wrong value, or an unknown attribute, of a cluster Matter defines', () => {
    const event = (attributes: Record<string, unknown>) =>
      JSON.stringify({
        Operation: 'DEVICE_EVENT',
        OperationVersion: '1.0',
        StatusCode: 200,
        MatterEndpoint: {
          id: '1',
          clusters: [
            { id: '0x1003', attributes: { '0x0000': 73 } },
            { id: '0X0202', attributes },
          ],
        },
      });
    const ok = validateDocument(event({ '0x0000': 3 }));
    expect(ok).toMatchObject({ valid: true });
    expect(ok.valid && ok.warnings).toEqual([
      'MatterEndpoint.clusters[0].id: cluster 0x1003 is not defined by Matter 1.4; its contents are not checked',
    ]);
    expect(validateDocument(event({ '0x0000': 42 }))).toMatchObject({
      valid: false,
      issues: [{ path: 'MatterEndpoint.clusters[1].attributes["0x0000"]', received: 42 }],
    });
    expect(validateDocument(event({ '0x0999': 1 }))).toMatchObject({
      valid: false,
      issues: [{ path: 'MatterEndpoint.clusters[1].attributes["0x0999"]' }],
    });
  });

  it('accepts every happy-path example and rejects every error-path one (real bin)', async () => {
    const files = MODEL_EXAMPLES.map((example, i) => {
      const file = join(dir, `example-${i}.json`);
      writeFileSync(file, JSON.stringify(example));
      return file;
    });
    const result = await runBin(['validate', '--json', ...files]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const reports = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(reports).toHaveLength(MODEL_EXAMPLES.length);
    MODEL_EXAMPLES.forEach((example, i) => {
      const report = reports[i];
      expect(report?.file).toBe(files[i]);
      if (example.error === undefined) {
        expect(report, example.title).toMatchObject({ valid: true, kind: example.operation });
      } else {
        const shape = example.error.shapeId.replace(/^.*#/, '');
        expect(report, example.title).toMatchObject({
          valid: false,
          kind: example.operation,
          issues: [{ path: 'error', message: expect.stringContaining(shape) }],
        });
      }
    });
  }, 60_000);

  it('--operation validates any operation input, naming each error (real bin)', async () => {
    const good = join(dir, 'get-connector.json');
    const bad = join(dir, 'get-connector-bad.json');
    writeFileSync(good, JSON.stringify(generatedInput('GetCloudConnector', 1)));
    writeFileSync(bad, JSON.stringify({ Identifier: 'x'.repeat(200) }));
    const result = await runBin(['validate', '--operation', 'GetCloudConnector', good, bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${good}: valid\nGetCloudConnector input: Identifier\n`);
    expect(result.stdout).toContain(`${bad}: invalid GetCloudConnector (1 error)\n  Identifier: `);
  }, 60_000);

  it('the model example with cluster 0x1003 is valid, with a warning line (real bin)', async () => {
    const example = happy.find(
      (e) => e.operation === 'SendConnectorEvent' && e.input?.Operation === 'DEVICE_EVENT',
    );
    const result = await runBin(['validate', '--operation', 'SendConnectorEvent', '-'], {
      stdin: JSON.stringify(example?.input),
    });
    expect(`${result.code}\n${result.stdout}${result.stderr}`).toBe(
      '0\nvalid\nDEVICE_EVENT trace=TraceId-Sample endpoint 1: 0x1003.0x0000 = 73\n' +
        'warning: MatterEndpoint.clusters[0].id: cluster 0x1003 is not defined by Matter 1.4; its contents are not checked\n',
    );
  }, 60_000);

  it('an unknown --operation is a usage error listing the operations, exit 2 (real bin)', async () => {
    const result = await runBin(['validate', '--operation', 'GetCloudConnectr', '-'], {
      stdin: '{}',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('unknown operation "GetCloudConnectr" for --operation');
    for (const name of OPERATIONS) expect(result.stderr).toContain(name);
  }, 60_000);
});
