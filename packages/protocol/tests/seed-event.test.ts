/** The DEVICE_EVENT example from the send-connector-events docs page, literal and repaired. */
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  normalizeMatterEndpoint,
  parseJson,
  REDACTED,
  validateSendConnectorEventRequest,
} from '../src/index.js';

// Literal text from the docs (Python `None`, stray `]`).
const SEED = `{ "UserId":"Your-End-User-ID", "Operation":"DEVICE_EVENT", "OperationVersion":"1.0", "StatusCode":200, "Message":None, "ConnectorDeviceId":"Your_Device_Id", "MatterEndpoint":{"id":"1","clusters":[{"id":"0x0202","attributes":[{"0x0000":"3"}]}]}] }`;
const REPAIRED = SEED.replace('None', 'null').replace(']}]}] }', ']}]} }');

describe('seed DEVICE_EVENT', () => {
  it('the literal text fails with one issue naming line and column of `None`', () => {
    const result = parseJson(SEED);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    const [issue] = result.issues;
    expect(issue?.line).toBe(1);
    expect(issue?.column).toBe(SEED.indexOf('None') + 1);
    expect(formatIssue(issue as never)).toMatch(
      /line 1, column \d+: unexpected "None" \(Python None/,
    );
  });

  it('after fixing None, the stray "]" is reported where it is', () => {
    const result = parseJson(SEED.replace('None', 'null'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.column).toBe(SEED.replace('None', 'null').lastIndexOf(']') + 1);
  });

  it('made valid JSON, it validates and normalises attributes to the map form', () => {
    const parsed = parseJson(REPAIRED);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const input = { ConnectorId: 'Your-Connector-Id', ...(parsed.value as object) };
    const result = validateSendConnectorEventRequest(input);
    expect(result.ok ? 'ok' : result.issues.map(formatIssue)).toBe('ok');
    if (!result.ok) return;
    expect(result.value.MatterEndpoint).toEqual({
      id: '1',
      clusters: [{ id: '0x0202', attributes: { '0x0000': '3' } }],
    });
    // The caller's object is not modified.
    expect(
      (input as unknown as { MatterEndpoint: { clusters: Array<{ attributes: unknown }> } })
        .MatterEndpoint.clusters[0]?.attributes,
    ).toEqual([{ '0x0000': '3' }]);
  });

  it('reports a bad cluster id with its path, the constraint in words and the value', () => {
    const body = JSON.parse(REPAIRED) as Record<string, unknown>;
    const endpoint = body.MatterEndpoint as { clusters: Array<{ id: string }> };
    (endpoint.clusters[0] as { id: string }).id = 'fan';
    const result = validateSendConnectorEventRequest({ ConnectorId: 'c1', ...body });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([
      'MatterEndpoint.clusters[0].id: expected hex "0x…" or decimal cluster id (1–24 characters), got "fan"',
    ]);
  });

  it('collects every issue and redacts sensitive members', () => {
    const result = validateSendConnectorEventRequest({
      ConnectorId: 'bad id!',
      UserId: 'has space',
      Operation: 'DEVICE_EVNT',
      StatusCode: 700,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual([
      'ConnectorId',
      'UserId',
      'Operation',
      'StatusCode',
    ]);
    expect(result.issues[1]?.received).toBe(REDACTED);
    expect(formatIssue(result.issues[1] as never)).toBe(
      'UserId: expected 1–64 characters matching ^[a-zA-Z0-9_.,@-]+$, got <redacted>',
    );
  });

  it('names a wrong-case member in the "required" issue', () => {
    const result = validateSendConnectorEventRequest({
      ConnectorId: 'c1',
      operation: 'DEVICE_EVENT',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path).toBe('Operation');
    expect(result.issues[0]?.message).toMatch(/found "operation"; member names are case-sensitive/);
  });

  it('normalizeMatterEndpoint: both encodings give the same map; bad array items are reported', () => {
    const map = normalizeMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0006', attributes: { '0x0000': true } }],
    });
    const arr = normalizeMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0006', attributes: [{ '0x0000': true }] }],
    });
    expect(map).toEqual(arr);
    const bad = normalizeMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0006', attributes: [3, { a: 1 }, { a: 2 }] }],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.path)).toEqual([
      'clusters[0].attributes[0]',
      'clusters[0].attributes[2].a',
    ]);
  });
});

describe('connectorEventAdvisories (inferred per-Operation conventions)', () => {
  it('advises the members doc examples send with each Operation', async () => {
    const { connectorEventAdvisories } = await import('../src/index.js');
    expect(
      connectorEventAdvisories({ ConnectorId: 'c', Operation: 'DEVICE_EVENT' }).map((i) => i.path),
    ).toEqual(['ConnectorDeviceId', 'MatterEndpoint']);
    expect(
      connectorEventAdvisories({
        ConnectorId: 'c',
        Operation: 'DEVICE_DISCOVERY',
        DeviceDiscoveryId: 'x',
        Devices: [],
      }),
    ).toEqual([]);
    expect(connectorEventAdvisories({ ConnectorId: 'c', Operation: 'NOPE' })).toEqual([]);
  });
});
