import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  booleanState,
  type CapabilityEndpoint,
  capabilityActionsToMatter,
  capabilityId,
  capabilityOf,
  colorControl,
  describeAttributeChange,
  describeMatterEndpoint,
  doorLock,
  fanControl,
  fromCapabilityEndpoint,
  levelControl,
  type MatterCluster,
  matterEndpoint,
  matterToCapabilityActions,
  occupancySensing,
  onOff,
  powerSource,
  thermostat,
  toCapabilityEndpoint,
  UnknownMatterElementError,
  validateMatterEndpoint,
} from '../src/index.js';
import { hostile, messages } from './helpers/fixtures.js';

/** FanControl's AWS capability naming (cluster revision 4), written out once for the fixtures. */
const FAN_CONTROL = { id: 'matter.FanControl@1.4', name: 'Fan Control', version: '4' } as const;

describe('AWS capability naming', () => {
  it('names clusters as matter.<Cluster>@1.4 with the spec title and revision', () => {
    expect(capabilityOf('0x0202')).toEqual(FAN_CONTROL);
    // AWS's own example: {"id":"matter.OnOff@1.4","name":"On/Off","version":"6"}
    expect(capabilityOf('OnOff')).toEqual({ id: 'matter.OnOff@1.4', name: 'On/Off', version: '6' });
    expect(capabilityId(0x0300)).toBe('matter.ColorControl@1.4');
    // CapabilityVersion is ^(0|[1-9][0-9]*)$ in the Smithy model.
    expect(capabilityOf('Thermostat').version).toMatch(/^(0|[1-9][0-9]*)$/);
    expect(() => capabilityOf('0x1003')).toThrow(UnknownMatterElementError);
  });
});

describe('toCapabilityEndpoint / fromCapabilityEndpoint', () => {
  it('turns the connector form into the customer form', () => {
    expect(
      toCapabilityEndpoint({ id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] }),
    ).toEqual({
      endpointId: '1',
      capabilities: [{ ...FAN_CONTROL, properties: [{ name: 'FanMode', value: 3 }] }],
    });
  });

  it('reads both attribute encodings and can keep ids Matter 1.4 does not define', () => {
    const seed = { id: '1', clusters: [{ id: '0x202', attributes: [{ '0x0000': 3 }] }] };
    expect(toCapabilityEndpoint(seed).capabilities[0]?.properties).toEqual([
      { name: 'FanMode', value: 3 },
    ]);
    const vendor = {
      id: '1',
      clusters: [
        { id: '0x1003', attributes: { '0x0000': [73] } },
        { id: '0x0202', attributes: { '0x15570003': 'x', '0x0000': 1 } },
      ],
    };
    expect(() => toCapabilityEndpoint(vendor)).toThrow(UnknownMatterElementError);
    expect(toCapabilityEndpoint(vendor, { unknown: 'keep' }).capabilities).toEqual([
      {
        id: 'matter.0x1003@1.4',
        name: '0x1003',
        version: '1',
        properties: [{ name: '0x0000', value: [73] }],
      },
      {
        ...FAN_CONTROL,
        properties: [
          { name: '0x15570003', value: 'x' },
          { name: 'FanMode', value: 1 },
        ],
      },
    ]);
  });

  it('turns the customer form back, validating each property', () => {
    const customer: CapabilityEndpoint = {
      endpointId: '1',
      capabilities: [{ ...FAN_CONTROL, properties: [{ name: 'FanMode', value: 3 }] }],
    };
    expect(fromCapabilityEndpoint(customer)).toEqual({
      ok: true,
      value: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
    });
    const bad: CapabilityEndpoint = {
      endpointId: '1',
      capabilities: [
        {
          ...FAN_CONTROL,
          properties: [
            { name: 'FanMode', value: 9 },
            { name: 'Speed', value: 1 },
          ],
        },
        { id: 'matter.Nope@1.4', name: 'Nope', version: '1', properties: [] },
      ],
    };
    expect(messages(fromCapabilityEndpoint(bad))).toEqual([
      'CapabilityEndpoint.capabilities[0].properties[0].value: expected FanModeEnum member (0 Off, 1 Low, 2 Medium, 3 High, 5 Auto), got 9',
      'CapabilityEndpoint.capabilities[0].properties[1].name: expected a FanControl property name, got "Speed"',
      'CapabilityEndpoint.capabilities[1].id: expected a matter.<Cluster>@1.4 capability id, got "matter.Nope@1.4"',
    ]);
  });

  it('round-trips every builder through the capability form', () => {
    const clusters: MatterCluster[] = [
      fanControl.fanMode('High'),
      fanControl.percentSetting(40),
      fanControl.percentCurrent(40),
      onOff.onOff(true),
      levelControl.currentLevel(200),
      colorControl.colorTemperatureKelvin(2700),
      powerSource.batteryPercent(75),
      occupancySensing.motion(true),
      booleanState.contact(false),
      doorLock.lockState('Unlocked'),
      thermostat.localTemperature(21.5),
      thermostat.occupiedHeatingSetpoint(20),
      thermostat.systemMode('Heat'),
    ];
    for (const c of clusters) {
      const endpoint = matterEndpoint('1', c);
      expect(validateMatterEndpoint(endpoint)).toEqual({ ok: true, value: endpoint });
      expect(fromCapabilityEndpoint(toCapabilityEndpoint(endpoint))).toEqual({
        ok: true,
        value: endpoint,
      });
    }
  });

  it('round-trips random fan states (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Off', 'Low', 'Medium', 'High', 'Auto' as const),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        (mode, percent, on) => {
          const endpoint = matterEndpoint(
            '7',
            fanControl.fanMode(mode),
            fanControl.percentCurrent(percent),
            onOff.onOff(on),
          );
          const customer = toCapabilityEndpoint(endpoint);
          expect(customer.capabilities.map((c) => c.id)).toEqual([
            'matter.FanControl@1.4',
            'matter.OnOff@1.4',
          ]);
          expect(fromCapabilityEndpoint(customer)).toEqual({ ok: true, value: endpoint });
        },
      ),
    );
  });
});

