/**
 * OUR INFERENCES about the connector contract — everything `../shared/contract/c2c-contract.md`
 * marks UNCONFIRMED or INFERRED, in one module, so that correcting one (when AWS publishes the
 * missing examples) is a one-file change. Every other module imports these names instead of
 * hard-coding the choice.
 *
 * Confirmed facts (from the public docs) live next to the code that uses them, not here:
 * `header.auth` for OAuth2.0 and GeneralAuthorization, `payload.operationName`,
 * `payload.operationVersion`, `payload.connectorId`, the four operation names, and the
 * ActivateUser reply `{ header: { responseCode: 200 }, payload: { responseMessage, userId } }`.
 */
import {
  ConnectorDeviceIdShape,
  DeviceDiscoveryIdShape,
  ThirdPartyUserIdShape,
  TraceIdShape,
} from '../generated/validators.js';
import type { ValidationIssue } from '../result.js';

// ---------------------------------------------------------------------------------------------
// Lambda invocations (c2c-contract.md §1–2)

/**
 * `operationVersion` values: ActivateUser examples say "1.0.0", the others "1.0". We send those
 * and ACCEPT ANY non-empty string (contract §1.0: "the toolkit should accept any value").
 */
export const OPERATION_VERSIONS = {
  'AWS.ActivateUser': '1.0.0',
  'AWS.DiscoverDevices': '1.0',
  'AWS.SendCommand': '1.0',
  'AWS.DeactivateUser': '1.0',
} as const;

/**
 * UNCONFIRMED (§1.2): DiscoverDevices carries the discovery id as `payload.deviceDiscoveryId`
 * (camelCase like every other payload key). INFERRED constraint: the model's `DeviceDiscoveryId`
 * (the connector echoes it as `SendConnectorEvent.DeviceDiscoveryId`).
 */
export const DISCOVERY_ID_KEY = 'deviceDiscoveryId';
export const DISCOVERY_ID_SHAPE = DeviceDiscoveryIdShape;

/**
 * UNCONFIRMED (§1.3): the SendCommand payload keys. `connectorDeviceId` and `traceId` are the
 * names CONNECTOR_ERROR_REPORT echoes; `endpoints` is a list of Matter endpoints
 * (`{ id, clusters: [{ id, commands: { "0x01": {…} }, attributes? }] }`).
 */
export const SEND_COMMAND_KEYS = {
  connectorDeviceId: 'connectorDeviceId',
  traceId: 'traceId',
  endpoints: 'endpoints',
} as const;

/**
 * INFERRED constraints for SendCommand fields: the connector echoes them to SendConnectorEvent,
 * so they must satisfy that operation's members (`ConnectorDeviceId`, `TraceId`). MI-generated
 * trace ids look like `9b75f3839b6140f=_1` and are treated as opaque.
 */
export const SEND_COMMAND_DEVICE_ID_SHAPE = ConnectorDeviceIdShape;
export const SEND_COMMAND_TRACE_ID_SHAPE = TraceIdShape;

/**
 * INFERRED: a SendCommand carries at least one endpoint; the customer-side
 * `SendManagedThingCommand.Endpoints` allows 1–5, so we bound the connector side the same way.
 */
export const SEND_COMMAND_ENDPOINTS = { min: 1, max: 5 } as const;

/**
 * UNCONFIRMED (§1.2–1.4): the replies of DiscoverDevices, SendCommand and DeactivateUser use the
 * ActivateUser envelope `{ header: { responseCode }, payload: { responseMessage } }`.
 */
export const REPLY_USES_ACTIVATE_USER_ENVELOPE = true;

/**
 * INFERRED (§2): a reply is a success when `responseCode` is 2xx; anything else is the connector
 * reporting failure (MI turns it into a CONNECTOR_ERROR_REPORT notification).
 */
export function isSuccessResponseCode(code: number): boolean {
  return code >= 200 && code <= 299;
}

/** INFERRED: `responseCode` is an HTTP-style status code. */
export const RESPONSE_CODE_RANGE = { min: 100, max: 599 } as const;

/**
 * INFERRED (§1.1): ActivateUser's `userId` is later sent as `SendConnectorEvent.UserId`, so it
 * must satisfy the model's `ThirdPartyUserId`. Required on a successful ActivateUser reply.
 */
export const ACTIVATE_USER_ID_SHAPE = ThirdPartyUserIdShape;

/**
 * Documented invocation settings (§2: "2 seconds per invocation and 5 retry attempts"). What
 * counts as a failure for retries is UNCONFIRMED; we retry on a thrown Lambda error or timeout,
 * not on a well-formed non-2xx reply (that is the connector's answer, not a transport failure).
 */
