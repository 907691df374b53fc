import { describe, expect, it } from 'vitest';
import {
  BAT_CHARGE_LEVELS,
  booleanState,
  celsiusToMatter,
  clusterCommand,
  clusterState,
  colorControl,
  doorLock,
  FAN_MODES,
  fanControl,
  getAttribute,
  getCluster,
  LOCK_STATES,
  levelControl,
  MatterBuilderError,
  matterEndpoint,
  matterToCelsius,
  occupancySensing,
  onOff,
  powerSource,
  THERMOSTAT_SYSTEM_MODES,
  thermostat,
  UnknownMatterElementError,
} from '../src/index.js';

describe('builders write intent, not hex', () => {
  it('fan', () => {
    expect(fanControl.fanMode('High')).toEqual({ id: '0x0202', attributes: { '0x0000': 3 } });
    expect(fanControl.percentSetting(null)).toEqual({
      id: '0x0202',
      attributes: { '0x0002': null },
    });
    expect(fanControl.percentCurrent(55.4)).toEqual({ id: '0x0202', attributes: { '0x0003': 55 } });
    expect(fanControl.step('Decrease')).toEqual({
      id: '0x0202',
      commands: { '0x00': { '0x00': 1 } },
    });
    expect(() => fanControl.fanMode('Turbo' as never)).toThrow(MatterBuilderError);
    expect(() => fanControl.percentCurrent(101)).toThrow(
      'FanControl.PercentCurrent: expected integer 0 to 100',
    );
  });

  it('on/off, level, colour temperature', () => {
    expect(onOff.onOff(false)).toEqual({ id: '0x0006', attributes: { '0x0000': false } });
    expect(onOff.on()).toEqual({ id: '0x0006', commands: { '0x01': {} } });
    expect(onOff.off()).toEqual({ id: '0x0006', commands: { '0x00': {} } });
    expect(levelControl.percent(100)).toEqual({ id: '0x0008', attributes: { '0x0000': 254 } });
    expect(levelControl.currentLevel(1)).toEqual({ id: '0x0008', attributes: { '0x0000': 1 } });
    expect(colorControl.colorTemperatureKelvin(4000)).toEqual({
      id: '0x0300',
      attributes: { '0x0007': 250 },
    });
    expect(colorControl.colorTemperatureMireds(153)).toEqual({
      id: '0x0300',
      attributes: { '0x0007': 153 },
    });
  });

  it('battery percentage is sent in half-percent units', () => {
    expect(powerSource.batteryPercent(80)).toEqual({ id: '0x002F', attributes: { '0x000C': 160 } });
    expect(powerSource.batteryPercent(100)).toEqual({
      id: '0x002F',
      attributes: { '0x000C': 200 },
    });
    expect(() => powerSource.batteryPercent(101)).toThrow(MatterBuilderError);
    expect(powerSource.batChargeLevel('Critical')).toEqual({
      id: '0x002F',
      attributes: { '0x000E': 2 },
    });
  });

  it('occupancy, contact, door lock', () => {
    expect(occupancySensing.motion(true)).toEqual({ id: '0x0406', attributes: { '0x0000': 1 } });
    expect(occupancySensing.occupied(false)).toEqual({ id: '0x0406', attributes: { '0x0000': 0 } });
    expect(booleanState.contact(true)).toEqual({ id: '0x0045', attributes: { '0x0000': true } });
    expect(doorLock.lockState('Locked')).toEqual({ id: '0x0101', attributes: { '0x0000': 1 } });
    expect(doorLock.lockState(null)).toEqual({ id: '0x0101', attributes: { '0x0000': null } });
    expect(doorLock.lock()).toEqual({ id: '0x0101', commands: { '0x00': {} } });
    expect(doorLock.unlock()).toEqual({ id: '0x0101', commands: { '0x01': {} } });
  });

  it('thermostat temperatures in °C become 0.01 °C units', () => {
    expect(celsiusToMatter(21.5)).toBe(2150);
    expect(matterToCelsius(-1234)).toBe(-12.34);
    expect(thermostat.localTemperature(21.5)).toEqual({
      id: '0x0201',
      attributes: { '0x0000': 2150 },
    });
    expect(thermostat.occupiedCoolingSetpoint(24)).toEqual({
      id: '0x0201',
      attributes: { '0x0011': 2400 },
    });
    expect(thermostat.occupiedHeatingSetpoint(19.5)).toEqual({
      id: '0x0201',
      attributes: { '0x0012': 1950 },
    });
    expect(thermostat.systemMode('Cool')).toEqual({ id: '0x0201', attributes: { '0x001C': 3 } });
    expect(thermostat.setpointRaiseLower('Heat', -0.5)).toEqual({
      id: '0x0201',
      commands: { '0x00': { '0x00': 0, '0x01': -5 } },
    });
    expect(() => thermostat.localTemperature(Number.NaN)).toThrow(
      'temperature: expected a finite number, got NaN',
    );
    expect(() => thermostat.localTemperature(400)).toThrow(MatterBuilderError);
  });

  it('matterEndpoint merges clusters with the same id', () => {
    expect(
      matterEndpoint(
        '1',
        fanControl.fanMode('Low'),
        onOff.onOff(true),
        fanControl.percentCurrent(33),
        fanControl.fanMode('Medium'),
      ),
    ).toEqual({
      id: '1',
      clusters: [
        { id: '0x0202', attributes: { '0x0000': 2, '0x0003': 33 } },
        { id: '0x0006', attributes: { '0x0000': true } },
      ],
    });
  });

  it('generic builders validate names and values', () => {
    expect(clusterState('FanControl', { FanMode: 'auto', PercentSetting: 10 })).toEqual({
      id: '0x0202',
      attributes: { '0x0000': 5, '0x0002': 10 },
    });
    expect(
      clusterCommand('FanControl', 'Step', { Direction: 'Increase', LowestOff: false }),
    ).toEqual({ id: '0x0202', commands: { '0x00': { '0x00': 0, '0x02': false } } });
    expect(() => clusterState('FanControl', { Speed: 1 })).toThrow(
      'FanControl: unknown attribute "Speed"',
    );
    expect(() => clusterState('Blender', {})).toThrow(UnknownMatterElementError);
    expect(() => clusterCommand('FanControl', 'Spin')).toThrow(
      'FanControl: unknown command "Spin"',
    );
    expect(() => clusterCommand('FanControl', 'Step', {})).toThrow(
      'missing mandatory field Direction of Step',
    );
  });
});

describe('builder name lists match the generated table', () => {
  it.each([
    ['FanControl', 'FanMode', FAN_MODES],
    ['DoorLock', 'LockState', LOCK_STATES],
    ['PowerSource', 'BatChargeLevel', BAT_CHARGE_LEVELS],
    ['Thermostat', 'SystemMode', THERMOSTAT_SYSTEM_MODES],
  ] as const)('%s.%s', (cluster, attribute, names) => {
    const c = getCluster(cluster);
    const ref = getAttribute(cluster, attribute)?.ref;
    const def = c && ref ? c.datatypes[ref] : undefined;
    expect(def?.kind).toBe('enum');
    const members = def?.kind === 'enum' ? def.members : [];
    for (const name of names) {
      const m = members.find((x) => x.name === name);
      expect(m, name).toBeDefined();
      // Builders only offer members a Matter 1.4 device may send.
      expect(['D', 'X']).not.toContain(m?.conformance);
    }
  });
});
