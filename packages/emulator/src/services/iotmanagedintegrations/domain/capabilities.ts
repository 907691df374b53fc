import {
  capabilityOf,
  getAttribute,
  getCluster,
  MATTER_SPEC_VERSION,
  toCapabilityEndpoint,
  toCustomerCapabilityReport,
} from '@c2c-kit/matter';
import type {
  CapabilityReport,
  DocumentValue,
  MatterCapabilityReport,
  MatterEndpoint,
} from '@c2c-kit/protocol';
import type { ThingDoc } from '../stores/docs.js';

/** Endpoints and capabilities per endpoint of the customer-form CapabilityReport. */
const REPORT_LIMIT = 40;
/** GetManagedThingState: at most 5 StateEndpoints of 1–5 capabilities each. */
const STATE_LIMIT = 5;

/**
 * A capability id for a cluster Matter 1.4 does not define (`0x1003` → `matter.0x1003@1.4`), so
 * it still matches the model's SchemaVersionedId pattern (a version is required).
 */
function unknownCapabilityId(clusterId: string): string {
  return `matter.${clusterId}@${MATTER_SPEC_VERSION}`;
}

/**
 * Customer-side (named-capability) form of one endpoint's state. Values are JSON: they arrived in
 * a connector's JSON event.
 */
export interface NamedEndpoint {
  endpointId: string;
  capabilities: Array<{
    id: string;
    name: string;
    version: string;
    properties: Array<{ name: string; value: DocumentValue }>;
  }>;
}

/**
 * Matter endpoint → named-capability form, one cluster at a time: a cluster or attribute Matter
 * 1.4 does not define (vendor extensions such as `0x1003`/`0x15570003`) keeps its hex ids instead
 * of failing the whole conversion.
 */
export function toNamedEndpoint(endpoint: MatterEndpoint): NamedEndpoint {
  const capabilities: NamedEndpoint['capabilities'] = [];
  for (const cluster of endpoint.clusters ?? []) {
    try {
      const converted = toCapabilityEndpoint({
        id: endpoint.id ?? '1',
        clusters: [cluster],
      } as Parameters<typeof toCapabilityEndpoint>[0]);
      for (const cap of converted.capabilities) {
        capabilities.push({
          ...cap,
          properties: cap.properties.map((p) => ({
            name: p.name,
            value: p.value as DocumentValue,
          })),
        });
      }
    } catch {
      const attrs = (cluster.attributes ?? {}) as Record<string, DocumentValue>;
      const def = getCluster(String(cluster.id));
      capabilities.push({
        id: def === undefined ? unknownCapabilityId(String(cluster.id)) : capabilityOf(def).id,
        name: def?.displayName ?? String(cluster.id),
        version: def === undefined ? '1' : capabilityOf(def).version,
        properties: Object.entries(attrs).map(([id, value]) => ({
          name: (def && getAttribute(def, id)?.name) ?? id,
          value,
        })),
      });
    }
  }
  return { endpointId: endpoint.id ?? '1', capabilities };
}

/**
 * MatterCapabilityReport (connector form) → CapabilityReport (customer form, by name): matter's
 * conversion, cut to what the customer form holds (40 endpoints of 40 capabilities; a connector
 * may report 50 of 50).
 */
export function toCustomerReport(report: MatterCapabilityReport): CapabilityReport {
  const customer = toCustomerCapabilityReport(report);
  return {
    ...customer,
    endpoints: customer.endpoints.slice(0, REPORT_LIMIT).map((ep) => ({
      ...ep,
      deviceTypes: [...ep.deviceTypes],
      capabilities: ep.capabilities.slice(0, REPORT_LIMIT).map((c) => ({
        ...c,
        properties: [...c.properties],
        actions: [...c.actions],
        events: [...c.events],
      })),
    })),
  };
}

/** A thing's capability report as the customer sees it: UpdateManagedThing's, else the connector's. */
export function customerReportOf(thing: ThingDoc): CapabilityReport | undefined {
  if (thing.CustomerCapabilityReport !== undefined) return thing.CustomerCapabilityReport;
  return thing.CapabilityReport === undefined
    ? undefined
    : toCustomerReport(thing.CapabilityReport);
}

/**
 * A thing's state as GetManagedThingState's `Endpoints`: the model allows 5 StateEndpoints of 1–5
 * capabilities, so an endpoint with more capabilities is split into several entries with the
 * same `endpointId`, and entries past the fifth are left out.
 */
export function toStateEndpoints(state: readonly MatterEndpoint[]): NamedEndpoint[] {
  const out: NamedEndpoint[] = [];
  for (const endpoint of state) {
    const named = toNamedEndpoint(endpoint);
    for (let i = 0; i < named.capabilities.length; i += STATE_LIMIT) {
      out.push({
        endpointId: named.endpointId,
        capabilities: named.capabilities.slice(i, i + STATE_LIMIT),
      });
    }
  }
  return out.slice(0, STATE_LIMIT);
}
