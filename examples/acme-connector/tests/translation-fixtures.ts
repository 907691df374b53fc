/** Devices and states shared by the translation tests. */
import { matterEndpoint, validateMatterEndpoint } from '@c2c-kit/matter';
import { formatIssue } from '@c2c-kit/protocol';
import type { AcmeDevice, AcmeKind, AcmeStates, stateToClusters } from '../src/index.js';

/** An online Acme device of `kind` with `state`. */
export function device<K extends AcmeKind>(kind: K, state: AcmeDevice['state']): AcmeDevice {
  return {
    deviceId: `${kind}-1`,
    kind,
    name: `My ${kind}`,
    manufacturer: 'Acme',
    model: `ACME-${kind.toUpperCase()}`,
    serialNumber: `SN-${kind}`,
    firmwareVersion: '1.4.2',
    online: true,
    state,
  } as AcmeDevice;
}

/** Every translated endpoint must be valid Matter 1.4 per the matter package's validator. */
export function assertValid(clusters: ReturnType<typeof stateToClusters>) {
  const r = validateMatterEndpoint(matterEndpoint('1', ...clusters));
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('; '));
  return r.value;
}

/** A full state of every device kind. */
export const FULL: { [K in AcmeKind]: AcmeStates[K] } = {
  camera: { motion: true, battery: 87 },
  fan: { mode: 'high', speedPercent: 80 },
  light: { on: true, brightness: 50, colorTempKelvin: 2700 },
  lock: { lockState: 'locked' },
  contact: { open: true, battery: 40 },
  thermostat: { mode: 'heat', temperatureC: 19.5, heatSetpointC: 21, coolSetpointC: 25 },
};
