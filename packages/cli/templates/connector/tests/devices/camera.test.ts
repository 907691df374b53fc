import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { camera } from '../../src/devices/camera.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('camera', () => {
  it('its state is valid Matter', () => {
    const clusters = camera.toClusters(SAMPLE_STATES.camera ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('takes no commands', () => {
    expect(() => camera.toCommands({ clusterId: '0x0006', commandId: '0x01' })).toThrow(
      /cannot do cluster 0x0006 command 0x01/,
    );
  });
});
