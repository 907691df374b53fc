import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  MatterIdError,
  parseMatterId,
  tryParseMatterId,
} from '../src/index.js';

describe('parseMatterId', () => {
  it('accepts padded hex, short hex, decimal strings and numbers', () => {
    expect(parseMatterId('0x0202')).toBe(514);
    expect(parseMatterId('0x202')).toBe(514);
    expect(parseMatterId('0X202')).toBe(514);
    expect(parseMatterId('514')).toBe(514);
    expect(parseMatterId(514)).toBe(514);
    expect(parseMatterId('0x15570003')).toBe(0x15570003);
  });

  it('rejects names, negatives, fractions and ids beyond 32 bits with a clear error', () => {
    for (const bad of [
      'fan',
      '',
      '0x',
      '-1',
      '1.5',
      '0x1FFFFFFFF',
      4294967296,
      -1,
      1.5,
      null,
      {},
      '0x 1',
    ]) {
      expect(() => parseMatterId(bad)).toThrow(MatterIdError);
    }
    expect(() => parseMatterId('fan')).toThrow(
      'expected hex "0x…" or decimal Matter id (0 to 0xFFFFFFFF), got "fan"',
    );
  });

  it('round-trips every 32-bit id through every canonical format (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (id) => {
        for (const format of [formatClusterId, formatAttributeId, formatCommandId]) {
          const text = format(id);
          expect(text).toMatch(/^0x[0-9A-F]+$/);
          expect(parseMatterId(text)).toBe(id);
          expect(parseMatterId(text.toLowerCase())).toBe(id);
        }
        expect(parseMatterId(String(id))).toBe(id);
      }),
    );
  });

  it('never throws from tryParseMatterId on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const r = tryParseMatterId(value);
        expect(r === undefined || (Number.isInteger(r) && r >= 0 && r <= 0xffff_ffff)).toBe(true);
      }),
    );
  });
});

describe('canonical id formats (as AWS examples write them)', () => {
  it('pads clusters and attributes to 4 digits, commands to 2, upper-case digits', () => {
    expect(formatClusterId(514)).toBe('0x0202');
    expect(formatClusterId('0x2b')).toBe('0x002B');
    expect(formatAttributeId(0)).toBe('0x0000');
    expect(formatAttributeId(0xfffd)).toBe('0xFFFD');
    expect(formatCommandId(0)).toBe('0x00');
    expect(formatCommandId(0x0a)).toBe('0x0A');
  });

  it('writes manufacturer-specific 32-bit ids with 8 digits', () => {
    expect(formatAttributeId(0x15570003)).toBe('0x15570003');
    expect(formatAttributeId(0x10000)).toBe('0x00010000');
    expect(formatCommandId(0x100)).toBe('0x00000100');
  });
});
