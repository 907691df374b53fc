import {
  DEVICE_PRESETS,
  type MatterCluster,
  thermostat as matterThermostat,
  matterToCelsius,
  type ThermostatSystemMode,
} from '@c2c-kit/matter';
import type { VendorCommand } from '../vendorClient.js';
import { CLUSTER, type DeviceKind, unsupported, written } from './kind.js';

const TO_MATTER: Record<string, ThermostatSystemMode> = {
  off: 'Off',
  heat: 'Heat',
  cool: 'Cool',
  auto: 'Auto',
};
/** Thermostat SystemMode values → the vendor's modes. */
const FROM_MATTER: Record<number, string> = { 0: 'off', 1: 'auto', 3: 'cool', 4: 'heat' };

/**
 * A thermostat: `mode` off / heat / cool / auto, `temperatureC` (measured), `heatSetpointC`,
 * `coolSetpointC` (°C; Matter counts 0.01 °C).
 */
export const thermostat: DeviceKind = {
  kind: 'thermostat',
  endpoint: DEVICE_PRESETS.thermostat,
  toClusters(state) {
    const out: MatterCluster[] = [];
    if (typeof state.temperatureC === 'number') {
      out.push(matterThermostat.localTemperature(state.temperatureC));
    }
    if (typeof state.heatSetpointC === 'number') {
      out.push(matterThermostat.occupiedHeatingSetpoint(state.heatSetpointC));
    }
    if (typeof state.coolSetpointC === 'number') {
      out.push(matterThermostat.occupiedCoolingSetpoint(state.coolSetpointC));
    }
    const mode = typeof state.mode === 'string' ? TO_MATTER[state.mode] : undefined;
    if (mode) out.push(matterThermostat.systemMode(mode));
    return out;
  },
  toCommands(request) {
    if (request.clusterId !== CLUSTER.Thermostat) throw unsupported('thermostat', request);
    const commands: VendorCommand[] = [];
    // Attribute writes: OccupiedCoolingSetpoint (0x0011), OccupiedHeatingSetpoint (0x0012),
    // SystemMode (0x001C). Both setpoints go in one call, so the vendor checks their gap once.
    const heat = written(request, '0x0012');
    const cool = written(request, '0x0011');
    if (heat !== undefined || cool !== undefined) {
      commands.push({
        command: 'setSetpoints',
        params: {
          ...(heat === undefined ? {} : { heatSetpointC: matterToCelsius(Number(heat)) }),
          ...(cool === undefined ? {} : { coolSetpointC: matterToCelsius(Number(cool)) }),
        },
      });
    }
    const mode = written(request, '0x001C');
    if (mode !== undefined) {
      const vendorMode = FROM_MATTER[Number(mode)];
      if (!vendorMode) throw unsupported('thermostat', request);
      commands.push({ command: 'setMode', params: { mode: vendorMode } });
    }
    if (commands.length === 0) throw unsupported('thermostat', request);
    return commands;
  },
};
