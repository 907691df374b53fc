/** Vendor state → Matter attributes, and the capability report each device type gets. */
import { matterEndpoint } from '@c2c-kit/matter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AcmeDevice,
  type AcmeKind,
  capabilityReportFor,
  stateToClusters,
} from '../src/index.js';
import { assertValid, device, FULL } from './translation-fixtures.js';

function attrs(clusters: ReturnType<typeof stateToClusters>) {
  const ep = matterEndpoint('1', ...clusters);
  return Object.fromEntries(ep.clusters.map((c) => [c.id, c.attributes ?? {}]));
}

describe('vendor state → Matter, per device type', () => {
  it('camera: motion → OccupancySensing.Occupancy, battery → PowerSource (half-percent)', () => {
    const a = attrs(stateToClusters('camera', FULL.camera));
    expect(a['0x0406']).toEqual({ '0x0000': 1 });
    expect(a['0x002F']).toEqual({ '0x000C': 174 });
    expect(attrs(stateToClusters('camera', { motion: false }))['0x0406']).toEqual({ '0x0000': 0 });
  });

  it('fan: mode → FanMode enum and OnOff, speed → PercentSetting/PercentCurrent', () => {
    const a = attrs(stateToClusters('fan', FULL.fan));
    expect(a['0x0202']).toEqual({ '0x0000': 3, '0x0002': 80, '0x0003': 80 });
    expect(a['0x0006']).toEqual({ '0x0000': true });
    expect(attrs(stateToClusters('fan', { mode: 'auto' }))['0x0202']).toEqual({ '0x0000': 5 });
    expect(attrs(stateToClusters('fan', { mode: 'off' }))['0x0006']).toEqual({ '0x0000': false });
  });

  it('light: on → OnOff, brightness % → CurrentLevel 0-254, Kelvin → mireds', () => {
    const a = attrs(stateToClusters('light', FULL.light));
    expect(a['0x0006']).toEqual({ '0x0000': true });
    expect(a['0x0008']).toEqual({ '0x0000': 127 });
    expect(a['0x0300']).toEqual({ '0x0007': 370 });
  });

  it('lock: locked/unlocked/jammed → LockState, jammed also raises DoorLockAlarm LockJammed', () => {
    expect(attrs(stateToClusters('lock', { lockState: 'locked' }))['0x0101']).toEqual({
      '0x0000': 1,
    });
    expect(attrs(stateToClusters('lock', { lockState: 'unlocked' }))['0x0101']).toEqual({
      '0x0000': 2,
    });
    const jammed = matterEndpoint('1', ...stateToClusters('lock', { lockState: 'jammed' }));
    expect(jammed.clusters[0]).toEqual({
      id: '0x0101',
      attributes: { '0x0000': 0 },
      events: { '0x00': { '0x00': 0 } },
    });
  });

  it('contact: open → BooleanState.StateValue false (no contact), battery → PowerSource', () => {
    const a = attrs(stateToClusters('contact', FULL.contact));
    expect(a['0x0045']).toEqual({ '0x0000': false });
    expect(a['0x002F']).toEqual({ '0x000C': 80 });
    expect(attrs(stateToClusters('contact', { open: false }))['0x0045']).toEqual({
      '0x0000': true,
    });
  });

  it('thermostat: °C → 0.01 °C, mode → SystemMode', () => {
    const a = attrs(stateToClusters('thermostat', FULL.thermostat));
    expect(a['0x0201']).toEqual({ '0x0000': 1950, '0x0012': 2100, '0x0011': 2500, '0x001C': 4 });
  });

  it('connectivity → BridgedDeviceBasicInformation.Reachable', () => {
    expect(attrs(stateToClusters('camera', {}, false))['0x0039']).toEqual({ '0x0011': false });
  });

  it('every reachable vendor state translates to a valid Matter endpoint (property)', () => {
    const states = fc.oneof(
      fc.record({
        kind: fc.constant('camera' as const),
        s: fc.record({ motion: fc.boolean(), battery: fc.integer({ min: 0, max: 100 }) }),
      }),
      fc.record({
        kind: fc.constant('fan' as const),
        s: fc.record({
          mode: fc.constantFrom('off', 'low', 'medium', 'high', 'auto' as const),
          speedPercent: fc.integer({ min: 0, max: 100 }),
        }),
      }),
      fc.record({
        kind: fc.constant('light' as const),
        s: fc.record({
          on: fc.boolean(),
          brightness: fc.integer({ min: 1, max: 100 }),
          colorTempKelvin: fc.integer({ min: 2700, max: 6500 }),
        }),
      }),
      fc.record({
        kind: fc.constant('lock' as const),
        s: fc.record({ lockState: fc.constantFrom('locked', 'unlocked', 'jammed' as const) }),
      }),
      fc.record({
        kind: fc.constant('contact' as const),
        s: fc.record({ open: fc.boolean(), battery: fc.integer({ min: 0, max: 100 }) }),
      }),
      fc.record({
        kind: fc.constant('thermostat' as const),
        s: fc.record({
          mode: fc.constantFrom('off', 'heat', 'cool', 'auto' as const),
          temperatureC: fc.integer({ min: -200, max: 500 }).map((t) => t / 10),
          heatSetpointC: fc.integer({ min: 70, max: 300 }).map((t) => t / 10),
          coolSetpointC: fc.integer({ min: 160, max: 320 }).map((t) => t / 10),
        }),
      }),
    );
    fc.assert(
      fc.property(states, fc.boolean(), ({ kind, s }, online) => {
        assertValid(stateToClusters(kind, s as AcmeDevice['state'], online));
      }),
      { numRuns: 300 },
    );
  });
});

