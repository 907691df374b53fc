import { describe, expect, it } from 'vitest';
import { describeMatterEndpoint, summariseSendConnectorEvent } from '../src/describe.js';
import {
  describeNotification,
  describeProperty,
  describeValue,
  managedThingIdOf,
} from '../src/notifications.js';

const thingArn = 'arn:aws:iotmanagedintegrations:us-east-1:111122223333:managed-thing/abc123';

function deviceEvent(capability: string, property: string, value: unknown) {
  return {
    messageType: 'DEVICE_EVENT',
    resources: [thingArn],
    payload: {
      endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: capability, name: 'x', version: '1', properties: [{ name: property, value }] },
          ],
        },
      ],
    },
  };
}

describe('describeProperty', () => {
  it('names the demo properties as people do, any other in words from its Matter name', () => {
    expect(describeProperty('matter.DoorLock@1.4', 'LockState')).toBe('Lock');
    expect(describeProperty('matter.PowerSource@1.4', 'BatPercentRemaining')).toBe('Battery');
    expect(describeProperty('matter.FanControl@1.4', 'FanMode')).toBe('Fan mode');
    expect(describeProperty('matter.Thermostat@1.4', 'OccupiedHeatingSetpoint')).toBe(
      'Occupied heating setpoint',
    );
    expect(describeProperty('matter.FanControl@1.4', 'PercentSetting')).toBe('Percent setting');
    expect(describeProperty('vendor.Unknown', 'RSSILevel')).toBe('Rssi level');
  });
});

describe('describeValue', () => {
  it('puts Matter values into words and units', () => {
    expect(describeValue('matter.DoorLock@1.4', 'LockState', 1)).toBe('Locked');
    expect(describeValue('matter.DoorLock@1.4', 'LockState', 2)).toBe('Unlocked');
    // Half-percent units; 0–254 levels; hundredths of a degree.
    expect(describeValue('matter.PowerSource@1.4', 'BatPercentRemaining', 198)).toBe(
      'Battery 99 %',
    );
    expect(describeValue('matter.LevelControl@1.4', 'CurrentLevel', 79)).toBe('Brightness 31 %');
    expect(describeValue('matter.Thermostat@1.4', 'LocalTemperature', 2100)).toBe('21.0 °C');
    expect(describeValue('matter.OccupancySensing@1.4', 'Occupancy', 1)).toBe('Motion detected');
    expect(describeValue('matter.OccupancySensing@1.4', 'Occupancy', 0)).toBe('No motion');
    expect(describeValue('matter.BooleanState@1.4', 'StateValue', false)).toBe('Open');
    expect(describeValue('matter.OnOff@1.4', 'OnOff', true)).toBe('On');
    expect(describeValue('matter.FanControl@1.4', 'FanMode', 3)).toBe('High');
  });

  it('names lock, battery and brightness in the feed without the property name', () => {
    expect(
      describeNotification(deviceEvent('matter.DoorLock@1.4', 'LockState', 2), 'Door').words,
    ).toBe('Door · Unlocked');
    expect(
      describeNotification(deviceEvent('matter.PowerSource@1.4', 'BatPercentRemaining', 198), 'Cam')
        .words,
    ).toBe('Cam · Battery 99 %');
    expect(
      describeNotification(deviceEvent('matter.LevelControl@1.4', 'CurrentLevel', 254), 'Lamp')
        .words,
    ).toBe('Lamp · Brightness 100 %');
  });
});

