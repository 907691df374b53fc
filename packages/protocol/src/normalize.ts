/**
 * The two `attributes` encodings seen in public examples, reconciled:
 *   map form (model examples, Matter data-model page):  `{ "0x0000": 3 }`
 *   array form (the send-connector-events page):        `[{ "0x0000": "3" }]`
 * Both pass the service's own validation (`MatterAttributes` is a document), so we accept both and
 * normalise to the map form. Values are kept as sent; converting `"3"` → `3` needs the Matter
 * attribute type and belongs to the matter package.
 */

import type { MatterEndpoint, SendConnectorEventRequest } from './generated/types.js';
import { validateSendConnectorEventRequest as validateGeneratedRequest } from './generated/validators.js';
import type { Result, ValidationIssue } from './result.js';
import { at } from './validate-runtime.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Converts an array-form `attributes` to the map form. Returns the same object when nothing needs
 * converting (no allocation on the common path); issues for array items that are not objects and
 * for attribute ids given twice.
 */
function normalizeAttributes(
  attributes: unknown[],
  path: string,
  issues: ValidationIssue[],
): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let i = 0; i < attributes.length; i++) {
    const item = attributes[i];
    const itemPath = `${path}[${i}]`;
    if (!isObject(item)) {
      issues.push({
        path: itemPath,
        message: 'expected an object {"<attributeId>": value} (array form of attributes)',
        received: item,
      });
      continue;
    }
    for (const k in item) {
      if (Object.hasOwn(map, k)) {
        issues.push({
          path: at(itemPath, k),
          message: `attribute id given twice in the array form of attributes`,
          received: k,
        });
        continue;
      }
      map[k] = item[k];
    }
  }
  return map;
}

function normalizeEndpointInto(
  endpoint: unknown,
  path: string,
  issues: ValidationIssue[],
): unknown {
  if (!isObject(endpoint) || !Array.isArray(endpoint.clusters)) return endpoint;
  const clusters = endpoint.clusters as unknown[];
  let copy: unknown[] | undefined;
  for (let i = 0; i < clusters.length; i++) {
    const cluster = clusters[i];
    if (!isObject(cluster) || !Array.isArray(cluster.attributes)) continue;
    copy ??= clusters.slice();
    copy[i] = {
      ...cluster,
      attributes: normalizeAttributes(
        cluster.attributes as unknown[],
        `${at(path, 'clusters')}[${i}].attributes`,
        issues,
      ),
    };
  }
  return copy === undefined ? endpoint : { ...endpoint, clusters: copy };
}

/**
 * Normalises a Matter endpoint (`{ id, clusters: [{ id, attributes, commands, events }] }`): an
 * array-form `attributes` becomes the map form. Does not modify its argument; returns it unchanged
 * when already normal. Shape errors other than the attribute encoding are left to the validators.
 */
export function normalizeMatterEndpoint(endpoint: unknown, path = ''): Result<MatterEndpoint> {
  const issues: ValidationIssue[] = [];
  const value = normalizeEndpointInto(endpoint, path, issues);
  return issues.length === 0 ? { ok: true, value: value as MatterEndpoint } : { ok: false, issues };
}

/** Normalises a list of Matter endpoints (the `endpoints` of an `AWS.SendCommand` invocation). */
export function normalizeMatterEndpoints(
  endpoints: readonly unknown[],
  path: string,
  issues: ValidationIssue[],
): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < endpoints.length; i++) {
    const original = endpoints[i];
    const normal = normalizeEndpointInto(original, `${path}[${i}]`, issues);
    if (normal !== original) {
      copy ??= endpoints.slice();
      copy[i] = normal;
    }
  }
  return copy ?? (endpoints as unknown[]);
}

/**
 * Validates a SendConnectorEvent input (URI label `ConnectorId` plus body members) against the
 * model, after normalising `MatterEndpoint.clusters[].attributes` to the map form. The returned
 * value is the normalised request (a copy only when something changed).
 */
export function validateSendConnectorEventRequest(
  value: unknown,
): Result<SendConnectorEventRequest> {
  const issues: ValidationIssue[] = [];
  let input = value;
  if (isObject(value) && value.MatterEndpoint !== undefined) {
    const endpoint = normalizeEndpointInto(value.MatterEndpoint, 'MatterEndpoint', issues);
    if (endpoint !== value.MatterEndpoint) input = { ...value, MatterEndpoint: endpoint };
  }
  const result = validateGeneratedRequest(input);
  if (result.ok && issues.length === 0) return result;
  return { ok: false, issues: result.ok ? issues : [...issues, ...result.issues] };
}
