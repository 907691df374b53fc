import { camera } from './camera.js'; // c2c-kind camera
import { contact } from './contact.js'; // c2c-kind contact
import { fan } from './fan.js'; // c2c-kind fan
import type { DeviceKind } from './kind.js';
import { light } from './light.js'; // c2c-kind light
import { lock } from './lock.js'; // c2c-kind lock
import { thermostat } from './thermostat.js'; // c2c-kind thermostat

/**
 * The kinds of device this connector supports. Devices of other kinds are not discovered, and
 * their webhooks are answered 422 (counted and logged). Add a kind: a file like `light.ts`, then
 * a line here.
 */
export const KINDS: readonly DeviceKind[] = [
  camera, // c2c-kind camera
  contact, // c2c-kind contact
  fan, // c2c-kind fan
  light, // c2c-kind light
  lock, // c2c-kind lock
  thermostat, // c2c-kind thermostat
];

export function kindOf(name: string): DeviceKind | undefined {
  return KINDS.find((k) => k.kind === name);
}
