import { validateSendConnectorEventRequest } from '@c2c-kit/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandFailureEvent,
  commandResponseEvents,
  deviceDiscoveryEvent,
  deviceEvent,
  wireMessage,
} from '../src/events/builders.js';

// The SendConnectorEvent requests the runtime sends, checked against the service model.
const valid = (request: unknown) => {
  const result = validateSendConnectorEventRequest(request);
  expect(result.ok, JSON.stringify(result)).toBe(true);
};

const command = {
  connectorId: 'conn-1',
  traceId: 'trace000000001=_1',
  connectorDeviceId: 'light-1',
  endpoints: [{ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }],
};

describe('event builders', () => {
  it('wireMessage: any text becomes a Message the model accepts, within the length asked for', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 5, max: 256 }), (text, max) => {
        const message = wireMessage(text, max);
        expect(message).toMatch(/^[\sa-zA-Z0-9_.,@-]+$/);
        expect(message.length).toBeLessThanOrEqual(max);
        valid({ ...commandFailureEvent(command, 'u', 500, 'x'), Message: message });
      }),
    );
    expect(wireMessage('device "lamp" is offline (code 7)')).toBe('device lamp is offline code 7');
    expect(wireMessage('ü→')).toBe('error');
  });

  it('DEVICE_EVENT, DEVICE_DISCOVERY and DEVICE_COMMAND_RESPONSE pass the model', () => {
    const endpoint = { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] };
    valid(deviceEvent('conn-1', { connectorDeviceId: 'light-1', userId: 'u', endpoint }));
    valid(
      deviceDiscoveryEvent({ connectorId: 'conn-1', deviceDiscoveryId: 'd1' }, 'u', [
        {
          connectorDeviceId: 'light-1',
          name: 'Lamp',
          capabilityReport: { version: '1.0.0', endpoints: [] },
        },
      ]),
    );
    const [ok] = commandResponseEvents(command, 'u');
    valid(ok);
    expect(ok).toMatchObject({ StatusCode: 200 });
    const [failed] = commandResponseEvents(command, 'u', [
      { endpointId: '1', clusterId: '0x0006', commandId: '0x01', status: 409, message: 'busy' },
    ]);
    valid(failed);
    expect(failed).toMatchObject({ StatusCode: 409, Message: '0x0006 0x01 409 busy' });
    valid(commandFailureEvent(command, undefined, 504, 'command deadline of 5 ms passed'));
  });
});
