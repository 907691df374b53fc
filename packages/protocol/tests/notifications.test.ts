/** Customer notification messages: builder and validator for the six typed event types. */
import { describe, expect, it } from 'vitest';
import {
  buildNotification,
  formatIssue,
  InvalidMessageError,
  NOTIFICATION_SOURCE,
  validateNotification,
} from '../src/index.js';

const ctx = {
  customerAccountId: '123456789012',
  region: 'us-east-1',
  resources: ['arn:aws:iotmanagedintegrations:us-east-1:123456789012:managed-thing/abc'],
};

describe('notifications', () => {
  it('builds and validates one message of each typed event type', () => {
    const messages = [
      buildNotification(
        'DEVICE_EVENT',
        {
          iotMiArrivalTimestamp: '1732579200000',
          endpoints: [
            {
              endpointId: '1',
              capabilities: [
                {
                  id: 'matter.FanControl@1.4',
                  name: 'Fan Control',
                  version: '1.4',
                  properties: [{ name: 'FanMode', value: 3 }],
                },
              ],
            },
          ],
        },
        ctx,
      ),
      buildNotification(
        'DEVICE_STATE',
        {
          addedStates: {
            endpoints: [
              {
                endpointId: '1',
                capabilities: [
                  {
                    id: 'matter.OnOff@1.4',
                    name: 'On/Off',
                    version: '1.4',
                    properties: [
                      {
                        name: 'OnOff',
                        value: { propertyValue: true, lastChangedAt: '2024-11-26T00:00:00Z' },
                      },
                    ],
                  },
                ],
              },
            ],
          },
        },
        ctx,
      ),
      buildNotification(
        'DEVICE_COMMAND',
        {
          traceId: '9b75f3839b6140f=_1',
          receivedAt: '1732579200000',
          executedAt: '1732579200100',
          result: 'succeeded',
        },
        ctx,
      ),
      buildNotification(
        'DEVICE_DISCOVERY_STATUS',
        { deviceCount: 2, deviceDiscoveryId: 'abc123', status: 'SUCCEEDED' },
        ctx,
      ),
      buildNotification(
        'ACCOUNT_ASSOCIATION',
        {
          traceId: 't1',
          logLevel: 'INFO',
          state: 'ASSOCIATION_SUCCEEDED',
          isServiceError: false,
          isCustomerError: false,
        },
        ctx,
      ),
      buildNotification(
        'CONNECTOR_ERROR_REPORT',
        {
          statusCode: 500,
          resourceType: 'account-association',
          resourceId: ['aa1'],
          operation: 'AWS.SendCommand',
          operationVersion: '1.0',
          traceId: 'f4be7a5d55d34cc=_1',
          logLevel: 'ERROR',
          message:
            'AWS.SendCommand operation failed during asynchronous invocation of the connector',
        },
        ctx,
      ),
    ];
    for (const m of messages) {
      expect(m.source).toBe(NOTIFICATION_SOURCE);
      const r = validateNotification(JSON.parse(JSON.stringify(m)));
      expect(r.ok ? 'ok' : r.issues.map(formatIssue)).toBe('ok');
    }
  });

  it('accepts both timestamp forms seen in the docs', () => {
    const m = buildNotification(
      'DEVICE_DISCOVERY_STATUS',
      { deviceCount: 0, deviceDiscoveryId: 'x1', status: 'RUNNING' },
      { ...ctx, timestamp: '2025-06-30T10:00:00.000Z' },
    );
    expect(validateNotification(m).ok).toBe(true);
  });

  it('reports payload issues with paths', () => {
    const r = validateNotification({
      version: '1.0',
      messageId: 'm',
      messageType: 'DEVICE_DISCOVERY_STATUS',
      source: NOTIFICATION_SOURCE,
      customerAccountId: '1',
      timestamp: 'yesterday',
      region: 'us-east-1',
      resources: [],
      payload: { deviceCount: -1, deviceDiscoveryId: 'has-dash', status: 'DONE' },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual([
      'timestamp',
      'payload.deviceCount',
      'payload.deviceDiscoveryId',
      'payload.status',
    ]);
  });

  it('the builder throws InvalidMessageError on an invalid payload', () => {
    expect(() =>
      buildNotification('DEVICE_COMMAND', { traceId: 't', result: 'maybe' }, ctx),
    ).toThrow(InvalidMessageError);
  });
});
