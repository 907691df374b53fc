import {
  DEVICE_PRESETS,
  type FanModeName,
  fanControl,
  type MatterCluster,
  onOff,
} from '@c2c-kit/matter';
import { CLUSTER, type DeviceKind, unsupported, written } from './kind.js';

const TO_MATTER: Record<string, FanModeName> = {
  off: 'Off',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  auto: 'Auto',
};
/** FanControl FanMode values → the vendor's modes. */
const FROM_MATTER: Record<number, string> = {
  0: 'off',
  1: 'low',
  2: 'medium',
  3: 'high',
  5: 'auto',
};

/** A fan: `mode` off / low / medium / high / auto, `speedPercent` 0–100. */
export const fan: DeviceKind = {
  kind: 'fan',
  endpoint: DEVICE_PRESETS.fan,
  toClusters(state) {
    const out: MatterCluster[] = [];
    const mode = typeof state.mode === 'string' ? TO_MATTER[state.mode] : undefined;
    if (mode) out.push(fanControl.fanMode(mode), onOff.onOff(mode !== 'Off'));
    if (typeof state.speedPercent === 'number') {
      out.push(
        fanControl.percentSetting(state.speedPercent),
        fanControl.percentCurrent(state.speedPercent),
      );
    }
    return out;
  },
  toCommands(request) {
    if (request.clusterId === CLUSTER.FanControl) {
      // Attribute writes: FanMode (0x0000), PercentSetting (0x0002).
      const mode = FROM_MATTER[Number(written(request, '0x0000'))];
      if (mode) return [{ command: 'setMode', params: { mode } }];
      const percent = Number(written(request, '0x0002'));
      if (written(request, '0x0002') !== undefined && Number.isFinite(percent)) {
        return [{ command: 'setSpeed', params: { speedPercent: Math.round(percent) } }];
      }
    }
    // OnOff On (0x01) runs the fan in auto, Off (0x00) stops it.
    if (request.clusterId === CLUSTER.OnOff && request.commandId === '0x01') {
      return [{ command: 'setMode', params: { mode: 'auto' } }];
    }
    if (request.clusterId === CLUSTER.OnOff && request.commandId === '0x00') {
      return [{ command: 'setMode', params: { mode: 'off' } }];
    }
    throw unsupported('fan', request);
  },
};
