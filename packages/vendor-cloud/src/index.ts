export {
  buildVendorCloud,
  type StartedVendorCloud,
  startVendorCloud,
  type VendorCloud,
  type VendorCloudOptions,
} from './app.js';
export type { BehaviourOptions } from './behaviours.js';
export {
  type CameraState,
  COMMANDS,
  type ContactState,
  DEVICE_KINDS,
  type DeviceKind,
  type DeviceStates,
  FAN_MODES,
  type FanMode,
  type FanState,
  fanModeForPercent,
  type LightState,
  LOCK_STATES,
  type LockDeviceState,
  type LockState,
  THERMOSTAT_MODES,
  type ThermostatMode,
  type ThermostatState,
  TRIGGERS,
  type VendorDevice,
} from './devices.js';
export {
  DeviceNotFoundError,
  DeviceStateError,
  InvalidRequestError,
  UnsupportedCommandError,
  VendorCloudError,
  VendorConfigError,
} from './errors.js';
export { type ListenOptions, listenHost, nonLoopbackWarning } from './listen.js';
export { DEFAULT_CLIENTS, type OAuthClientConfig, SCOPES } from './oauthStore.js';
export type { ScenarioStep } from './scenario.js';
export {
  DEFAULT_DEVICES,
  DEFAULT_USERS,
  type DeviceEvent,
  type DeviceSeed,
  Simulation,
  type UserSeed,
  userIdFor,
  type VendorUser,
} from './simulation.js';
export {
  type DeliveryAttempt,
  type DeliveryRecord,
  generateWebhookSecret,
  WebhookDispatcher,
  type WebhookOptions,
  type WebhookRetryOptions,
} from './webhooks.js';
