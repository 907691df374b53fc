import { describe, expect, it } from 'vitest';
import {
  type DeviceEvent,
  DeviceNotFoundError,
  DeviceStateError,
  InvalidRequestError,
  Simulation,
  UnsupportedCommandError,
  userIdFor,
} from '../src/index.js';

const ALICE = userIdFor('alice');
const START = Date.UTC(2026, 0, 1);

function sim(behaviour = {}) {
  const s = new Simulation({ seed: 7, startAt: START, behaviour });
  const events: DeviceEvent[] = [];
  s.onEvent((e) => events.push(e));
  return { s, events };
}

describe('users', () => {
  it('derives a stable user id that fits ThirdPartyUserId', () => {
    expect(userIdFor('alice')).toBe(userIdFor('alice'));
    expect(userIdFor('alice')).not.toBe(userIdFor('bob'));
    expect(userIdFor('alice')).toMatch(/^[a-zA-Z0-9_.,@-]{1,64}$/);
  });
});

describe('camera', () => {
  it('detects motion, clears it after the hold time, and drains its battery to offline', () => {
    const { s, events } = sim({ motionHoldMs: 10_000, cameraDrainMsPerPercent: 1_000 });
    s.trigger('cam-1', 'motion');
    expect(events.at(-1)).toMatchObject({
      type: 'device.motion',
      deviceId: 'cam-1',
      kind: 'camera',
      userId: ALICE,
      source: 'device',
      data: { motion: true },
      occurredAt: new Date(START).toISOString(),
    });
    s.advance(9_000);
    expect(s.getDevice(ALICE, 'cam-1').state).toMatchObject({ motion: true, battery: 91 });
    s.advance(1_000);
    expect(s.getDevice(ALICE, 'cam-1').state).toMatchObject({ motion: false, battery: 90 });
    expect(events.some((e) => e.type === 'device.motion' && e.data.motion === false)).toBe(true);
    s.advance(200_000);
    const cam = s.getDevice(ALICE, 'cam-1');
    expect(cam.online).toBe(false);
    expect(cam.state).toMatchObject({ battery: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'device.connectivity', data: { online: false } });
    expect(() => s.trigger('cam-1', 'motion')).toThrow(DeviceStateError);
    s.trigger('cam-1', 'online');
    expect(s.getDevice(ALICE, 'cam-1').online).toBe(true);
  });

  it('accepts no commands and says which are supported', () => {
    const { s } = sim();
    expect(() => s.execute(ALICE, 'cam-1', 'setMode', {})).toThrow(UnsupportedCommandError);
    expect(() => s.execute(ALICE, 'cam-1', 'setMode', {})).toThrow(/supported: none/);
  });
});

describe('fan', () => {
  it('maps modes to preset speeds and speeds to modes', () => {
    const { s, events } = sim();
    expect(s.execute(ALICE, 'fan-1', 'setMode', { mode: 'high' }).state).toEqual({
      mode: 'high',
      speedPercent: 100,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'device.state',
      source: 'command',
      data: { mode: 'high' },
    });
    expect(s.execute(ALICE, 'fan-1', 'setSpeed', { speedPercent: 40 }).state).toEqual({
      mode: 'medium',
      speedPercent: 40,
    });
    expect(s.execute(ALICE, 'fan-1', 'setMode', { mode: 'auto' }).state).toEqual({
      mode: 'auto',
      speedPercent: 40,
    });
    expect(s.execute(ALICE, 'fan-1', 'setSpeed', { speedPercent: 0 }).state).toEqual({
      mode: 'off',
      speedPercent: 0,
    });
    s.trigger('fan-1', 'button');
    expect(s.getDevice(ALICE, 'fan-1').state).toEqual({ mode: 'low', speedPercent: 33 });
  });

  it('rejects bad parameters with the field path', () => {
    const { s } = sim();
    expect(() => s.execute(ALICE, 'fan-1', 'setMode', { mode: 'turbo' })).toThrow(
      'body.params.mode: expected one of off|low|medium|high|auto, got "turbo"',
    );
    expect(() => s.execute(ALICE, 'fan-1', 'setSpeed', { speedPercent: 101 })).toThrow(
      InvalidRequestError,
    );
    expect(() => s.execute(ALICE, 'fan-1', 'setSpeed', { speedPercnt: 10 })).toThrow(
      /body\.params\.speedPercnt: expected only speedPercent/,
    );
  });
});

describe('light', () => {
  it('switches, dims and changes colour temperature', () => {
    const { s } = sim();
    expect(s.execute(ALICE, 'light-1', 'turnOn', undefined).state).toMatchObject({ on: true });
    expect(s.execute(ALICE, 'light-1', 'setBrightness', { brightness: 30 }).state).toMatchObject({
      brightness: 30,
    });
    expect(
      s.execute(ALICE, 'light-1', 'setColorTemperature', { kelvin: 2700 }).state,
    ).toMatchObject({
      colorTempKelvin: 2700,
    });
    expect(() => s.execute(ALICE, 'light-1', 'setColorTemperature', { kelvin: 9000 })).toThrow(
      /kelvin: expected an integer from 2700 to 6500, got 9000/,
    );
    expect(s.execute(ALICE, 'light-1', 'toggle', {}).state).toMatchObject({ on: false });
    s.trigger('light-1', 'switch');
    expect(s.getDevice(ALICE, 'light-1').state).toMatchObject({ on: true });
  });
});

