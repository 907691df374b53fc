import {
  VendorApiError,
  type VendorClient,
  type VendorCommand,
  type VendorDevice,
} from '../src/vendorClient.js';

/** A typical state of each kind of device, as the simulated vendor cloud reports it. */
export const SAMPLE_STATES: Record<string, Record<string, unknown>> = {
  camera: { motion: false, battery: 100 },
  contact: { open: false, battery: 100 },
  fan: { mode: 'off', speedPercent: 0 },
  light: { on: false, brightness: 100, colorTempKelvin: 4000 },
  lock: { lockState: 'locked' },
  thermostat: { mode: 'heat', temperatureC: 19, heatSetpointC: 21, coolSetpointC: 25 },
};

/**
 * Your cloud, in memory, for unit tests: one user (`user-1`, token `token-1`) with the devices
 * given. It records the commands it receives; `c2c dev` runs the connector against the real
 * (simulated) cloud.
 */
export class MemoryVendor implements VendorClient {
  readonly commands: Array<{ deviceId: string } & VendorCommand> = [];
  revoked = false;

  constructor(readonly devices: VendorDevice[]) {}

  static withKinds(kinds: readonly string[]): MemoryVendor {
    return new MemoryVendor(
      kinds.map((kind) => ({
        deviceId: `${kind}-1`,
        kind,
        name: `Test ${kind}`,
        online: true,
        manufacturer: 'Test',
        model: `T-${kind}`,
        state: { ...SAMPLE_STATES[kind] },
      })),
    );
  }

  #check(token: string): void {
    if (token !== 'token-1') throw new VendorApiError(401, 'invalid_token', 'unknown token');
  }

  async me(token: string) {
    this.#check(token);
    return { userId: 'user-1' };
  }

  async listDevices(token: string) {
    this.#check(token);
    return this.devices;
  }

  async getDevice(token: string, deviceId: string) {
    this.#check(token);
    const device = this.devices.find((d) => d.deviceId === deviceId);
    if (!device) throw new VendorApiError(404, 'not_found', `no device ${deviceId}`);
    return device;
  }

  async command(token: string, deviceId: string, command: VendorCommand) {
    const device = await this.getDevice(token, deviceId);
    this.commands.push({ deviceId, ...command });
    return device;
  }

  async revoke(token: string) {
    this.#check(token);
    this.revoked = true;
  }
}
