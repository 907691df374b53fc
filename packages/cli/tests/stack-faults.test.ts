import type { FaultConfig } from '@c2c-kit/emulator';
import { describe, expect, it } from 'vitest';
import { setEmulatorFaults } from '../src/dev/stackState.js';
import { UsageError } from '../src/errors.js';

const NO_FAULTS: FaultConfig = { throttle: 0, error: 0, latencyMs: 0 };

describe("a stack's setFaults", () => {
  it('changes the faults the emulator reads on its next request', () => {
    const live = { ...NO_FAULTS };
    setEmulatorFaults(live, { hang: 1, throttle: 0.5 });
    expect(live).toEqual({ ...NO_FAULTS, hang: 1, throttle: 0.5 });
  });

  it.each([
    [{ hang: 2 }, /setFaults hang: expected a probability in \[0, 1\], got 2/],
    [{ throttle: -0.1 }, /setFaults throttle/],
    [{ error: Number.NaN }, /setFaults error/],
    [{ latencyMs: -5 }, /setFaults latencyMs: expected a non-negative number/],
  ])('refuses %j and changes nothing', (faults, message) => {
    const live = { ...NO_FAULTS };
    expect(() => setEmulatorFaults(live, faults)).toThrow(UsageError);
    expect(() => setEmulatorFaults(live, faults)).toThrow(message);
    expect(live).toEqual(NO_FAULTS);
  });
});
