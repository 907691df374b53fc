import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { fan } from '../../src/devices/fan.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('fan', () => {
  it('its state is valid Matter', () => {
    const clusters = fan.toClusters(SAMPLE_STATES.fan ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('FanMode High (3) becomes setMode high', () => {
    expect(fan.toCommands({ clusterId: '0x0202', attributes: { '0x0000': 3 } })).toEqual([
      { command: 'setMode', params: { mode: 'high' } },
    ]);
  });
});
