import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { lock } from '../../src/devices/lock.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('lock', () => {
  it('its state is valid Matter', () => {
    const clusters = lock.toClusters(SAMPLE_STATES.lock ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('LockDoor and UnlockDoor become lock and unlock', () => {
    expect(lock.toCommands({ clusterId: '0x0101', commandId: '0x00' })).toEqual([
      { command: 'lock' },
    ]);
    expect(lock.toCommands({ clusterId: '0x0101', commandId: '0x01' })).toEqual([
      { command: 'unlock' },
    ]);
  });
});
