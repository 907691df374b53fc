import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { describe, expect, it } from 'vitest';
import { contact } from '../../src/devices/contact.js';
import { SAMPLE_STATES } from '../memoryVendor.js';

describe('contact', () => {
  it('its state is valid Matter', () => {
    const clusters = contact.toClusters(SAMPLE_STATES.contact ?? {});
    expect(clusters.length).toBeGreaterThan(0);
    const checked = validateMatterEndpoint(matterEndpoint('1', ...clusters));
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('reports a closed door as contact made (StateValue true)', () => {
    expect(contact.toClusters({ open: false })).toEqual([
      { id: '0x0045', attributes: { '0x0000': true } },
    ]);
  });
});
