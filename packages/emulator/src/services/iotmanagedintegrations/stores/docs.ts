import type {
  AssociationState,
  AuthConfig,
  AuthType,
  CapabilityReport,
  CapabilitySchemaItem,
  CloudConnectorType,
  DeliveryDestinationType,
  DeviceDiscoveryStatus,
  DiscoveryModification,
  DiscoveryType,
  EndpointConfig,
  EndpointType,
  EventType,
  GeneralAuthorizationName,
  HubNetworkMode,
  MatterCapabilityReport,
  MatterEndpoint,
  OperationShapes,
  ProvisioningStatus,
  Role,
  SecretsManager,
  WiFiSimpleSetupConfiguration,
} from '@c2c-kit/protocol';
import type { DocKeys } from './table.js';

/**
 * The documents the managed-integrations tables hold, one interface per resource. Members named
 * as in the model keep the model's types (its enums included); lower-case members are the
 * emulator's own bookkeeping.
 */

type EncryptionType =
  OperationShapes['PutDefaultEncryptionConfiguration']['input']['encryptionType'];

export interface ConnectorDoc {
  Id: string;
  Name: string;
  EndpointConfig: EndpointConfig;
  Description?: string;
  EndpointType: EndpointType;
  Type: CloudConnectorType;
}

export interface DestinationDoc {
  Id: string;
  Name?: string;
  Description?: string;
  CloudConnectorId: string;
  AuthType?: AuthType;
  AuthConfig: AuthConfig;
  SecretsManager?: SecretsManager;
}

/** OAuth tokens of an account association (stored locally, never returned or logged). */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms; absent when the token endpoint gave no `expires_in`. */
  expiresAt?: number;
}

export interface AssociationDoc {
  AccountAssociationId: string;
  Arn: string;
  ConnectorDestinationId: string;
  Name?: string;
  Description?: string;
  Tags?: Record<string, string>;
  GeneralAuthorization?: GeneralAuthorizationName;
  AssociationState: AssociationState;
  ErrorMessage?: string;
  OAuthAuthorizationUrl: string;
  connectorId: string;
  oauthState?: string;
  tokens?: TokenSet;
  userId?: string;
  /** Epoch ms of the latest successful ActivateUser: the most recent one is the user's current link. */
  activatedAt?: number;
}

export interface DiscoveryDoc {
  Id: string;
  Arn: string;
  DiscoveryType: DiscoveryType;
  Status: DeviceDiscoveryStatus;
  StartedAt: number;
  FinishedAt?: number;
  AccountAssociationId?: string;
  Tags?: Record<string, string>;
  connectorId?: string;
}

export interface DiscoveredDeviceDoc {
  discoveryId: string;
  connectorId: string;
  accountAssociationId?: string;
  ConnectorDeviceId: string;
  ConnectorDeviceName?: string;
  DeviceTypes: string[];
  CapabilityReport: MatterCapabilityReport;
  CapabilitySchemas?: CapabilitySchemaItem[];
  DeviceMetadata?: unknown;
  DiscoveredAt: number;
  Modification: DiscoveryModification;
  ManagedThingId?: string;
}

/**
 * The lookup keys of a discovered device: its discovery (ListDiscoveredDevices), connector and
 * device (re-discoveries), and the device id alone (CreateManagedThing's AuthenticationMaterial).
 */
export function discoveredDeviceKeys(doc: DiscoveredDeviceDoc): DocKeys {
  return {
    k1: doc.discoveryId,
    k2: `${doc.connectorId}|${doc.ConnectorDeviceId}`,
    k3: doc.ConnectorDeviceId,
  };
}

export interface ThingDoc {
  Id: string;
  Arn: string;
  Role: Role;
  Name?: string;
  Owner?: string;
  Brand?: string;
  Model?: string;
  SerialNumber?: string;
  Classification?: string;
  MetaData?: Record<string, string>;
  Tags?: Record<string, string>;
  ProvisioningStatus: ProvisioningStatus;
  ConnectorDeviceId?: string;
  ConnectorDestinationId?: string;
  accountAssociationId?: string;
  connectorId?: string;
  userId?: string;
  CapabilityReport?: MatterCapabilityReport;
  /** A customer-form report set by UpdateManagedThing; replaces the connector's when present. */
  CustomerCapabilityReport?: CapabilityReport;
  CapabilitySchemas?: CapabilitySchemaItem[];
  /** The deprecated `Capabilities` text (Create/UpdateManagedThing), returned as given. */
  Capabilities?: string;
  CredentialLockerId?: string;
  HubNetworkMode?: HubNetworkMode;
  WiFiSimpleSetupConfiguration?: WiFiSimpleSetupConfiguration;
  CreatedAt: number;
  UpdatedAt: number;
  ActivatedAt?: number;
}

/** Per account and region settings (`GetDefaultEncryptionConfiguration`, …). */
export interface AccountSettingDoc {
  encryptionType: EncryptionType;
  kmsKeyArn?: string;
}

export interface CommandDoc {
  TraceId: string;
  ManagedThingId: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  receivedAt: number;
  executedAt?: number;
  endpoints: MatterEndpoint[];
}

export interface NotificationDestinationDoc {
  Name: string;
  DeliveryDestinationArn: string;
  DeliveryDestinationType: DeliveryDestinationType;
  RoleArn: string;
  Description?: string;
  Tags?: Record<string, string>;
  CreatedAt: number;
  UpdatedAt: number;
}

export interface NotificationConfigDoc {
  EventType: EventType;
  DestinationName: string;
  Tags?: Record<string, string>;
  CreatedAt: number;
  UpdatedAt: number;
}

export interface StoredEvent {
  seq: number;
  account: string;
  region: string;
  connectorId: string;
  operation: string;
  traceId: string | null;
  receivedAt: number;
  body: unknown;
}

export interface RejectedEvent {
  seq: number;
  account: string;
  region: string;
  connectorId: string;
  reason: string;
  receivedAt: number;
  body: unknown;
}