export const INVOCATION_SETTINGS = {
  timeoutMs: 2000,
  retries: 5,
  retryOnErrorReply: false,
} as const;

// ---------------------------------------------------------------------------------------------
// Customer notifications (c2c-contract.md §8)

/** `source` of every notification (consistent across the NOTIF examples). */
export const NOTIFICATION_SOURCE = 'aws.iotmanagedintegrations';

/**
 * INFERRED: examples disagree on `version` ("0", "1.0", "1.0.0"); we emit "1.0" and accept any
 * non-empty string.
 */
export const NOTIFICATION_VERSION = '1.0';

/**
 * INFERRED: examples give `timestamp` as epoch milliseconds in a string and as ISO-8601; we emit
 * epoch milliseconds as a string and accept both (and a number of epoch milliseconds).
 */
export function formatNotificationTimestamp(date: Date): string {
  return String(date.getTime());
}

/** Accepted `timestamp` forms (see `formatNotificationTimestamp`). */
export function isNotificationTimestamp(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  if (typeof value !== 'string' || value === '') return false;
  if (/^\d{1,16}$/.test(value)) return true;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value);
}

/** INFERRED: DEVICE_COMMAND `result` values (the examples show "succeeded"; failures "failed"). */
export const DEVICE_COMMAND_RESULTS = ['succeeded', 'failed'] as const;

/** INFERRED: `logLevel` values of ACCOUNT_ASSOCIATION and CONNECTOR_ERROR_REPORT. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** CONNECTOR_ERROR_REPORT's `resourceType` in the NOTIF example. */
export const CONNECTOR_ERROR_RESOURCE_TYPE = 'account-association';

/**
 * INFERRED: CONNECTOR_ERROR_REPORT omits fields without a value, so only these are required;
 * `statusCode` is the connector's `responseCode`, `operation` the invoke operation name.
 */
export const CONNECTOR_ERROR_REPORT_REQUIRED = [
  'statusCode',
  'operation',
  'logLevel',
  'message',
] as const;

// ---------------------------------------------------------------------------------------------
// SendConnectorEvent conventions (c2c-contract.md §3, open item 6)

/**
 * INFERRED: the model requires only `ConnectorId` and `Operation`, but every doc example pairs
 * each `Operation` with certain members. Whether the service enforces this is UNCONFIRMED, so
 * `connectorEventAdvisories` reports these as advice, never as validation failures.
 */
export const CONNECTOR_EVENT_CONVENTIONS: Readonly<Record<string, readonly string[]>> = {
  DEVICE_DISCOVERY: ['DeviceDiscoveryId', 'Devices'],
  DEVICE_COMMAND_RESPONSE: ['TraceId', 'MatterEndpoint'],
  DEVICE_EVENT: ['ConnectorDeviceId', 'MatterEndpoint'],
  DEVICE_COMMAND_REQUEST: [],
};

/**
 * UNCONFIRMED (§9): the service publishes no request-size limit for SendConnectorEvent, and the
 * model caps capability-report endpoints per device at 50 but not devices per DEVICE_DISCOVERY.
 * OUR ASSUMPTION: a request body of at most 256 KiB, the smallest cap common to AWS's event
 * APIs (SQS, SNS, EventBridge), is accepted. The connector runtime splits a discovery with more
 * devices into several DEVICE_DISCOVERY requests with the same `DeviceDiscoveryId`, each under
 * this size (configurable: `policy.maxDiscoveryRequestBytes`); the emulator adds each part's
 * devices to the one discovery (docs/emulator-fidelity.md).
 */
export const DISCOVERY_REQUEST_BYTES = 256 * 1024;

/**
 * Advisory issues for a (valid) SendConnectorEvent input: members the doc examples always send
 * with its `Operation` but the model does not require (e.g. DEVICE_EVENT without
 * `ConnectorDeviceId` cannot be routed to a managed thing).
 */
export function connectorEventAdvisories(request: {
  readonly Operation?: unknown;
  readonly [member: string]: unknown;
}): ValidationIssue[] {
  const expected =
    typeof request.Operation === 'string' ? CONNECTOR_EVENT_CONVENTIONS[request.Operation] : [];
  const out: ValidationIssue[] = [];
  for (const member of expected ?? []) {
    const v = request[member];
    if (v === undefined || v === null) {
      out.push({
        path: member,
        message: `advised with Operation ${JSON.stringify(request.Operation)}: every documented example sends it (the model does not require it)`,
      });
    }
  }
  return out;
}
