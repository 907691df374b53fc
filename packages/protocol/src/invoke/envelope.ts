/**
 * Validation and construction of Lambda invoke envelopes and replies. Validation never throws and
 * never echoes a token; builders validate and throw `InvalidMessageError`.
 */
import {
  checkArray,
  checkInteger,
  checkObject,
  checkShapeString,
  checkString,
  isObject,
  type Json,
} from '../check.js';
import { InvalidMessageError } from '../errors.js';
import type { MatterEndpoint } from '../generated/types.js';
import {
  ConnectorIdShape,
  checkMatterEndpoint,
  checkSecretsManager,
} from '../generated/validators.js';
import { normalizeMatterEndpoints } from '../normalize.js';
import type { Result, ValidationIssue } from '../result.js';
import { at, REDACTED } from '../validate-runtime.js';
import {
  ACTIVATE_USER_ID_SHAPE,
  DISCOVERY_ID_KEY,
  DISCOVERY_ID_SHAPE,
  isSuccessResponseCode,
  OPERATION_VERSIONS,
  RESPONSE_CODE_RANGE,
  SEND_COMMAND_DEVICE_ID_SHAPE,
  SEND_COMMAND_ENDPOINTS,
  SEND_COMMAND_KEYS,
  SEND_COMMAND_TRACE_ID_SHAPE,
} from './inferred.js';
import {
  CONNECTOR_OPERATIONS,
  type ConnectorInvocation,
  type ConnectorInvokeReply,
  type ConnectorOperationName,
  type InvocationAuth,
} from './types.js';

const AUTH_TYPES = ['OAuth2.0', 'GeneralAuthorization'] as const;

function checkAuth(header: Json, out: ValidationIssue[]): void {
  const auth = header.auth;
  if (auth === undefined || auth === null) {
    out.push({ path: 'header.auth', message: 'required: expected an object with "type"' });
    return;
  }
  if (!checkObject(auth, 'header.auth', out, 'invocation auth')) return;
  checkString(auth, 'type', 'header.auth', out, { values: AUTH_TYPES });
  if (auth.type === 'OAuth2.0') {
    checkString(auth, 'token', 'header.auth', out, { sensitive: true });
  } else if (auth.type === 'GeneralAuthorization') {
    const sm = auth.secretsManager;
    if (sm === undefined || sm === null) {
      out.push({
        path: 'header.auth.secretsManager',
        message: 'required: expected an object {arn, versionId}',
      });
    } else {
      checkSecretsManager(sm, 'header.auth.secretsManager', out);
    }
  }
}

/**
 * Validates a Lambda invocation event from managed integrations (any of the four operations).
 * SendCommand endpoints are normalised (`attributes` array form → map form); the value returned
 * is then a copy, otherwise the input itself.
 */
