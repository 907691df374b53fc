import { capabilityOf, MATTER_SPEC_VERSION } from './capability.js';
import { MatterBuilderError } from './errors.js';
import { formatAttributeId, formatClusterId, formatCommandId, formatEventId } from './ids.js';
import type { ClusterDef, CommandDef, FieldDef, ValueSpec } from './model.js';
import { reportCluster } from './report.js';
import { getCluster, getDatatype } from './table.js';

/**
 * Capability schema documents of AWS's schema catalog (`GetSchemaVersion` / `ListSchemaVersions`,
 * `ListManagedThingSchemas`), generated from the Matter 1.4 table in the form of the model's own
 * `GetSchemaVersion` example (`matter.ColorControl@1.4`).
 *
 * Formats (`SchemaVersionFormat`):
 * - `AWS`: the capability document: `$id`, `$ref` to `aws.capability@1.0`, `name`, `extrinsicId`
 *   (cluster id), `extrinsicVersion` (cluster revision), `title`, `description`, `properties` by
 *   attribute name (`value` type reference, `mutable`), `actions` (request commands, with
 *   `request.parameters` by field name and, when Matter defines one, `response.parameters`),
 *   `events` (with `parameters`), `$defs`.
 * - `ZCL`: the cluster as Matter defines it, keyed by hex id: `attributes`, `commands` (with
 *   `fields` by field id), `events`; each element with its name and Matter type.
 * - `CONNECTOR`: the cluster as a connector declares it in a DEVICE_DISCOVERY capability report
 *   (`MatterCapabilityReportCluster`), with every attribute, request command and event listed.
 */

/** `SchemaVersionFormat` */
export type SchemaFormat = 'AWS' | 'ZCL' | 'CONNECTOR';

/** What `ListSchemaVersions` says about one capability of the catalog. */
export interface CapabilitySchemaSummary {
  /** `matter.ColorControl` */
  readonly schemaId: string;
  readonly namespace: 'matter';
  /** The Matter spec version: `1.4`. */
  readonly semanticVersion: string;
  /** `The Color Control cluster defined as Harmony Capability.` (the model example's wording). */
  readonly description: string;
}

/** Global attributes (ClusterRevision, FeatureMap, the element lists) are not capability properties. */
const GLOBAL_ATTRIBUTE_MIN = 0xf000;

/** The `aws.*` type definitions the AWS-format documents reference. */
export const SCHEMA_TYPE_DEFINITIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>> =
  {
    'aws.boolean': { type: 'boolean' },
    'aws.integer': { type: 'integer' },
    'aws.number': { type: 'number' },
    'aws.string': { type: 'string' },
    'aws.capability': { type: 'object', required: ['name', 'extrinsicId', 'properties'] },
  };

/** Version of the `aws.*` type definitions. */
export const SCHEMA_TYPE_DEFINITION_VERSION = '1.0';

function ref(name: keyof typeof SCHEMA_TYPE_DEFINITIONS): { $ref: string } {
  return { $ref: `${name}@${SCHEMA_TYPE_DEFINITION_VERSION}` };
}

function requireCluster(cluster: string | number | ClusterDef): ClusterDef {
  const def = getCluster(cluster);
  if (def === undefined) throw new MatterBuilderError(`unknown cluster ${JSON.stringify(cluster)}`);
  return def;
}

function description(def: ClusterDef): string {
  return `The ${def.displayName} cluster defined as Harmony Capability.`;
}

/** `capabilitySchemaSummary('0x0300')` → the catalog entry of `matter.ColorControl@1.4`. */
export function capabilitySchemaSummary(
  cluster: string | number | ClusterDef,
): CapabilitySchemaSummary {
  const def = requireCluster(cluster);
  return {
    schemaId: `matter.${def.name}`,
    namespace: 'matter',
    semanticVersion: MATTER_SPEC_VERSION,
    description: description(def),
  };
}

/** A value's type in the AWS form: a `$ref` to an `aws.*` definition, or an array/object of them. */
function awsValue(def: ClusterDef, spec: ValueSpec, depth = 0): Record<string, unknown> {
  switch (spec.kind) {
    case 'bool':
      return ref('aws.boolean');
    case 'int':
    case 'enum':
    case 'bitmap':
      return ref('aws.integer');
    case 'float':
      return ref('aws.number');
    case 'string':
    case 'bytes':
      return ref('aws.string');
    case 'list':
      return spec.entry === undefined || depth > 3
        ? { type: 'array' }
        : { type: 'array', items: awsValue(def, spec.entry, depth + 1) };
    case 'struct': {
      const type = getDatatype(def, spec.ref);
      if (type?.kind !== 'struct' || depth > 3) return { type: 'object' };
      return { type: 'object', properties: awsParameters(def, type.fields, depth + 1) };
    }
    default:
      return {};
  }
}