describe('door lock', () => {
  it('locks and unlocks, and refuses commands while jammed', () => {
    const { s, events } = sim();
    expect(s.execute(ALICE, 'lock-1', 'unlock', {}).state).toEqual({ lockState: 'unlocked' });
    s.trigger('lock-1', 'jam');
    expect(events.at(-1)).toMatchObject({ type: 'device.lock', data: { lockState: 'jammed' } });
    expect(() => s.execute(ALICE, 'lock-1', 'lock', {})).toThrow(DeviceStateError);
    s.trigger('lock-1', 'unjam');
    expect(s.getDevice(ALICE, 'lock-1').state).toEqual({ lockState: 'locked' });
    s.trigger('lock-1', 'manual_unlock');
    expect(s.getDevice(ALICE, 'lock-1').state).toEqual({ lockState: 'unlocked' });
  });
});

describe('contact sensor', () => {
  it('reports open and closed and its battery', () => {
    const { s, events } = sim();
    s.trigger('contact-1', 'open');
    expect(events.at(-1)).toMatchObject({ type: 'device.contact', data: { open: true } });
    s.trigger('contact-1', 'battery', { level: 12 });
    expect(s.getDevice(ALICE, 'contact-1').state).toEqual({ open: true, battery: 12 });
  });
});

describe('thermostat', () => {
  it('drifts toward the active setpoint, 0.1 °C per step', () => {
    const { s, events } = sim({ thermostatStepMs: 1_000 });
    s.advance(5_000);
    expect(s.getDevice(ALICE, 'thermo-1').state).toMatchObject({ temperatureC: 19.5 });
    expect(events.at(-1)).toMatchObject({
      type: 'device.temperature',
      data: { temperatureC: 19.5 },
    });
    s.advance(60_000);
    expect(s.getDevice(ALICE, 'thermo-1').state).toMatchObject({ temperatureC: 21 });
    s.execute(ALICE, 'thermo-1', 'setMode', { mode: 'cool' });
    s.execute(ALICE, 'thermo-1', 'setSetpoints', { heatSetpointC: 17, coolSetpointC: 20 });
    expect(() => s.execute(ALICE, 'thermo-1', 'setSetpoints', { heatSetpointC: 19 })).toThrow(
      'body.params.heatSetpointC: expected at least 2 °C below the cool setpoint 20, got 19',
    );
    expect(() => s.execute(ALICE, 'thermo-1', 'setSetpoints', {})).toThrow(InvalidRequestError);
    s.advance(3_000);
    expect(s.getDevice(ALICE, 'thermo-1').state).toMatchObject({ temperatureC: 20.7 });
  });
});

describe('scenario runner', () => {
  it('runs scripted steps in time order on the simulated clock', () => {
    const { s, events } = sim({ motionHoldMs: 60_000 });
    s.schedule([
      { afterMs: 2_000, deviceId: 'contact-1', event: 'open' },
      { afterMs: 1_000, deviceId: 'cam-1', event: 'motion' },
      { afterMs: 3_000, deviceId: 'cam-1', event: 'motion_cleared' },
    ]);
    expect(s.pendingScenarioSteps()).toBe(3);
    s.advance(1_500);
    const scripted = () =>
      events.filter((e) => e.source === 'scenario').map((e) => `${e.deviceId}:${e.type}`);
    expect(scripted()).toEqual(['cam-1:device.motion']);
    s.advance(10_000);
    expect(scripted()).toEqual([
      'cam-1:device.motion',
      'contact-1:device.contact',
      'cam-1:device.motion',
    ]);
    const times = events
      .filter((e) => e.source === 'scenario')
      .map((e) => Date.parse(e.occurredAt) - START);
    expect(times).toEqual([1_000, 2_000, 3_000]);
    expect(s.pendingScenarioSteps()).toBe(0);
  });

  it('validates the whole script before scheduling any of it', () => {
    const { s } = sim();
    expect(() =>
      s.schedule([
        { afterMs: 0, deviceId: 'cam-1', event: 'motion' },
        { afterMs: 0, deviceId: 'fan-1', event: 'motion' },
      ]),
    ).toThrow(/body\.steps\[1\]\.event: expected one of button\|online\|offline for a fan/);
    expect(s.pendingScenarioSteps()).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const run = () => {
      const { s, events } = sim({ thermostatStepMs: 1_000 });
      s.schedule([{ afterMs: 500, deviceId: 'cam-1', event: 'motion' }]);
      s.advance(30_000);
      return events;
    };
    expect(run()).toEqual(run());
  });
});

describe('ownership', () => {
  it("hides other users' devices as not found", () => {
    const { s } = sim();
    expect(() => s.getDevice(userIdFor('bob'), 'cam-1')).toThrow(DeviceNotFoundError);
    expect(() => s.execute(userIdFor('bob'), 'fan-1', 'setMode', { mode: 'high' })).toThrow(
      DeviceNotFoundError,
    );
  });
});
