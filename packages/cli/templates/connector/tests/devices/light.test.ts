import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { light } from '../../src/devices/light.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('light', () => {
  it('its state is valid Matter', () => {
    const clusters = light.toClusters(SAMPLE_STATES.light ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('OnOff On becomes turnOn; MoveToLevel 127 becomes brightness 50', () => {
    expect(light.toCommands({ clusterId: '0x0006', commandId: '0x01' })).toEqual([
      { command: 'turnOn' },
    ]);
    expect(
      light.toCommands({ clusterId: '0x0008', commandId: '0x00', fields: { '0x00': 127 } }),
    ).toEqual([{ command: 'setBrightness', params: { brightness: 50 } }]);
  });

  it('MoveToColorTemperature 250 mireds becomes 4000 K, clamped to what the light does', () => {
    expect(
      light.toCommands({ clusterId: '0x0300', commandId: '0x0A', fields: { '0x00': 250 } }),
    ).toEqual([{ command: 'setColorTemperature', params: { kelvin: 4000 } }]);
    expect(
      light.toCommands({ clusterId: '0x0300', commandId: '0x0A', fields: { '0x00': 100 } }),
    ).toEqual([{ command: 'setColorTemperature', params: { kelvin: 6500 } }]);
  });
});
