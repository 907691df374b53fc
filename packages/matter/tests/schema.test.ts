import { MODEL_EXAMPLES, validateMatterCapabilityReport } from '@c2c-kit/protocol';
import { describe, expect, it } from 'vitest';
import {
  capabilitySchema,
  capabilitySchemaSummary,
  listClusters,
  SCHEMA_TYPE_DEFINITIONS,
  typeDefinitionSchema,
} from '../src/index.js';

/** The model's own GetSchemaVersion example (Format AWS, `matter.ColorControl@1.4`). */
function modelExample(): Record<string, unknown> {
  const example = MODEL_EXAMPLES.find(
    (e) =>
      e.operation === 'GetSchemaVersion' && e.output !== undefined && e.input?.Format === undefined,
  );
  if (example === undefined) throw new Error('the model has no GetSchemaVersion example');
  return example.output as Record<string, unknown>;
}

describe('capability schema documents (GetSchemaVersion)', () => {
  it('AWS form: the keys and shape of the model example, for ColorControl', () => {
    const example = modelExample();
    const expected = example.Schema as Record<string, unknown>;
    const ours = capabilitySchema('ColorControl');
    // Every top-level key of the example is there; we add nothing the example lacks.
    expect(Object.keys(ours).sort()).toEqual(Object.keys(expected).sort());
    for (const key of ['$id', '$ref', 'name', 'extrinsicId', 'title', 'description']) {
      expect(ours[key], key).toBe(expected[key]);
    }
    const props = ours.properties as Record<string, { value: unknown; mutable: boolean }>;
    expect(props.CurrentHue).toMatchObject({ value: { $ref: 'aws.integer@1.0' }, mutable: false });
    const [moveToHue] = ours.actions as Array<Record<string, unknown>>;
    expect(moveToHue).toMatchObject({
      name: 'MoveToHue',
      extrinsicId: '0x00',
      request: { parameters: { Hue: { extrinsicId: '0', value: { $ref: 'aws.integer@1.0' } } } },
    });
    expect(capabilitySchemaSummary('ColorControl')).toEqual({
      schemaId: example.SchemaId,
      namespace: example.Namespace,
      semanticVersion: example.SemanticVersion,
      description: example.Description,
    });
  });

  it('every cluster, every format: ids and revisions within the model limits', () => {
    for (const cluster of listClusters()) {
      const aws = capabilitySchema(cluster, 'AWS');
      expect(aws.extrinsicId).toMatch(/^0x[0-9A-F]{4}$/);
      const revision = Number(aws.extrinsicVersion);
      expect(revision, cluster.name).toBeGreaterThanOrEqual(1);
      expect(revision, cluster.name).toBeLessThanOrEqual(10);
      expect(capabilitySchemaSummary(cluster).description).toMatch(/^[a-zA-Z0-9.,/ -]{10,2048}$/);
      for (const ref of JSON.stringify(aws).matchAll(/"\$ref":"(aws\.[a-z]+)@1\.0"/g)) {
        expect(SCHEMA_TYPE_DEFINITIONS, `${cluster.name} refers to ${ref[1]}`).toHaveProperty([
          ref[1] as string,
        ]);
      }
      const zcl = capabilitySchema(cluster, 'ZCL');
      expect(zcl.extrinsicId).toBe(aws.extrinsicId);
      // CONNECTOR: what a connector's DEVICE_DISCOVERY report carries for the cluster, valid as such.
      const connector = capabilitySchema(cluster, 'CONNECTOR');
      const report = {
        version: '1.0.0',
        endpoints: [{ id: '1', deviceTypes: ['x'], clusters: [connector] }],
      };
      const checked = validateMatterCapabilityReport(report);
      expect(checked.ok, `${cluster.name}: ${JSON.stringify(checked)}`).toBe(true);
    }
  });

  it('type definitions resolve the $refs the documents use', () => {
    expect(typeDefinitionSchema('aws.integer')).toEqual({
      $id: '/schema-versions/definition/aws.integer@1.0',
      name: 'integer',
      type: 'integer',
    });
    expect(typeDefinitionSchema('aws.nosuch')).toBeUndefined();
  });
});
