// Public API of @c2c-kit/matter. Named exports only; everything else is internal.

export {
  type CapabilityAction,
  type CommandCapability,
  type CommandEndpoint,
  capabilityActionsToMatter,
  matterToCapabilityActions,
} from './actions.js';
export {
  BAT_CHARGE_LEVELS,
  type BatChargeLevelName,
  booleanState,
  celsiusToMatter,
  clusterCommand,
  clusterState,
  colorControl,
  doorLock,
  FAN_MODES,
  type FanModeName,
  fanControl,
  LOCK_STATES,
  type LockStateName,
  levelControl,
  matterEndpoint,
  matterToCelsius,
  occupancySensing,
  onOff,
  powerSource,
  THERMOSTAT_SYSTEM_MODES,
  type ThermostatSystemMode,
  temperatureMeasurement,
  thermostat,
} from './builders.js';
export {
  type CapabilityEndpoint,
  type CapabilityNaming,
  type CapabilityProperty,
  type CapabilityState,
  type ConversionOptions,
  capabilityId,
  capabilityOf,
  fromCapabilityEndpoint,
  MATTER_SPEC_VERSION,
  type MatterClusterLike,
  type MatterEndpointLike,
  toCapabilityEndpoint,
  unwrap,
} from './capability.js';
export {
  type ConformanceLevel,
  conformanceLevel,
  featureMapOf,
  featuresFromMap,
  formatConformance,
} from './conformance.js';
export {
  MatterBuilderError,
  MatterError,
  type MatterErrorCode,
  MatterIdError,
  MatterValidationError,
  UnknownMatterElementError,
} from './errors.js';
export { MATTER_MODEL_SOURCE } from './generated/source.js';
export {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  formatDeviceTypeId,
  formatEventId,
  formatFieldId,
  parseMatterId,
  tryParseMatterId,
} from './ids.js';
export type {
  AttributeDef,
  BitmapMemberDef,
  ClusterDef,
  CommandDef,
  Conformance,
  DatatypeDef,
  DeviceTypeClusterRequirement,
  DeviceTypeDef,
  EnumMemberDef,
  EventDef,
  FeatureDef,
  FieldDef,
  MatterModelSource,
  ValueKind,
  ValueSpec,
} from './model.js';
export {
  type CapabilityReportAttribute,
  type CapabilityReportCluster,
  type CapabilityReportEndpoint,
  type CapabilityReportSpec,
  type CustomerCapabilityReport,
  type CustomerReportCapability,
  capabilityReport,
  DEVICE_PRESETS,
  type DevicePreset,
  type MatterCapabilityReport,
  type MatterCapabilityReportLike,
  presetEndpoint,
  type ReportClusterSpec,
  type ReportEndpointSpec,
  reportCluster,
  toCustomerCapabilityReport,
} from './report.js';
export { type CommandDirection, getResponseCommand } from './responses.js';
export {
  type CapabilitySchemaSummary,
  capabilitySchema,
  capabilitySchemaSummary,
  SCHEMA_TYPE_DEFINITION_VERSION,
  SCHEMA_TYPE_DEFINITIONS,
  type SchemaFormat,
  typeDefinitionSchema,
} from './schema.js';
export {
  getAttribute,
  getCluster,
  getCommand,
  getDatatype,
  getDeviceType,
  getEvent,
  getField,
  listClusters,
  listDeviceTypes,
} from './table.js';
export {
  isManufacturerSpecificId,
  type MatterCluster,
  type MatterEndpoint,
  type ValidateEndpointOptions,
  validateMatterEndpoint,
} from './validate.js';
export {
  type ValidateValueOptions,
  validateAttributeValue,
  validateCommandFields,
} from './values.js';
export { describeAttributeChange, describeMatterEndpoint } from './words.js';