describe('describeNotification', () => {
  it('puts device events into words, as the feed shows them', () => {
    expect(
      describeNotification(deviceEvent('matter.OccupancySensing@1.4', 'Occupancy', 1), 'Camera')
        .words,
    ).toBe('Camera · motion detected');
    expect(
      describeNotification(deviceEvent('matter.OccupancySensing@1.4', 'Occupancy', 0), 'Camera')
        .words,
    ).toBe('Camera · motion cleared');
    expect(
      describeNotification(deviceEvent('matter.FanControl@1.4', 'FanMode', 3), 'Fan').words,
    ).toBe('Fan · FanMode → High');
    expect(
      describeNotification(deviceEvent('matter.Thermostat@1.4', 'LocalTemperature', 1910), 'Hall')
        .words,
    ).toBe('Hall · LocalTemperature → 19.1 °C');
  });

  it('finds the managed thing from the resource ARN', () => {
    expect(managedThingIdOf(deviceEvent('matter.OnOff@1.4', 'OnOff', true))).toBe('abc123');
    expect(describeNotification(deviceEvent('matter.OnOff@1.4', 'OnOff', true)).words).toBe(
      'abc123 · turned on',
    );
  });

  it('describes state, command, discovery and connector errors', () => {
    const state = {
      messageType: 'DEVICE_STATE',
      resources: [thingArn],
      payload: {
        addedStates: {
          endpoints: [
            {
              endpointId: '1',
              capabilities: [
                {
                  id: 'matter.FanControl@1.4',
                  properties: [
                    { name: 'FanMode', value: { propertyValue: 1, lastChangedAt: 'x' } },
                  ],
                },
              ],
            },
          ],
        },
      },
    };
    expect(describeNotification(state, 'Fan').words).toBe('Fan · state FanMode → Low');
    expect(
      describeNotification(
        {
          messageType: 'DEVICE_COMMAND',
          resources: [thingArn],
          payload: { traceId: 't=_1', result: 'SUCCEEDED' },
        },
        'Fan',
      ).words,
    ).toBe('Fan · command t=_1 succeeded');
    expect(
      describeNotification({
        messageType: 'DEVICE_DISCOVERY_STATUS',
        payload: { status: 'SUCCEEDED', deviceCount: 6 },
      }).words,
    ).toBe('Discovery succeeded: 6 device(s)');
    expect(
      describeNotification({
        messageType: 'CONNECTOR_ERROR_REPORT',
        payload: { statusCode: 502, operation: 'AWS.SendCommand', message: 'vendor unreachable' },
      }).words,
    ).toBe('Connector error 502 in AWS.SendCommand: vendor unreachable');
  });

  it("names a failed command's reason, as the connector gave it", () => {
    const report = (message: string) =>
      describeNotification(
        {
          messageType: 'CONNECTOR_ERROR_REPORT',
          payload: { statusCode: 409, operation: 'AWS.SendCommand', traceId: 't=_1', message },
        },
        'Front door',
      ).words;
    expect(
      report(
        'AWS.SendCommand operation failed during invocation of the connector: Connector response exception: responseCode=409, responseMessage=0x0101 0x01 409 device_jammed lock lock-1 is jammed',
      ),
    ).toBe(
      'Front door · command t=_1 failed (409): 0x0101 0x01 409 device_jammed lock lock-1 is jammed',
    );
    expect(
      report(
        'AWS.SendCommand operation failed during invocation of the connector: no DEVICE_COMMAND_RESPONSE within 60000 ms of the ACK',
      ),
    ).toBe(
      'Front door · command t=_1 failed (409): no DEVICE_COMMAND_RESPONSE within 60000 ms of the ACK',
    );
  });

  it('never throws on odd input', () => {
    for (const odd of [
      null,
      42,
      'x',
      [],
      {},
      { messageType: 'DEVICE_EVENT', payload: { endpoints: 'nope' } },
    ]) {
      expect(typeof describeNotification(odd).words).toBe('string');
    }
  });
});

describe('summaries', () => {
  it('summarises discovery and command responses without the user id', () => {
    const line = summariseSendConnectorEvent({
      ConnectorId: 'c',
      UserId: 'secret-user',
      Operation: 'DEVICE_DISCOVERY',
      DeviceDiscoveryId: 'd1',
      StatusCode: 200,
      Devices: [{ ConnectorDeviceId: 'cam-1', ConnectorDeviceName: 'Camera' }],
    });
    expect(line).toBe('DEVICE_DISCOVERY discovery=d1 status=200 1 device: Camera');
    expect(line).not.toContain('secret-user');
  });

  it('describes commands of an endpoint by name', () => {
    expect(
      describeMatterEndpoint({ id: '1', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] }),
    ).toBe('endpoint 1: OnOff.On()');
  });
});
