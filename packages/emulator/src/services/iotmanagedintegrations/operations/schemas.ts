import {
  type CapabilitySchemaSummary,
  capabilitySchema,
  capabilitySchemaSummary,
  getCluster,
  listClusters,
  MATTER_SPEC_VERSION,
  SCHEMA_TYPE_DEFINITION_VERSION,
  SCHEMA_TYPE_DEFINITIONS,
  typeDefinitionSchema,
} from '@c2c-kit/matter';
import {
  type DocumentValue,
  type OperationShapes,
  ResourceNotFoundException,
  ValidationException,
} from '@c2c-kit/protocol';
import { defineHandlers, type HandlerMap, type MiContext } from '../context.js';
import { customerReportOf } from '../domain/capabilities.js';
import { thingNotFound } from '../domain/things.js';
import { decodeToken, encodeToken } from '../stores/table.js';

/**
 * AWS's public schema catalog, generated from `@c2c-kit/matter`: every Matter 1.4 cluster as a
 * `capability` (`matter.<Cluster>@1.4`) and the `aws.*` type definitions those documents
 * reference as `definition`s. All are PUBLIC; the emulator keeps no private schemas.
 */

interface CatalogEntry {
  readonly SchemaId: string;
  readonly Type: 'capability' | 'definition';
  readonly Description: string;
  readonly Namespace: string;
  readonly SemanticVersion: string;
  readonly Visibility: 'PUBLIC';
}

let catalog: Record<'capability' | 'definition', CatalogEntry[]> | undefined;

function catalogOf(type: 'capability' | 'definition'): CatalogEntry[] {
  catalog ??= {
    capability: listClusters()
      .map((c): CapabilitySchemaSummary => capabilitySchemaSummary(c))
      .map((s) => ({
        SchemaId: s.schemaId,
        Type: 'capability' as const,
        Description: s.description,
        Namespace: s.namespace,
        SemanticVersion: s.semanticVersion,
        Visibility: 'PUBLIC' as const,
      }))
      .sort((a, b) => a.SchemaId.localeCompare(b.SchemaId)),
    definition: Object.keys(SCHEMA_TYPE_DEFINITIONS)
      .sort()
      .map((id) => ({
        SchemaId: id,
        Type: 'definition' as const,
        Description: `The ${id.slice(4)} type definition of the managed integrations data model.`,
        Namespace: 'aws',
        SemanticVersion: SCHEMA_TYPE_DEFINITION_VERSION,
        Visibility: 'PUBLIC' as const,
      })),
  };
  return catalog[type];
}

/** A schema document of `@c2c-kit/matter` as the model's Document (it is plain JSON data). */
function asDocument(schema: Record<string, unknown> | undefined): DocumentValue | undefined {
  return schema as DocumentValue | undefined;
}

function noSchema(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('No schema version found', {
    ResourceId: id,
    ResourceType: 'SchemaVersion',
  });
}

/** `$latest` is the newest version (the member docs: a missing version defaults to the latest). */
function versionMatches(entry: CatalogEntry, version: string): boolean {
  return version === '$latest' || version === entry.SemanticVersion;
}

/** One page of an in-memory list; tokens carry the position of the last item given. */
export function pageOf<T>(
  items: readonly T[],
  input: { MaxResults?: number; NextToken?: string },
): { items: T[]; nextToken?: string } {
  const after = input.NextToken === undefined ? 0 : decodeToken(input.NextToken);
  const limit = input.MaxResults ?? 100;
  const page = items.slice(after, after + limit);
  return after + limit < items.length
    ? { items: page, nextToken: encodeToken(after + limit) }
    : { items: page };
}

/** `matter.OnOff@1.4` → `matter.OnOff`; a CapabilityIdFilter may carry a version or not. */
function capabilityMatches(id: string, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  return filter.includes('@') ? id === filter : id.split('@')[0] === filter;
}

export function schemaHandlers(ctx: MiContext): HandlerMap {
  const { things } = ctx.stores;
  return defineHandlers({
    GetSchemaVersion: (input) => {
      const at = input.SchemaVersionedId.lastIndexOf('@');
      const schemaId = input.SchemaVersionedId.slice(0, at);
      const version = input.SchemaVersionedId.slice(at + 1);
      const entry = catalogOf(input.Type).find((e) => e.SchemaId === schemaId);
      if (entry === undefined || !versionMatches(entry, version)) {
        throw noSchema(input.SchemaVersionedId);
      }
      const Schema = asDocument(
        input.Type === 'definition'
          ? typeDefinitionSchema(schemaId)
          : capabilitySchema(schemaId, input.Format ?? 'AWS'),
      );
      return { ...entry, Schema };
    },

    ListSchemaVersions: (input) => {
      // The model's example: SchemaId together with Namespace is a ValidationException.
      if (input.SchemaId !== undefined && input.Namespace !== undefined) {
        throw new ValidationException(
          'SchemaId and Namespace: give one of them (a SchemaId already names its namespace)',
        );
      }
      const items = catalogOf(input.Type).filter(
        (e) =>
          (input.SchemaId === undefined || e.SchemaId === input.SchemaId) &&
          (input.Namespace === undefined || e.Namespace === input.Namespace) &&
          (input.Visibility === undefined || e.Visibility === input.Visibility) &&
          (input.SemanticVersion === undefined || versionMatches(e, input.SemanticVersion)),
      );
      const page = pageOf(items, input);
      return { Items: page.items, NextToken: page.nextToken };
    },

    ListManagedThingSchemas: (input, call) => {
      const thing = things.getOwned(call, input.Identifier);
      if (thing === undefined) throw thingNotFound(input.Identifier);
      const report = customerReportOf(thing);
      const own = new Map((thing.CapabilitySchemas ?? []).map((s) => [s.CapabilityId, s.Schema]));
      const items: OperationShapes['ListManagedThingSchemas']['output']['Items'] = [];
      for (const endpoint of report?.endpoints ?? []) {
        if (input.EndpointIdFilter !== undefined && endpoint.id !== input.EndpointIdFilter)
          continue;
        for (const capability of endpoint.capabilities) {
          if (!capabilityMatches(capability.id, input.CapabilityIdFilter)) continue;
          const at = capability.id.indexOf('@');
          const cluster =
            capability.id.startsWith('matter.') &&
            capability.id.slice(at + 1) === MATTER_SPEC_VERSION
              ? getCluster(capability.id)
              : undefined;
          items.push({
            EndpointId: endpoint.id,
            CapabilityId: capability.id,
            // The thing's own schema for the capability (Create/UpdateManagedThing, or the
            // connector's discovery), else the catalog's; none for an unknown capability.
            Schema:
              own.get(capability.id) ??
              (cluster === undefined ? undefined : asDocument(capabilitySchema(cluster))),
          });
        }
      }
      const page = pageOf(items, input);
      return { Items: page.items, NextToken: page.nextToken };
    },
  });
}
