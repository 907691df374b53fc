/**
 * Event builders for testing connectors (`@c2c-kit/connector/testing`): the exact shapes the
 * service, Lambda Function URLs and SQS deliver, so tests exercise the production dispatch; and a
 * clock tests move forward instead of sleeping.
 */
import { type Clock, systemClock } from './util/clock.js';
import { signStandardWebhook, type WebhookSecret } from './webhooks/verify.js';

export interface InvocationInit {
  readonly connectorId: string;
  readonly token?: string;
  readonly secretsManager?: { arn: string; versionId: string };
  readonly operationVersion?: string;
}

function header(init: InvocationInit) {
  return {
    auth: init.secretsManager
      ? { type: 'GeneralAuthorization', secretsManager: init.secretsManager }
      : { type: 'OAuth2.0', token: init.token ?? 'test-access-token' },
  };
}

export function activateUserInvocation(init: InvocationInit) {
  return {
    header: header(init),
    payload: {
      operationName: 'AWS.ActivateUser',
      operationVersion: init.operationVersion ?? '1.0.0',
      connectorId: init.connectorId,
    },
  };
}

export function deactivateUserInvocation(init: InvocationInit) {
  return {
    header: header(init),
    payload: {
      operationName: 'AWS.DeactivateUser',
      operationVersion: init.operationVersion ?? '1.0',
      connectorId: init.connectorId,
    },
  };
}

export function discoverDevicesInvocation(init: InvocationInit & { deviceDiscoveryId: string }) {
  return {
    header: header(init),
    payload: {
      operationName: 'AWS.DiscoverDevices',
      operationVersion: init.operationVersion ?? '1.0',
      connectorId: init.connectorId,
      deviceDiscoveryId: init.deviceDiscoveryId,
    },
  };
}

export function sendCommandInvocation(
  init: InvocationInit & { traceId: string; connectorDeviceId: string; endpoints: unknown[] },
) {
  return {
    header: header(init),
    payload: {
      operationName: 'AWS.SendCommand',
      operationVersion: init.operationVersion ?? '1.0',
      connectorId: init.connectorId,
      traceId: init.traceId,
      connectorDeviceId: init.connectorDeviceId,
      endpoints: init.endpoints,
    },
  };
}

/** A Lambda Function URL (payload 2.0) POST carrying a Standard Webhooks-signed body. */
export function signedWebhookEvent(init: {
  secret: WebhookSecret;
  body: unknown;
  id?: string;
  timestamp?: number;
  path?: string;
  base64?: boolean;
}) {
  const body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers = signStandardWebhook({
    secret: init.secret,
    id: init.id ?? `msg_${Math.random().toString(36).slice(2)}`,
    timestamp: init.timestamp ?? Math.floor(Date.now() / 1000),
    body,
  });
  return functionUrlEvent({
    method: 'POST',
    path: init.path ?? '/',
    headers,
    body,
    base64: init.base64 ?? false,
  });
}

export function functionUrlEvent(init: {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}) {
  const path = init.path ?? '/';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...init.headers },
    requestContext: {
      http: { method: init.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
    },
    body: init.base64 ? Buffer.from(init.body ?? '').toString('base64') : (init.body ?? ''),
    isBase64Encoded: init.base64 ?? false,
  };
}

/**
 * A fake Lambda context whose remaining time runs down on `clock` (the system clock by default;
 * give the runtime's manual clock so the budget moves only when the test moves it).
 */
export function fakeLambdaContext(
  remainingMs = 2000,
  awsRequestId = 'test-request',
  clock: Pick<Clock, 'now'> = systemClock,
) {
  const end = clock.now() + remainingMs;
  return { awsRequestId, getRemainingTimeInMillis: () => Math.max(0, end - clock.now()) };
}

/** A clock that moves only when told (`runtime.clock` in tests). */
export interface ManualClock extends Clock {
  /** Moves the time forward by `ms`, running each timer that falls due, earliest first. */
  advance(ms: number): void;
  /** Timers set and not yet run or cleared. */
  readonly pending: number;
}

/** A `ManualClock` starting at `start` (epoch ms; default now). */
export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const next = (until: number) => {
    let found: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= until && (!found || entry[1].at < found[1].at)) found = entry;
    }
    return found;
  };
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++seq, { at: now + Math.max(0, ms), fn });
      return seq;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (let due = next(until); due; due = next(until)) {
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    get pending() {
      return timers.size;
    },
  };
}
