/**
 * The Acme cloud's own device format, as its REST API and webhooks document it. Written here from
 * the vendor's docs, not imported from the vendor's code: a connector only knows the wire format.
 */
export type AcmeKind = 'camera' | 'fan' | 'light' | 'lock' | 'contact' | 'thermostat';
export type AcmeFanMode = 'off' | 'low' | 'medium' | 'high' | 'auto';
export type AcmeLockState = 'locked' | 'unlocked' | 'jammed';
export type AcmeThermostatMode = 'off' | 'heat' | 'cool' | 'auto';

export interface AcmeStates {
  camera: { motion: boolean; battery: number };
  fan: { mode: AcmeFanMode; speedPercent: number };
  light: { on: boolean; brightness: number; colorTempKelvin: number };
  lock: { lockState: AcmeLockState };
  contact: { open: boolean; battery: number };
  thermostat: {
    mode: AcmeThermostatMode;
    temperatureC: number;
    heatSetpointC: number;
    coolSetpointC: number;
  };
}

interface AcmeDeviceOf<K extends AcmeKind> {
  deviceId: string;
  kind: K;
  name: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  online: boolean;
  state: AcmeStates[K];
}

export type AcmeDevice = { [K in AcmeKind]: AcmeDeviceOf<K> }[AcmeKind];

/** A command in the vendor's format: `POST /api/v1/devices/:id/commands`. */
export interface AcmeCommand {
  command: string;
  params?: Record<string, unknown>;
}

/** Webhook payload (Standard Webhooks signed). `data` holds the changed state members. */
export interface AcmeEvent {
  eventId: string;
  type: string;
  deviceId: string;
  kind: AcmeKind;
  userId: string;
  occurredAt: string;
  source: 'device' | 'command' | 'scenario';
  data: Record<string, unknown>;
}
