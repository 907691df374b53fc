import { describe, expect, it } from 'vitest';
import {
  capabilityReport,
  DEVICE_PRESETS,
  type DevicePreset,
  getCluster,
  MatterBuilderError,
  presetEndpoint,
  reportCluster,
  toCustomerCapabilityReport,
  UnknownMatterElementError,
} from '../src/index.js';

describe('capabilityReport (DEVICE_DISCOVERY)', () => {
  it('declares the fan with mandatory attributes, feature map and AWS naming', () => {
    const report = capabilityReport({
      nodeId: 'n1',
      endpoints: [
        { id: '1', deviceTypes: ['Fan'], clusters: [{ cluster: 'FanControl', features: ['AUT'] }] },
      ],
    });
    expect(report).toEqual({
      version: '1.0.0',
      nodeId: 'n1',
      endpoints: [
        {
          id: '1',
          deviceTypes: ['Fan'],
          clusters: [
            {
              id: '0x0202',
              revision: 4,
              publicId: 'matter.FanControl@1.4',
              name: 'Fan Control',
              specVersion: '1.4',
              attributes: [
                { id: '0x0000', name: 'FanMode' },
                { id: '0x0001', name: 'FanModeSequence' },
                { id: '0x0002', name: 'PercentSetting' },
                { id: '0x0003', name: 'PercentCurrent' },
              ],
              commands: [],
              events: [],
              featureMap: 2,
              generatedCommands: [],
            },
          ],
        },
      ],
    });
  });

  it('adds feature-mandatory elements, optional ones on request, and response commands', () => {
    const fan = reportCluster({ cluster: 'FanControl', features: ['SPD', 'STEP'] });
    expect(fan.attributes.map((a) => a.name)).toEqual(
      expect.arrayContaining(['SpeedMax', 'SpeedSetting', 'SpeedCurrent']),
    );
    expect(fan.commands).toEqual(['0x00']);
    expect(fan.featureMap).toBe(1 + 16);
    const lock = reportCluster({
      cluster: 'DoorLock',
      features: ['USR', 'PIN'],
      commands: ['GetUser'],
    });
    expect(lock.commands).toContain('0x1B');
    expect(lock.generatedCommands).toContain('0x1C'); // GetUserResponse
    const withValues = reportCluster({
      cluster: 'PowerSource',
      features: ['BAT'],
      attributes: { BatPercentRemaining: 200 },
    });
    expect(withValues.attributes).toContainEqual({
      id: '0x000C',
      name: 'BatPercentRemaining',
      value: 200,
    });
  });

  it('rejects unknown clusters, features, attributes and device types', () => {
    expect(() => reportCluster('Blender')).toThrow(UnknownMatterElementError);
    expect(() => reportCluster({ cluster: 'FanControl', features: ['TURBO'] })).toThrow(
      MatterBuilderError,
    );
    expect(() => reportCluster({ cluster: 'FanControl', attributes: ['Nope'] })).toThrow(
      'FanControl: unknown attribute "Nope"',
    );
    expect(() =>
      capabilityReport({ endpoints: [{ id: '1', deviceTypes: ['Toaster'], clusters: [] }] }),
    ).toThrow(UnknownMatterElementError);
  });

  it.each(Object.keys(DEVICE_PRESETS) as DevicePreset[])(
    'preset %s is within AWS limits and consistent with the table',
    (preset) => {
      const report = capabilityReport({ endpoints: [presetEndpoint(preset, '1')] });
      const endpoint = report.endpoints[0];
      expect(endpoint?.deviceTypes.length).toBeGreaterThan(0);
      for (const c of endpoint?.clusters ?? []) {
        const def = getCluster(c.id);
        expect(def).toBeDefined();
        expect(c.revision).toBeGreaterThanOrEqual(1);
        expect(c.revision).toBeLessThanOrEqual(10);
        expect(c.publicId).toBe(`matter.${def?.name}@1.4`);
        expect(c.attributes.length).toBeLessThanOrEqual(100);
        expect(c.attributes.length).toBeGreaterThan(0);
        for (const a of c.attributes) expect(a.id).toMatch(/^0x[0-9A-F]{4}$/);
        for (const id of [...c.commands, ...c.events, ...c.generatedCommands])
          expect(id).toMatch(/^0x[0-9A-F]{2}$/);
      }
    },
  );

  it('composes the camera from Matter 1.4 device types (no camera device type before 1.5)', () => {
    const report = capabilityReport({ endpoints: [presetEndpoint('camera')] });
    expect(report.endpoints[0]?.deviceTypes).toEqual(['Occupancy Sensor', 'Power Source']);
    expect(report.endpoints[0]?.clusters.map((c) => c.id)).toEqual(['0x0406', '0x002F']);
  });
});

describe('toCustomerCapabilityReport', () => {
  it('names the clusters, attributes, commands and events of the model example report', () => {
    // SendConnectorEvent DEVICE_DISCOVERY example of the Smithy model (cluster 0x0201 = Thermostat).
    const report = {
      version: '1.0.0',
      nodeId: '1',
      endpoints: [
        {
          id: 'EP1',
          deviceTypes: ['Refrigerator'],
          clusters: [
            {
              id: '0x0201',
              revision: 1,
              attributes: [
                { id: '0x0000', value: 'exampleString' },
                { id: '0x0001' },
                { id: '0x0002' },
              ],
              commands: ['0x00', '0x01'],
              events: [],
            },
          ],
        },
      ],
    };
    expect(toCustomerCapabilityReport(report)).toEqual({
      version: '1.0.0',
      nodeId: '1',
      endpoints: [
        {
          id: 'EP1',
          deviceTypes: ['Refrigerator'],
          capabilities: [
            {
              id: 'matter.Thermostat@1.4',
              name: 'Thermostat',
              version: '8',
              properties: ['LocalTemperature', 'OutdoorTemperature', 'Occupancy'],
              actions: ['SetpointRaiseLower', 'SetWeeklySchedule'],
              events: [],
            },
          ],
        },
      ],
    });
  });

  it('is consistent with capabilityReport for every preset, and keeps unknown ids as hex', () => {
    for (const preset of Object.keys(DEVICE_PRESETS) as DevicePreset[]) {
      const report = capabilityReport({ endpoints: [presetEndpoint(preset)] });
      const customer = toCustomerCapabilityReport(report);
      const clusters = report.endpoints[0]?.clusters ?? [];
      expect(customer.endpoints[0]?.capabilities.map((c) => c.id)).toEqual(
        clusters.map((c) => c.publicId),
      );
      expect(customer.endpoints[0]?.capabilities.map((c) => c.properties)).toEqual(
        clusters.map((c) => c.attributes.map((a) => a.name)),
      );
    }
    const vendor = {
      version: '1.0.0',
      endpoints: [
        {
          id: '1',
          deviceTypes: [],
          clusters: [
            {
              id: '0x1003',
              revision: 2,
              attributes: [{ id: '0x15570003' }],
              commands: ['0x3'],
              events: [],
            },
          ],
        },
      ],
    };
    expect(toCustomerCapabilityReport(vendor).endpoints[0]?.capabilities).toEqual([
      {
        id: 'matter.0x1003@1.4',
        name: '0x1003',
        version: '2',
        properties: ['0x15570003'],
        actions: ['0x03'],
        events: [],
      },
    ]);
  });
});
