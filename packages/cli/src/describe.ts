import {
  describeAttributeChange,
  describeMatterEndpoint as describeEndpointLines,
  getAttribute,
  getCluster,
  type MatterEndpoint,
  tryParseMatterId,
  validateMatterEndpoint,
} from '@c2c-kit/matter';
import { joinPath, type ValidationIssue } from '@c2c-kit/protocol';

/**
 * Words for Matter payloads, for people: `FanControl.FanMode = High (3)`. Used by
 * `c2c validate` summaries, the demo narration and the dashboard's event feed. The wording itself
 * comes from the matter package's describer; this module only chooses what to summarise.
 */

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `endpoint 1: FanControl.FanMode = High (3)` for one connector-side MatterEndpoint. */
export function describeMatterEndpoint(endpoint: unknown): string {
  if (!isRecord(endpoint)) return 'no endpoint';
  const lines = describeEndpointLines(endpoint as unknown as MatterEndpoint);
  return `endpoint ${String(endpoint.id ?? '?')}: ${lines.length > 0 ? lines.join(', ') : 'nothing'}`;
}

/**
 * `High` for a capability property (customer form: cluster and property by name), the JSON value
 * when the property or its enum is unknown.
 */
export function describePropertyValue(
  capabilityId: string,
  property: string,
  value: unknown,
): string {
  const cluster = getCluster(capabilityId.replace(/^[a-z]+\./, '').replace(/@.*$/, ''));
  const attribute = cluster === undefined ? undefined : getAttribute(cluster, property);
  if (cluster === undefined || attribute === undefined)
    return JSON.stringify(value) ?? String(value);
  // Matter temperatures are hundredths of a degree Celsius.
  if (attribute.type === 'temperature' && typeof value === 'number') {
    return `${(value / 100).toFixed(1)} °C`;
  }
  // `FanControl.FanMode = High (3)` → `High`
  const words = describeAttributeChange(cluster.id, attribute.id, value);
  const text = words.slice(words.indexOf(' = ') + 3);
  return text.replace(/ \(\d+\)$/, '');
}

