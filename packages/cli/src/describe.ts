import {
  describeAttributeChange,
  describeMatterEndpoint as describeEndpointLines,
  getAttribute,
  getCluster,
  type MatterEndpoint,
  validateMatterEndpoint,
} from '@c2c-kit/matter';
import type { ValidationIssue } from '@c2c-kit/protocol';

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

/**
 * Matter-level checks (known cluster/attribute ids, value types, enum ranges) on top of the wire
 * model's checks: the model types `attributes` as a free-form document.
 */
export function validateEndpoints(value: unknown, path: string): ValidationIssue[] {
  const root = isRecord(value) ? value : {};
  const issues: ValidationIssue[] = [];
  if (path === 'MatterEndpoint') {
    if (root.MatterEndpoint !== undefined) {
      // A DEVICE_COMMAND_RESPONSE answers commands: response fields (or none), never request ones.
      const direction = root.Operation === 'DEVICE_COMMAND_RESPONSE' ? 'response' : 'request';
      const result = validateMatterEndpoint(root.MatterEndpoint, {
        path: 'MatterEndpoint',
        direction,
      });
      if (!result.ok) issues.push(...result.issues);
    }
    return issues;
  }
  const payload = isRecord(root.payload) ? root.payload : {};
  if (Array.isArray(payload.endpoints)) {
    payload.endpoints.forEach((endpoint, index) => {
      const result = validateMatterEndpoint(endpoint, {
        path: `${path}[${index}]`,
        direction: 'request',
      });
      if (!result.ok) issues.push(...result.issues);
    });
  }
  return issues;
}
