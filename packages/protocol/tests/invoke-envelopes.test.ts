/** Lambda invoke envelopes and replies (hand-written contract, inferred parts in inferred.ts). */
import { describe, expect, it } from 'vitest';
import {
  buildInvocation,
  buildInvokeReply,
  DISCOVERY_ID_KEY,
  formatIssue,
  InvalidMessageError,
  isSuccessReply,
  OPERATION_VERSIONS,
  REDACTED,
  redactInvocation,
  validateConnectorInvocation,
  validateConnectorInvokeReply,
} from '../src/index.js';

const oauth = { type: 'OAuth2.0', token: 'secret-access-token' } as const;
const ga = {
  type: 'GeneralAuthorization',
  secretsManager: {
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-api-key-AbCdEf',
    versionId: '2a1b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
  },
} as const;

describe('invocations', () => {
  it('validates the documented ActivateUser example (OAuth2.0)', () => {
    const r = validateConnectorInvocation({
      header: { auth: oauth },
      payload: { operationName: 'AWS.ActivateUser', operationVersion: '1.0.0', connectorId: 'c-1' },
    });
    expect(r.ok ? 'ok' : r.issues.map(formatIssue)).toBe('ok');
  });

  it('validates GeneralAuthorization DeactivateUser and any operationVersion', () => {
    const r = validateConnectorInvocation({
      header: { auth: ga },
      payload: { operationName: 'AWS.DeactivateUser', operationVersion: '2.7', connectorId: 'c-1' },
    });
    expect(r.ok ? 'ok' : r.issues.map(formatIssue)).toBe('ok');
  });

  it('builds each operation with default versions, and the result validates', () => {
    const a = buildInvocation({
      operationName: 'AWS.ActivateUser',
      auth: oauth,
      connectorId: 'c-1',
    });
    expect(a.payload.operationVersion).toBe(OPERATION_VERSIONS['AWS.ActivateUser']);
    const d = buildInvocation({
      operationName: 'AWS.DiscoverDevices',
      auth: oauth,
      connectorId: 'c-1',
      deviceDiscoveryId: 'abc123',
    });
    expect((d.payload as unknown as Record<string, unknown>)[DISCOVERY_ID_KEY]).toBe('abc123');
    const s = buildInvocation({
      operationName: 'AWS.SendCommand',
      auth: ga,
      connectorId: 'c-1',
      connectorDeviceId: 'fan-1',
      traceId: '9b75f3839b6140f=_1',
      endpoints: [{ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }],
    });
    expect(validateConnectorInvocation(s).ok).toBe(true);
  });

  it('normalises SendCommand endpoints given in the array form', () => {
    const r = validateConnectorInvocation({
      header: { auth: oauth },
      payload: {
        operationName: 'AWS.SendCommand',
        operationVersion: '1.0',
        connectorId: 'c-1',
        connectorDeviceId: 'fan-1',
        traceId: 't=_1',
        endpoints: [
          {
            id: '1',
            clusters: [
              { id: '0x0006', attributes: [{ '0x0000': true }], commands: { '0x01': {} } },
            ],
          },
        ],
      },
    });
    expect(r.ok).toBe(true);
    if (r.ok && r.value.payload.operationName === 'AWS.SendCommand') {
      expect(r.value.payload.endpoints[0]?.clusters?.[0]?.attributes).toEqual({ '0x0000': true });
    }
  });

  it('reports every issue with its path and never echoes the token', () => {
    const r = validateConnectorInvocation({
      header: { auth: { type: 'OAuth2.0', token: 42 } },
      payload: {
        operationName: 'AWS.SendCommand',
        connectorId: 'bad id',
        traceId: 'has space',
        endpoints: [{ id: '1', clusters: [{ id: 'fan' }] }],
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([
      'header.auth.token',
      'payload.operationVersion',
      'payload.connectorId',
      'payload.connectorDeviceId',
      'payload.traceId',
      'payload.endpoints[0].clusters[0].id',
    ]);
    expect(r.issues[0]?.received).toBe(REDACTED);
  });

  it('rejects an unknown auth type and operation name with the allowed values', () => {
    const r = validateConnectorInvocation({
      header: { auth: { type: 'Basic' } },
      payload: { operationName: 'AWS.Reboot', operationVersion: '1.0', connectorId: 'c' },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map(formatIssue)).toEqual([
      'header.auth.type: expected one of "OAuth2.0", "GeneralAuthorization", got "Basic"',
      'payload.operationName: expected one of "AWS.ActivateUser", "AWS.DiscoverDevices", "AWS.SendCommand", "AWS.DeactivateUser", got "AWS.Reboot"',
    ]);
  });

  it('buildInvocation throws a typed error listing the issues', () => {
    expect(() =>
      buildInvocation({
        operationName: 'AWS.DiscoverDevices',
        auth: oauth,
        connectorId: 'c',
        deviceDiscoveryId: 'no-dash!',
      }),
    ).toThrow(InvalidMessageError);
  });

  it('redactInvocation hides the token and keeps everything else', () => {
    const inv = buildInvocation({
      operationName: 'AWS.ActivateUser',
      auth: oauth,
      connectorId: 'c-1',
    });
    const red = redactInvocation(inv);
    expect(JSON.stringify(red)).not.toContain('secret-access-token');
    expect(red.payload).toEqual(inv.payload);
    expect(inv.header.auth).toEqual(oauth);
  });
});

describe('replies', () => {
  it('validates the documented ActivateUser reply', () => {
    const reply = {
      header: { responseCode: 200 },
      payload: {
        responseMessage: 'Successfully activated user with connector-id c-1.',
        userId: '123456',
      },
    };
    expect(validateConnectorInvokeReply(reply, 'AWS.ActivateUser').ok).toBe(true);
  });

  it('requires a valid userId on a successful ActivateUser reply only', () => {
    const ack = { header: { responseCode: 200 }, payload: { responseMessage: 'ok' } };
    expect(validateConnectorInvokeReply(ack, 'AWS.DiscoverDevices').ok).toBe(true);
    const r = validateConnectorInvokeReply(ack, 'AWS.ActivateUser');
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['payload.userId']);
    const failed = { header: { responseCode: 401 }, payload: { responseMessage: 'token revoked' } };
    expect(validateConnectorInvokeReply(failed, 'AWS.ActivateUser').ok).toBe(true);
  });

  it('rejects malformed replies', () => {
    const r = validateConnectorInvokeReply({
      header: { responseCode: '200' },
      payload: { userId: 'a b' },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual([
      'header.responseCode',
      'payload.userId',
    ]);
    expect(validateConnectorInvokeReply('OK').ok).toBe(false);
  });

  it('buildInvokeReply / isSuccessReply', () => {
    expect(isSuccessReply(buildInvokeReply({ responseCode: 200, responseMessage: 'ack' }))).toBe(
      true,
    );
    expect(isSuccessReply(buildInvokeReply({ responseCode: 500, responseMessage: 'down' }))).toBe(
      false,
    );
    expect(() => buildInvokeReply({ responseCode: 42 })).toThrow(InvalidMessageError);
  });
});