describe('capability reports', () => {
  const expected: Record<AcmeKind, { deviceTypes: string[]; clusters: string[] }> = {
    camera: {
      deviceTypes: ['Occupancy Sensor', 'Power Source', 'Bridged Node'],
      clusters: ['0x0406', '0x002F', '0x0039'],
    },
    fan: { deviceTypes: ['Fan', 'Bridged Node'], clusters: ['0x0202', '0x0006', '0x0039'] },
    light: {
      deviceTypes: ['Color Temperature Light', 'Bridged Node'],
      clusters: ['0x0006', '0x0008', '0x0300', '0x0039'],
    },
    lock: { deviceTypes: ['Door Lock', 'Bridged Node'], clusters: ['0x0101', '0x0039'] },
    contact: {
      deviceTypes: ['Contact Sensor', 'Bridged Node'],
      clusters: ['0x0045', '0x002F', '0x0039'],
    },
    thermostat: { deviceTypes: ['Thermostat', 'Bridged Node'], clusters: ['0x0201', '0x0039'] },
  };
  for (const kind of Object.keys(expected) as AcmeKind[]) {
    it(`${kind}: device types and clusters`, () => {
      const report = capabilityReportFor(device(kind, FULL[kind]));
      expect(report.version).toBe('1.0.0');
      const [ep] = report.endpoints;
      expect(ep?.id).toBe('1');
      expect(ep?.deviceTypes).toEqual(expected[kind].deviceTypes);
      expect(ep?.clusters.map((c) => c.id)).toEqual(expected[kind].clusters);
      for (const c of ep?.clusters ?? []) {
        expect(c.revision).toBeGreaterThanOrEqual(1);
        expect(c.revision).toBeLessThanOrEqual(10);
      }
      // Every attribute a translated event carries is declared in the report.
      const declared = new Map(
        ep?.clusters.map((c) => [c.id, new Set(c.attributes.map((a) => a.id))]),
      );
      for (const c of matterEndpoint('1', ...stateToClusters(kind, FULL[kind], true)).clusters) {
        for (const attr of Object.keys(c.attributes ?? {})) {
          expect(declared.get(c.id)?.has(attr), `${kind} ${c.id}/${attr} declared`).toBe(true);
        }
      }
    });
  }

  it('carries the device name, vendor and reachability in Bridged Device Basic Information', () => {
    const report = capabilityReportFor({ ...device('fan', FULL.fan), online: false });
    const bdbi = report.endpoints[0]?.clusters.find((c) => c.id === '0x0039');
    const byName = Object.fromEntries(bdbi?.attributes.map((a) => [a.name, a.value]) ?? []);
    expect(byName).toMatchObject({ VendorName: 'Acme', NodeLabel: 'My fan', Reachable: false });
  });
});