/** One line for a validated SendConnectorEvent request. */
export function summariseSendConnectorEvent(request: unknown): string {
  const r = isRecord(request) ? request : {};
  const op = String(r.Operation);
  const fields: string[] = [op];
  if (r.ConnectorDeviceId !== undefined) fields.push(`device=${String(r.ConnectorDeviceId)}`);
  if (r.DeviceDiscoveryId !== undefined) fields.push(`discovery=${String(r.DeviceDiscoveryId)}`);
  if (r.TraceId !== undefined) fields.push(`trace=${String(r.TraceId)}`);
  if (r.StatusCode !== undefined && op !== 'DEVICE_EVENT')
    fields.push(`status=${String(r.StatusCode)}`);
  let line = fields.join(' ');
  if (Array.isArray(r.Devices)) {
    const names = r.Devices.map((d) =>
      isRecord(d) ? `${String(d.ConnectorDeviceName ?? d.ConnectorDeviceId)}` : '?',
    );
    line += ` ${r.Devices.length} device${r.Devices.length === 1 ? '' : 's'}`;
    if (names.length > 0)
      line += `: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
  }
  if (r.MatterEndpoint !== undefined) line += ` ${describeMatterEndpoint(r.MatterEndpoint)}`;
  return line;
}

/** One line for a validated connector invocation envelope. */
export function summariseInvocation(invocation: unknown): string {
  const payload = isRecord(invocation) && isRecord(invocation.payload) ? invocation.payload : {};
  const header = isRecord(invocation) && isRecord(invocation.header) ? invocation.header : {};
  const auth = isRecord(header.auth) ? header.auth : {};
  const fields = [String(payload.operationName)];
  if (payload.connectorId !== undefined) fields.push(`connector=${String(payload.connectorId)}`);
  if (auth.type !== undefined) fields.push(`auth=${String(auth.type)}`);
  if (payload.deviceDiscoveryId !== undefined)
    fields.push(`discovery=${String(payload.deviceDiscoveryId)}`);
  if (payload.connectorDeviceId !== undefined)
    fields.push(`device=${String(payload.connectorDeviceId)}`);
  if (payload.traceId !== undefined) fields.push(`trace=${String(payload.traceId)}`);
  let line = fields.join(' ');
  if (Array.isArray(payload.endpoints)) {
    line += ` ${payload.endpoints.map((e) => describeMatterEndpoint(e)).join('; ')}`;
  }
  return line;
}

/** Matter-level findings: errors, and warnings for what Matter 1.4 cannot check. */
export interface EndpointFindings {
  readonly issues: ValidationIssue[];
  readonly warnings: string[];
}

/**
 * Matter-level checks (known cluster/attribute ids, value types, enum ranges) on top of the wire
 * model's checks: the model types `attributes` as a free-form document.
 *
 * A cluster id Matter 1.4 does not define (the model's own examples use `0x1003`) is valid on the
 * wire, so it is a warning here, not an error; known clusters keep every check, unknown attribute
 * ids included.
 */
export function validateEndpoints(value: unknown, path: string): EndpointFindings {
  const root = isRecord(value) ? value : {};
  const findings: EndpointFindings = { issues: [], warnings: [] };
  if (path === 'MatterEndpoint') {
    if (root.MatterEndpoint !== undefined) {
      // A DEVICE_COMMAND_RESPONSE answers commands: response fields (or none), never request ones.
      const direction = root.Operation === 'DEVICE_COMMAND_RESPONSE' ? 'response' : 'request';
      checkEndpoint(root.MatterEndpoint, 'MatterEndpoint', direction, findings);
    }
    return findings;
  }
  const payload = isRecord(root.payload) ? root.payload : {};
  if (Array.isArray(payload.endpoints)) {
    payload.endpoints.forEach((endpoint, index) => {
      checkEndpoint(endpoint, `${path}[${index}]`, 'request', findings);
    });
  }
  return findings;
}

function checkEndpoint(
  endpoint: unknown,
  path: string,
  direction: 'request' | 'response',
  findings: EndpointFindings,
): void {
  if (!isRecord(endpoint)) {
    const result = validateMatterEndpoint(endpoint, { path, direction });
    if (!result.ok) findings.issues.push(...result.issues);
    return;
  }
  // What the wire model accepts and Matter 1.4 cannot check becomes a warning: issues at these
  // paths are dropped. Everything else, every check of a defined cluster included, stays an error.
  const unchecked = new Map<string, string>();
  // The model's MatterEndpoint has no required members.
  if (endpoint.id === undefined) unchecked.set(joinPath(path, 'id'), 'no endpoint id');
  if (endpoint.clusters === undefined) unchecked.set(joinPath(path, 'clusters'), 'no clusters');
  const rawClusters = Array.isArray(endpoint.clusters) ? endpoint.clusters : [];
  const clusters = rawClusters.map((cluster, index) => {
    if (isRecord(cluster) && cluster.id === undefined) {
      // The model's MatterCluster has no required members either.
      unchecked.set(`${path}.clusters[${index}].id`, 'a cluster with no id is not checked');
    }
    if (!isRecord(cluster) || typeof cluster.id !== 'string') return cluster;
    // The model's ClusterId allows "0X…"; Matter spells it "0x…": check it as that cluster.
    const id = cluster.id.replace(/^0X/, '0x');
    const parsed = tryParseMatterId(id);
    if (parsed === undefined || getCluster(parsed) === undefined) {
      unchecked.set(
        `${path}.clusters[${index}].id`,
        `cluster ${cluster.id} is not defined by Matter 1.4; its contents are not checked`,
      );
    }
    return id === cluster.id ? cluster : { ...cluster, id };
  });
  const checked = Array.isArray(endpoint.clusters) ? { ...endpoint, clusters } : endpoint;
  const result = validateMatterEndpoint(checked, { path, direction });
  if (!result.ok) {
    for (const issue of result.issues) {
      if (!unchecked.has(issue.path)) findings.issues.push(issue);
    }
  }
  for (const [where, what] of unchecked) findings.warnings.push(`${where}: ${what}`);
}