export function validateConnectorInvocation(value: unknown): Result<ConnectorInvocation> {
  const out: ValidationIssue[] = [];
  if (!checkObject(value, '', out, 'invocation {header, payload}'))
    return { ok: false, issues: out };
  const header = value.header;
  if (header === undefined || header === null) {
    out.push({ path: 'header', message: 'required: expected an object {auth}' });
  } else if (checkObject(header, 'header', out, 'invocation header')) {
    checkAuth(header, out);
  }
  let result: unknown = value;
  const payload = value.payload;
  if (payload === undefined || payload === null) {
    out.push({ path: 'payload', message: 'required: expected an object {operationName, …}' });
  } else if (checkObject(payload, 'payload', out, 'invocation payload')) {
    checkString(payload, 'operationName', 'payload', out, { values: CONNECTOR_OPERATIONS });
    checkString(payload, 'operationVersion', 'payload', out);
    checkShapeString(payload, 'connectorId', 'payload', out, ConnectorIdShape);
    switch (payload.operationName as ConnectorOperationName) {
      case 'AWS.DiscoverDevices':
        checkShapeString(payload, DISCOVERY_ID_KEY, 'payload', out, DISCOVERY_ID_SHAPE);
        break;
      case 'AWS.SendCommand': {
        const k = SEND_COMMAND_KEYS;
        checkShapeString(
          payload,
          k.connectorDeviceId,
          'payload',
          out,
          SEND_COMMAND_DEVICE_ID_SHAPE,
        );
        checkShapeString(payload, k.traceId, 'payload', out, SEND_COMMAND_TRACE_ID_SHAPE);
        const endpoints = checkArray(payload, k.endpoints, 'payload', out, SEND_COMMAND_ENDPOINTS);
        if (endpoints) {
          const path = at('payload', k.endpoints);
          const normal = normalizeMatterEndpoints(endpoints, path, out);
          normal.forEach((endpoint, i) => {
            checkMatterEndpoint(endpoint, `${path}[${i}]`, out);
          });
          if (normal !== endpoints) {
            result = { ...value, payload: { ...payload, [k.endpoints]: normal } };
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out.length === 0
    ? { ok: true, value: result as ConnectorInvocation }
    : { ok: false, issues: out };
}

/** What `buildInvocation` needs, per operation. `operationVersion` defaults per inferred.ts. */
export type BuildInvocationInput =
  | {
      readonly operationName: 'AWS.ActivateUser' | 'AWS.DeactivateUser';
      readonly auth: InvocationAuth;
      readonly connectorId: string;
      readonly operationVersion?: string;
    }
  | {
      readonly operationName: 'AWS.DiscoverDevices';
      readonly auth: InvocationAuth;
      readonly connectorId: string;
      readonly deviceDiscoveryId: string;
      readonly operationVersion?: string;
    }
  | {
      readonly operationName: 'AWS.SendCommand';
      readonly auth: InvocationAuth;
      readonly connectorId: string;
      readonly connectorDeviceId: string;
      readonly traceId: string;
      readonly endpoints: readonly MatterEndpoint[];
      readonly operationVersion?: string;
    };

/**
 * Builds the invocation event managed integrations sends for `input.operationName` (used by the
 * emulator and by tests). Throws `InvalidMessageError` listing every issue when the result would
 * not validate.
 */
export function buildInvocation(input: BuildInvocationInput): ConnectorInvocation {
  const base = {
    operationName: input.operationName,
    operationVersion: input.operationVersion ?? OPERATION_VERSIONS[input.operationName],
    connectorId: input.connectorId,
  };
  let payload: Record<string, unknown> = base;
  if (input.operationName === 'AWS.DiscoverDevices') {
    payload = { ...base, [DISCOVERY_ID_KEY]: input.deviceDiscoveryId };
  } else if (input.operationName === 'AWS.SendCommand') {
    payload = {
      ...base,
      [SEND_COMMAND_KEYS.connectorDeviceId]: input.connectorDeviceId,
      [SEND_COMMAND_KEYS.traceId]: input.traceId,
      [SEND_COMMAND_KEYS.endpoints]: input.endpoints,
    };
  }
  const result = validateConnectorInvocation({ header: { auth: input.auth }, payload });
  if (!result.ok) throw new InvalidMessageError(`${input.operationName} invocation`, result.issues);
  return result.value;
}

/**
 * A copy of an invocation safe to log: the OAuth token replaced by `<redacted>` (the Secrets
 * Manager reference is not a secret and is kept).
 */
export function redactInvocation<T extends { header?: unknown }>(invocation: T): T {
  if (!isObject(invocation) || !isObject(invocation.header)) return invocation;
  const auth = invocation.header.auth;
  if (!isObject(auth) || !('token' in auth)) return invocation;
  return { ...invocation, header: { ...invocation.header, auth: { ...auth, token: REDACTED } } };
}

/**
 * Validates a connector's reply. With `operationName` = `AWS.ActivateUser`, a successful reply
 * must carry `payload.userId` (ThirdPartyUserId constraints, inferred.ts).
 */
export function validateConnectorInvokeReply(
  value: unknown,
  operationName?: ConnectorOperationName,
): Result<ConnectorInvokeReply> {
  const out: ValidationIssue[] = [];
  if (!checkObject(value, '', out, 'reply {header: {responseCode}, payload}')) {
    return { ok: false, issues: out };
  }
  const header = value.header;
  let code: unknown;
  if (header === undefined || header === null) {
    out.push({ path: 'header', message: 'required: expected an object {responseCode}' });
  } else if (checkObject(header, 'header', out, 'reply header')) {
    checkInteger(header, 'responseCode', 'header', out, RESPONSE_CODE_RANGE);
    code = header.responseCode;
  }
  const payload = value.payload;
  if (payload === undefined || payload === null) {
    out.push({ path: 'payload', message: 'required: expected an object {responseMessage}' });
  } else if (checkObject(payload, 'payload', out, 'reply payload')) {
    if (payload.responseMessage !== undefined && payload.responseMessage !== null) {
      if (typeof payload.responseMessage !== 'string') {
        out.push({
          path: 'payload.responseMessage',
          message: 'expected a string',
          received: payload.responseMessage,
        });
      }
    }
    const success = typeof code === 'number' && isSuccessResponseCode(code);
    checkShapeString(
      payload,
      'userId',
      'payload',
      out,
      ACTIVATE_USER_ID_SHAPE,
      operationName === 'AWS.ActivateUser' && success,
    );
  }
  return out.length === 0
    ? { ok: true, value: value as unknown as ConnectorInvokeReply }
    : { ok: false, issues: out };
}

/** True when the reply reports success (2xx `responseCode`, inferred.ts). */
export function isSuccessReply(reply: ConnectorInvokeReply): boolean {
  return isSuccessResponseCode(reply.header.responseCode);
}

/** Builds a reply: `{ header: { responseCode }, payload: { responseMessage, userId? } }`. */
export function buildInvokeReply(init: {
  responseCode: number;
  responseMessage?: string;
  userId?: string;
}): ConnectorInvokeReply {
  const payload: { responseMessage?: string; userId?: string } = {};
  if (init.responseMessage !== undefined) payload.responseMessage = init.responseMessage;
  if (init.userId !== undefined) payload.userId = init.userId;
  const reply = { header: { responseCode: init.responseCode }, payload };
  const result = validateConnectorInvokeReply(reply);
  if (!result.ok) throw new InvalidMessageError('connector reply', result.issues);
  return reply;
}