function awsParameters(
  def: ClusterDef,
  fields: readonly FieldDef[],
  depth = 0,
): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => [f.name, { extrinsicId: String(f.id), value: awsValue(def, f, depth) }]),
  );
}

function awsAction(def: ClusterDef, command: CommandDef): Record<string, unknown> {
  const response =
    command.response === undefined || command.response === 'status'
      ? undefined
      : def.commands.find((c) => c.direction === 'response' && c.name === command.response);
  return {
    name: command.name,
    extrinsicId: formatCommandId(command.id),
    request: { parameters: awsParameters(def, command.fields) },
    ...(response === undefined
      ? {}
      : { response: { parameters: awsParameters(def, response.fields) } }),
  };
}

function awsSchema(def: ClusterDef): Record<string, unknown> {
  const { id, name } = capabilityOf(def);
  return {
    $id: `/schema-versions/capability/${id}`,
    $ref: `/schema-versions/definition/aws.capability@${SCHEMA_TYPE_DEFINITION_VERSION}`,
    name,
    extrinsicId: formatClusterId(def.id),
    extrinsicVersion: String(def.awsRevision),
    title: `${def.displayName} Cluster`,
    description: description(def),
    properties: Object.fromEntries(
      def.attributes
        .filter((a) => a.id < GLOBAL_ATTRIBUTE_MIN)
        .map((a) => [
          a.name,
          {
            extrinsicId: formatAttributeId(a.id),
            value: awsValue(def, a),
            mutable: a.writable,
          },
        ]),
    ),
    actions: def.commands.filter((c) => c.direction === 'request').map((c) => awsAction(def, c)),
    events: def.events.map((e) => ({
      name: e.name,
      extrinsicId: formatEventId(e.id),
      parameters: awsParameters(def, e.fields),
    })),
    $defs: {},
  };
}

function zclType(spec: ValueSpec): Record<string, unknown> {
  return {
    type: spec.type,
    ...(spec.base === undefined ? {} : { base: spec.base }),
    ...(spec.nullable ? { nullable: true } : {}),
    ...(spec.min === undefined ? {} : { min: spec.min }),
    ...(spec.max === undefined ? {} : { max: spec.max }),
  };
}

function zclFields(fields: readonly FieldDef[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [String(f.id), { name: f.name, ...zclType(f) }]));
}

function zclSchema(def: ClusterDef): Record<string, unknown> {
  return {
    extrinsicId: formatClusterId(def.id),
    extrinsicVersion: String(def.awsRevision),
    name: def.name,
    title: def.displayName,
    attributes: Object.fromEntries(
      def.attributes.map((a) => [
        formatAttributeId(a.id),
        { name: a.name, ...zclType(a), access: a.access, writable: a.writable },
      ]),
    ),
    commands: Object.fromEntries(
      def.commands.map((c) => [
        formatCommandId(c.id),
        { name: c.name, direction: c.direction, fields: zclFields(c.fields) },
      ]),
    ),
    events: Object.fromEntries(
      def.events.map((e) => [
        formatEventId(e.id),
        { name: e.name, priority: e.priority, fields: zclFields(e.fields) },
      ]),
    ),
  };
}

function connectorSchema(def: ClusterDef): Record<string, unknown> {
  return {
    ...reportCluster({
      cluster: def.id,
      attributes: def.attributes.filter((a) => a.id < GLOBAL_ATTRIBUTE_MIN).map((a) => a.id),
      commands: def.commands.filter((c) => c.direction === 'request').map((c) => c.id),
      events: def.events.map((e) => e.id),
    }),
  };
}

/**
 * The schema document of a Matter cluster's capability in one of the three formats (see the
 * module comment). `capabilitySchema('ColorControl')` → the AWS form of `matter.ColorControl@1.4`.
 */
export function capabilitySchema(
  cluster: string | number | ClusterDef,
  format: SchemaFormat = 'AWS',
): Record<string, unknown> {
  const def = requireCluster(cluster);
  if (format === 'ZCL') return zclSchema(def);
  if (format === 'CONNECTOR') return connectorSchema(def);
  return awsSchema(def);
}

/** The document of an `aws.*` type definition (`Type: definition`), or undefined. */
export function typeDefinitionSchema(schemaId: string): Record<string, unknown> | undefined {
  const body = SCHEMA_TYPE_DEFINITIONS[schemaId];
  if (body === undefined) return undefined;
  return {
    $id: `/schema-versions/definition/${schemaId}@${SCHEMA_TYPE_DEFINITION_VERSION}`,
    name: schemaId.slice(4),
    ...body,
  };
}
