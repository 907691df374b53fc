import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { thermostat } from '../../src/devices/thermostat.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('thermostat', () => {
  it('its state is valid Matter', () => {
    const clusters = thermostat.toClusters(SAMPLE_STATES.thermostat ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('both setpoint writes become one setSetpoints call', () => {
    expect(
      thermostat.toCommands({
        clusterId: '0x0201',
        attributes: { '0x0012': 2000, '0x0011': 2600 },
      }),
    ).toEqual([{ command: 'setSetpoints', params: { heatSetpointC: 20, coolSetpointC: 26 } }]);
  });
});
