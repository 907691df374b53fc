import { describe, expect, it } from 'vitest';
import {
  getAttribute,
  getCluster,
  getCommand,
  getDeviceType,
  getEvent,
  listClusters,
  listDeviceTypes,
  MATTER_MODEL_SOURCE,
} from '../src/index.js';

describe('generated Matter 1.4 table', () => {
  it('comes from @matter/model 0.15.x (Matter 1.4)', () => {
    expect(MATTER_MODEL_SOURCE.package).toBe('@matter/model');
    expect(MATTER_MODEL_SOURCE.packageVersion).toMatch(/^0\.15\./);
    expect(MATTER_MODEL_SOURCE.specVersion).toBe('1.4');
  });

  it('ratchet: never loses clusters, attributes, commands, events or device types', () => {
    const clusters = listClusters();
    const count = (f: (c: (typeof clusters)[number]) => number) =>
      clusters.reduce((n, c) => n + f(c), 0);
    expect(clusters.length).toBeGreaterThanOrEqual(119);
    expect(count((c) => c.attributes.filter((a) => a.id < 0xf000).length)).toBeGreaterThanOrEqual(
      977,
    );
    expect(count((c) => c.commands.length)).toBeGreaterThanOrEqual(385);
    expect(count((c) => c.events.length)).toBeGreaterThanOrEqual(113);
    expect(listDeviceTypes().length).toBeGreaterThanOrEqual(71);
  });

  it('keeps every AWS capability-report revision within 1–10 and names within AWS patterns', () => {
    for (const c of listClusters()) {
      expect(c.awsRevision).toBeGreaterThanOrEqual(1);
      expect(c.awsRevision).toBeLessThanOrEqual(10);
      expect(c.awsRevision).toBe(Math.min(10, Math.max(1, c.revision)));
      // CapabilityName: ^[/a-zA-Z0-9\._ -]+$, 1–128; SchemaVersionedId: ^[a-zA-Z0-9.]+@…$
      expect(c.displayName).toMatch(/^[/a-zA-Z0-9._ -]{1,128}$/);
      expect(`matter.${c.name}@1.4`).toMatch(/^[a-zA-Z0-9.]+@(\d+\.\d+(\.\d+)?)$/);
    }
    for (const d of listDeviceTypes())
      expect(d.displayName).toMatch(/^[a-zA-Z0-9=_. ,@+\-/]{1,256}$/);
  });

  it('matches Matter 1.4 revisions (not 1.5/1.6)', () => {
    expect(getCluster('FanControl')?.revision).toBe(4);
    expect(getCluster('DoorLock')?.revision).toBe(8);
    expect(getCluster('Thermostat')?.revision).toBe(8);
    expect(getCluster('OnOff')?.revision).toBe(6);
  });

  it('looks clusters up by id in any form, by name, display name and capability id', () => {
    for (const ref of [
      '0x0202',
      '0x202',
      '514',
      514,
      'FanControl',
      'fancontrol',
      'Fan Control',
      'matter.FanControl@1.4',
    ]) {
      expect(getCluster(ref)?.id).toBe(0x0202);
    }
    expect(getCluster('On/Off')?.name).toBe('OnOff');
    expect(getCluster('NoSuchCluster')).toBeUndefined();
    expect(getCluster('0xFFFF')).toBeUndefined();
  });

  it('looks attributes, commands, events and device types up by id or name', () => {
    const fanMode = getAttribute('FanControl', '0x0000');
    expect(fanMode).toMatchObject({
      name: 'FanMode',
      kind: 'enum',
      type: 'FanModeEnum',
      writable: true,
    });
    expect(getAttribute(0x202, 'PercentSetting')).toMatchObject({
      id: 2,
      nullable: true,
      max: 100,
    });
    expect(getAttribute('FanControl', 'Nope')).toBeUndefined();
    const lock = getCommand('DoorLock', 'LockDoor');
    expect(lock).toMatchObject({ id: 0, timed: true, direction: 'request' });
    expect(getCommand('DoorLock', '0x00')?.name).toBe('LockDoor');
    // 0x1C is only a response (GetUserResponse): found without a direction, not as a request.
    expect(getCommand('DoorLock', '0x1C')?.name).toBe('GetUserResponse');
    expect(getCommand('DoorLock', '0x1C', 'request')).toBeUndefined();
    expect(getCommand('DoorLock', 'GetUser', 'response')).toBeUndefined();
    expect(getEvent('DoorLock', '0x02')?.name).toBe('LockOperation');
    expect(getDeviceType('Fan')?.id).toBe(0x002b);
    expect(getDeviceType('0x002B')?.name).toBe('Fan');
    expect(
      getDeviceType('Contact Sensor')?.clusters.find((c) => c.name === 'BooleanState')?.mandatory,
    ).toBe(true);
  });

  it('carries enum members with conformance and features with bits', () => {
    const fan = getCluster('FanControl');
    const def = fan?.datatypes.FanModeEnum;
    expect(def?.kind).toBe('enum');
    if (def?.kind !== 'enum') return;
    expect(def.members.map((m) => `${m.value}=${m.name}`)).toEqual([
      '0=Off',
      '1=Low',
      '2=Medium',
      '3=High',
      '4=On',
      '5=Auto',
      '6=Smart',
    ]);
    expect(def.members.find((m) => m.name === 'Auto')?.conformance).toEqual(['n', 'AUT']);
    expect(fan?.features.find((f) => f.code === 'AUT')).toEqual({
      bit: 1,
      code: 'AUT',
      name: 'Auto',
    });
  });
});
