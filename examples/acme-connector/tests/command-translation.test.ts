/** Matter commands and attribute writes → Acme vendor commands. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AcmeDevice, type AcmeKind, planCommands } from '../src/index.js';
import { device, FULL } from './translation-fixtures.js';

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
