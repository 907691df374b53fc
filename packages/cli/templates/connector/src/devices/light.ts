import {
  colorControl,
  DEVICE_PRESETS,
  levelControl,
  type MatterCluster,
  onOff,
} from '@c2c-kit/matter';
import { CLUSTER, type DeviceKind, unsupported } from './kind.js';

/** A dimmable, tunable-white light: `on`, `brightness` 1–100 %, `colorTempKelvin` 2700–6500. */
export const light: DeviceKind = {
  kind: 'light',
  endpoint: DEVICE_PRESETS.light,
  toClusters(state) {
    const out: MatterCluster[] = [];
    if (typeof state.on === 'boolean') out.push(onOff.onOff(state.on));
    if (typeof state.brightness === 'number') out.push(levelControl.percent(state.brightness));
    if (typeof state.colorTempKelvin === 'number') {
      out.push(colorControl.colorTemperatureKelvin(state.colorTempKelvin));
    }
    return out;
  },
  toCommands(request) {
    if (request.clusterId === CLUSTER.OnOff) {
      // OnOff commands: 0x00 Off, 0x01 On, 0x02 Toggle.
      const command = { '0x00': 'turnOff', '0x01': 'turnOn', '0x02': 'toggle' }[
        request.commandId ?? ''
      ];
      if (command) return [{ command }];
    }
    // LevelControl MoveToLevel (0x00) / MoveToLevelWithOnOff (0x04): Level (field 0x00) 0–254.
    if (
      request.clusterId === CLUSTER.LevelControl &&
      (request.commandId === '0x00' || request.commandId === '0x04')
    ) {
      const level = Number(request.fields?.['0x00']);
      if (Number.isFinite(level)) {
        const brightness = Math.min(100, Math.max(1, Math.round((level * 100) / 254)));
        return [{ command: 'setBrightness', params: { brightness } }];
      }
    }
    // ColorControl MoveToColorTemperature (0x0A): ColorTemperatureMireds (field 0x00) → kelvin.
    if (request.clusterId === CLUSTER.ColorControl && request.commandId === '0x0A') {
      const mireds = Number(request.fields?.['0x00']);
      if (Number.isFinite(mireds) && mireds > 0) {
        const kelvin = Math.min(6500, Math.max(2700, Math.round(1_000_000 / mireds)));
        return [{ command: 'setColorTemperature', params: { kelvin } }];
      }
    }
    throw unsupported('light', request);
  },
};