describe('capabilityActionsToMatter (SendManagedThingCommand)', () => {
  it('maps actions by name to command ids and parameters by field name to field ids', () => {
    const r = capabilityActionsToMatter({
      endpointId: '1',
      capabilities: [
        { ...FAN_CONTROL, actions: [{ name: 'Step', parameters: { Direction: 0, Wrap: true } }] },
        { id: 'matter.OnOff@1.4', name: 'On/Off', version: '6', actions: [{ name: 'On' }] },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        id: '1',
        clusters: [
          { id: '0x0202', commands: { '0x00': { '0x00': 0, '0x01': true } } },
          { id: '0x0006', commands: { '0x01': {} } },
        ],
      },
    });
  });

  it('maps an action named after a writable attribute to an attribute write (inferred)', () => {
    const r = capabilityActionsToMatter({
      endpointId: '1',
      capabilities: [
        { ...FAN_CONTROL, actions: [{ name: 'FanMode', parameters: { FanMode: 3 } }] },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: { id: '1', clusters: [{ id: '0x0202', attributes: { '0x0000': 3 } }] },
    });
  });

  it('names every bad action, parameter and capability', () => {
    const r = capabilityActionsToMatter({
      endpointId: '1',
      capabilities: [
        {
          ...FAN_CONTROL,
          actions: [
            { name: 'Step', parameters: { Direction: 7 } },
            { name: 'Step', parameters: { Speed: 1 } },
            { name: 'Step', parameters: {} },
            { name: 'Spin' },
            { name: 'PercentCurrent', parameters: { value: 1 } },
          ],
        },
        { id: 'aws.Thing@1.0', name: 'x', version: '1', actions: [{ name: 'On' }] },
      ],
    });
    expect(messages(r)).toEqual([
      'CommandEndpoint.capabilities[0].actions[0].parameters.Direction: expected StepDirectionEnum member (0 Increase, 1 Decrease), got 7',
      'CommandEndpoint.capabilities[0].actions[1].parameters["Speed"]: unknown parameter of FanControl.Step; expected one of (Direction, Wrap, LowestOff), got "Speed"',
      'CommandEndpoint.capabilities[0].actions[2].parameters.Direction: missing mandatory field Direction of Step',
      'CommandEndpoint.capabilities[0].actions[3].name: expected a FanControl command (Step) or writable attribute, got "Spin"',
      'CommandEndpoint.capabilities[0].actions[4].name: expected a FanControl command (Step) or writable attribute, got "PercentCurrent"',
      'CommandEndpoint.capabilities[1].id: expected a matter.<Cluster>@1.4 capability id, got "aws.Thing@1.0"',
    ]);
  });

  it('checks the endpoint itself', () => {
    expect(messages(capabilityActionsToMatter(null))).toEqual([
      'CommandEndpoint: expected an endpoint object {endpointId, capabilities}, got null',
    ]);
    expect(
      messages(
        capabilityActionsToMatter({ endpointId: 'ep-1', capabilities: 'x' }, 'Endpoints[0]'),
      ),
    ).toEqual([
      'Endpoints[0].endpointId: expected endpoint id of 1-64 letters or digits, got "ep-1"',
      'Endpoints[0].capabilities: expected a list of capabilities, got "x"',
    ]);
  });

  it('is the inverse of matterToCapabilityActions for builder commands', () => {
    for (const c of [
      fanControl.step('Decrease', { wrap: true }),
      onOff.toggle(),
      doorLock.lock(),
      doorLock.unlock(),
      levelControl.moveToLevel(10, 5),
      colorControl.moveToColorTemperature(300),
      thermostat.setpointRaiseLower('Both', -1.5),
    ]) {
      const endpoint = matterEndpoint('1', c);
      const customer = matterToCapabilityActions(endpoint);
      expect(capabilityActionsToMatter(customer)).toEqual({ ok: true, value: endpoint });
    }
  });

  it('never throws on junk (property)', () => {
    fc.assert(
      fc.property(hostile(), hostile(), (a, b) => {
        const endpoint = {
          endpointId: '1',
          capabilities: [
            {
              id: 'matter.FanControl@1.4',
              name: 'n',
              version: '4',
              actions: [{ name: a, parameters: b }],
            },
          ],
        };
        expect(typeof capabilityActionsToMatter(endpoint as never).ok).toBe('boolean');
        expect(typeof capabilityActionsToMatter(a as never).ok).toBe('boolean');
      }),
    );
  });
});

describe('describers', () => {
  it('describes attribute changes in words', () => {
    expect(describeAttributeChange('0x0202', '0x0000', 3)).toBe('FanControl.FanMode = High (3)');
    expect(describeAttributeChange('0x0202', '0x0000', '3')).toBe('FanControl.FanMode = High (3)');
    expect(describeAttributeChange('0x0406', '0x0000', 1)).toBe(
      'OccupancySensing.Occupancy = Occupied (1)',
    );
    expect(describeAttributeChange('0x0006', '0x0000', true)).toBe('OnOff.OnOff = true');
    expect(describeAttributeChange('0x1003', '0x0000', 73)).toBe('0x1003.0x0000 = 73');
  });

  it('never throws on junk endpoints (property)', () => {
    fc.assert(
      fc.property(hostile(), hostile(), (a, b) => {
        expect(Array.isArray(describeMatterEndpoint(a as never))).toBe(true);
        expect(
          Array.isArray(
            describeMatterEndpoint({
              id: '1',
              clusters: [a, { id: '0x0202', attributes: a, commands: b, events: b }],
            } as never),
          ),
        ).toBe(true);
      }),
    );
  });

  it('redacts PIN codes and keys in descriptions', () => {
    const lines = describeMatterEndpoint({
      id: '1',
      clusters: [{ id: '0x0101', commands: { '0x01': { '0x00': '31323334' } } }],
    });
    expect(lines).toEqual(['DoorLock.UnlockDoor(PinCode=<redacted>)']);
  });

  it('describes a whole endpoint, including commands and events', () => {
    expect(
      describeMatterEndpoint({
        id: '1',
        clusters: [{ id: '0x0202', attributes: [{ '0x0000': '3' }] as never }],
      }),
    ).toEqual(['FanControl.FanMode = High (3)']);
    expect(
      describeMatterEndpoint(
        matterEndpoint('1', fanControl.step('Increase'), doorLock.lockState('Locked')),
      ),
    ).toEqual(['FanControl.Step(Direction=0)', 'DoorLock.LockState = Locked (1)']);
  });
});
