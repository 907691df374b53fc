import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { formatIssue } from '@c2c-kit/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AcmeConnectorError,
  type AcmeDevice,
  type AcmeEvent,
  type AcmeKind,
  type AcmeStates,
  capabilityReportFor,
  parseAcmeEvent,
  planCommands,
  stateToClusters,
  translateAcmeEvent,
} from '../src/index.js';

function device<K extends AcmeKind>(kind: K, state: AcmeDevice['state']): AcmeDevice {
  return {
    deviceId: `${kind}-1`,
    kind,
    name: `My ${kind}`,
    manufacturer: 'Acme',
    model: `ACME-${kind.toUpperCase()}`,
    serialNumber: `SN-${kind}`,
    firmwareVersion: '1.4.2',
    online: true,
    state,
  } as AcmeDevice;
}

/** Every translated endpoint must be valid Matter 1.4 per the matter package's validator. */
function assertValid(clusters: ReturnType<typeof stateToClusters>) {
  const r = validateMatterEndpoint(matterEndpoint('1', ...clusters));
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('; '));
  return r.value;
}

function attrs(clusters: ReturnType<typeof stateToClusters>) {
  const ep = matterEndpoint('1', ...clusters);
  return Object.fromEntries(ep.clusters.map((c) => [c.id, c.attributes ?? {}]));
}

const FULL: { [K in AcmeKind]: AcmeStates[K] } = {
  camera: { motion: true, battery: 87 },
  fan: { mode: 'high', speedPercent: 80 },
  light: { on: true, brightness: 50, colorTempKelvin: 2700 },
  lock: { lockState: 'locked' },
  contact: { open: true, battery: 40 },
  thermostat: { mode: 'heat', temperatureC: 19.5, heatSetpointC: 21, coolSetpointC: 25 },
};

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

describe('Matter commands → vendor commands, per device type', () => {
  const one = (
    kind: AcmeKind,
    cluster: string,
    commands?: Record<string, unknown>,
    attributes?: Record<string, unknown>,
    state?: AcmeDevice['state'],
  ) => {
    const plan = planCommands(kind, [
      {
        id: '1',
        clusters: [
          { id: cluster, ...(commands ? { commands } : {}), ...(attributes ? { attributes } : {}) },
        ],
      },
    ]);
    expect(plan).toHaveLength(1);
    const p = plan[0];
    if (!p) throw new Error('no plan');
    return { p, vendor: p.build?.(state ? device(kind, state) : undefined) };
  };

  it('fan: FanMode write, PercentSetting write, OnOff, Step with wrap', () => {
    expect(one('fan', '0x0202', undefined, { '0x0000': 3 }).vendor).toEqual({
      command: 'setMode',
      params: { mode: 'high' },
    });
    expect(one('fan', '0x0202', undefined, { '0x0002': 40 }).vendor).toEqual({
      command: 'setSpeed',
      params: { speedPercent: 40 },
    });
    expect(one('fan', '0x0006', { '0x00': {} }).vendor).toEqual({
      command: 'setMode',
      params: { mode: 'off' },
    });
    const up = one('fan', '0x0202', { '0x00': { '0x00': 0 } }, undefined, {
      mode: 'medium',
      speedPercent: 66,
    });
    expect(up.p.needsState).toBe(true);
    expect(up.vendor).toEqual({ command: 'setMode', params: { mode: 'high' } });
    const wrap = one('fan', '0x0202', { '0x00': { '0x00': 0, '0x01': true } }, undefined, {
      mode: 'high',
      speedPercent: 100,
    });
    expect(wrap.vendor).toEqual({ command: 'setMode', params: { mode: 'off' } });
    expect(one('fan', '0x0202', undefined, { '0x0000': 9 }).p.error?.status).toBe(400);
  });

  it('light: On/Off/Toggle, MoveToLevel, MoveToColorTemperature', () => {
    expect(one('light', '0x0006', { '0x01': {} }).vendor).toEqual({ command: 'turnOn' });
    expect(one('light', '0x0006', { '0x02': {} }).vendor).toEqual({ command: 'toggle' });
    expect(one('light', '0x0008', { '0x00': { '0x00': 254, '0x01': 0 } }).vendor).toEqual({
      command: 'setBrightness',
      params: { brightness: 100 },
    });
    expect(one('light', '0x0008', { '0x04': { '0x00': 0 } }).vendor).toEqual({
      command: 'turnOff',
    });
    expect(one('light', '0x0300', { '0x0A': { '0x00': 250 } }).vendor).toEqual({
      command: 'setColorTemperature',
      params: { kelvin: 4000 },
    });
  });

  it('lock: LockDoor / UnlockDoor', () => {
    expect(one('lock', '0x0101', { '0x00': {} }).vendor).toEqual({ command: 'lock' });
    expect(one('lock', '0x0101', { '0x01': { '0x00': null } }).vendor).toEqual({
      command: 'unlock',
    });
  });

  it('thermostat: SystemMode and setpoint writes, SetpointRaiseLower', () => {
    expect(one('thermostat', '0x0201', undefined, { '0x001C': 3 }).vendor).toEqual({
      command: 'setMode',
      params: { mode: 'cool' },
    });
    expect(one('thermostat', '0x0201', undefined, { '0x0012': 2150 }).vendor).toEqual({
      command: 'setSetpoints',
      params: { heatSetpointC: 21.5 },
    });
    const raise = one(
      'thermostat',
      '0x0201',
      { '0x00': { '0x00': 2, '0x01': -5 } },
      undefined,
      FULL.thermostat,
    );
    expect(raise.vendor).toEqual({
      command: 'setSetpoints',
      params: { heatSetpointC: 20.5, coolSetpointC: 24.5 },
    });
  });

  it('camera and contact sensor accept no commands: each request gets a 400 entry, never a throw', () => {
    const plan = planCommands('camera', [
      {
        id: '1',
        clusters: [{ id: '0x0406', commands: { '0x00': {} }, attributes: { '0x0000': 1 } }],
      },
    ]);
    expect(plan.map((p) => p.error?.status)).toEqual([400, 400]);
    expect(
      planCommands('contact', [
        { id: '1', clusters: [{ id: '0x0045', commands: { '0x00': {} } }] },
      ])[0]?.error,
    ).toBeDefined();
  });

  it('answers commands for an endpoint the device does not have with 404', () => {
    const plan = planCommands('light', [
      { id: '2', clusters: [{ id: '0x0006', commands: { '0x01': {} } }] },
    ]);
    expect(plan[0]?.error).toEqual({
      status: 404,
      message: 'endpoint 2 does not exist on a light (it has endpoint 1)',
    });
    expect(plan[0]?.build).toBeUndefined();
  });

  it('never throws on arbitrary Matter input (property)', () => {
    const id = fc.oneof(
      fc.constantFrom('0x0006', '0x0008', '0x0101', '0x0201', '0x0202', '0x0300', '0x00', '0x01'),
      fc.string(),
    );
    const endpoint = fc.record({
      id: fc.string(),
      clusters: fc.array(
        fc.record({
          id,
          commands: fc.dictionary(id, fc.jsonValue({ maxDepth: 2 })),
          attributes: fc.dictionary(id, fc.jsonValue({ maxDepth: 1 })),
        }),
        { maxLength: 3 },
      ),
    });
    const kinds = fc.constantFrom<AcmeKind>(
      'camera',
      'fan',
      'light',
      'lock',
      'contact',
      'thermostat',
    );
    fc.assert(
      fc.property(kinds, fc.array(endpoint, { maxLength: 2 }), (kind, eps) => {
        for (const p of planCommands(kind, eps)) {
          if (!p.error) expect(() => p.build?.(device(kind, FULL[kind]))).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('webhook events → DEVICE_EVENT content', () => {
  const event = (over: Partial<AcmeEvent>): AcmeEvent => ({
    eventId: 'evt_1',
    type: 'device.motion',
    deviceId: 'cam-1',
    kind: 'camera',
    userId: 'acme-user',
    occurredAt: '2026-01-01T00:00:00.000Z',
    source: 'device',
    data: { motion: true },
    ...over,
  });

  it('translates each Acme event type', () => {
    expect(translateAcmeEvent(event({})).clusters).toEqual([
      { id: '0x0406', attributes: { '0x0000': 1 } },
    ]);
    expect(
      translateAcmeEvent(
        event({
          type: 'device.state',
          deviceId: 'fan-1',
          kind: 'fan',
          data: { mode: 'high', speedPercent: 100 },
        }),
      ),
    ).toMatchObject({
      connectorDeviceId: 'fan-1',
      userId: 'acme-user',
    });
    expect(
      translateAcmeEvent(event({ type: 'device.connectivity', data: { online: false } })).clusters,
    ).toEqual([{ id: '0x0039', attributes: { '0x0011': false } }]);
    for (const [type, kind, data] of [
      ['device.battery', 'camera', { battery: 10 }],
      ['device.contact', 'contact', { open: false }],
      ['device.lock', 'lock', { lockState: 'jammed' }],
      ['device.temperature', 'thermostat', { temperatureC: 20.3 }],
      ['device.state', 'light', { on: true, brightness: 10 }],
      ['device.state', 'thermostat', { heatSetpointC: 20, coolSetpointC: 24 }],
    ] as const) {
      assertValid(translateAcmeEvent(event({ type, kind, data })).clusters);
    }
  });

  it('reports unknown event types and unknown state members', () => {
    expect(() => translateAcmeEvent(event({ type: 'device.exploded' }))).toThrow(
      /unknown Acme event type/,
    );
    expect(() => translateAcmeEvent(event({ data: { motion: true, smell: 'smoke' } }))).toThrow(
      /unknown state member\(s\) smell/,
    );
  });

  it('parsing and translating arbitrary bodies fails only with AcmeConnectorError (property)', () => {
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          eventId: fc.string(),
          type: fc.oneof(
            fc.constantFrom('device.motion', 'device.state', 'device.connectivity'),
            fc.string(),
          ),
          deviceId: fc.string(),
          kind: fc.oneof(
            fc.constantFrom('camera', 'fan', 'light', 'lock', 'contact', 'thermostat'),
            fc.string(),
          ),
          userId: fc.string(),
          occurredAt: fc.string(),
          data: fc.dictionary(
            fc.constantFrom('motion', 'mode', 'on', 'battery', 'online', 'lockState', 'x'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(body, (text) => {
        try {
          translateAcmeEvent(parseAcmeEvent(text));
        } catch (error) {
          // Bad values reach the matter builders, which reject them with their own typed error.
          const known =
            error instanceof AcmeConnectorError || (error as Error).name.startsWith('Matter');
          expect(known, String(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses webhook bodies and names the bad field', () => {
    expect(parseAcmeEvent(JSON.stringify(event({})))).toMatchObject({ deviceId: 'cam-1' });
    expect(() => parseAcmeEvent('{')).toThrow('webhook body: expected JSON');
    expect(() => parseAcmeEvent(JSON.stringify({ ...event({}), kind: 'toaster' }))).toThrow(
      /body\.kind: expected one of/,
    );
    expect(() => parseAcmeEvent(JSON.stringify({ ...event({}), deviceId: '' }))).toThrow(
      /body\.deviceId/,
    );
  });
});
