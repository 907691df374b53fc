import { type BuildInvocationInput, buildInvocation, type MatterEndpoint } from '@c2c-kit/protocol';
import type { FaultConfig } from '../../../config.js';
import type { InvokeResult } from '../../lambda/index.js';
import { SERVICE_PRINCIPAL, type ServiceCaller } from '../../lambda/permissions.js';

/** The four operations managed integrations invokes a connector Lambda with. */
export type ConnectorOperationName =
  | 'AWS.ActivateUser'
  | 'AWS.DiscoverDevices'
  | 'AWS.SendCommand'
  | 'AWS.DeactivateUser';

/** `header.auth` of the invoke envelope. */
export type ConnectorAuth =
  | { readonly type: 'OAuth2.0'; readonly token: string }
  | {
      readonly type: 'GeneralAuthorization';
      readonly secretsManager: { readonly arn: string; readonly versionId: string };
    };

export interface ConnectorInvocationRequest {
  readonly functionArn: string;
  readonly connectorId: string;
  readonly operationName: ConnectorOperationName;
  readonly auth: ConnectorAuth;
  /** Operation-specific payload members (`deviceDiscoveryId`, `traceId`, `endpoints` …). */
  readonly payload?: Readonly<Record<string, unknown>>;
  /** The account association invoked for: `aws:SourceArn` / `aws:SourceAccount` of the call. */
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
}

export type ConnectorInvocationOutcome =
  | { readonly ok: true; readonly reply: Record<string, unknown>; readonly attempts: number }
  | {
      readonly ok: false;
      readonly statusCode: number;
      readonly message: string;
      readonly attempts: number;
    };

/** `aws:SourceArn` and `aws:SourceAccount` of an invocation made for an account association. */
export function onBehalfOf(association: { readonly Arn: string }): {
  sourceArn: string;
  sourceAccount: string;
} {
  return { sourceArn: association.Arn, sourceAccount: association.Arn.split(':')[4] ?? '' };
}

/** What the invoker needs from the Lambda host (`app.lambdaHost`). */
export interface InvokeTarget {
  invoke(
    nameOrArn: string,
    payload: Buffer | string,
    options: { invocationType?: 'RequestResponse' | 'Event'; timeoutMs?: number },
  ): Promise<InvokeResult>;
}

export interface ConnectorInvokerOptions {
  readonly host: InvokeTarget;
  readonly faults: FaultConfig;
  /** Per-attempt timeout; the service uses 2 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt; the service uses 5. */
  readonly retries?: number;
  /** Pause between attempts (ms × attempt number). */
  readonly backoffMs?: number;
  readonly random?: () => number;
  /** How long a command may wait for its DEVICE_COMMAND_RESPONSE after the ACK (60 000 ms). */
  readonly responseWaitMs?: number;
  /**
   * Why the function's resource-based policy refuses the service, or undefined when it allows
   * it (`lambda/permissions.ts`). A refused call is not attempted, nor retried: AWS answers it
   * with AccessDeniedException every time.
   */
  readonly authorize?: (functionArn: string, caller: ServiceCaller) => string | undefined;
}

/**
 * Builds the JSON envelope managed integrations sends (c2c-contract §1.0) with protocol's
 * `buildInvocation`, which validates it (and owns the UNCONFIRMED key names).
 */
export function buildConnectorEnvelope(
  request: ConnectorInvocationRequest,
): Record<string, unknown> {
  const p = request.payload ?? {};
  const common = { auth: request.auth, connectorId: request.connectorId };
  let input: BuildInvocationInput;
  if (request.operationName === 'AWS.DiscoverDevices') {
    input = {
      ...common,
      operationName: request.operationName,
      deviceDiscoveryId: String(p.deviceDiscoveryId),
    };
  } else if (request.operationName === 'AWS.SendCommand') {
    input = {
      ...common,
      operationName: request.operationName,
      connectorDeviceId: String(p.connectorDeviceId),
      traceId: String(p.traceId),
      endpoints: p.endpoints as MatterEndpoint[],
    };
  } else {
    input = { ...common, operationName: request.operationName };
  }
  return buildInvocation(input) as unknown as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Invokes connectors the way the service does: synchronous Lambda Invoke of the JSON envelope,
 * a per-attempt timeout and up to five retries when the invoke itself fails (timeout, crash,
 * unhandled error, injected fault). A well-formed reply with a non-2xx `header.responseCode` is
 * the connector's answer and is not retried.
 */
export class ConnectorInvoker {
  readonly #options: ConnectorInvokerOptions;

  constructor(options: ConnectorInvokerOptions) {
    this.#options = options;
  }

  /**
   * The wait after a SendCommand ACK before an unanswered command fails. The service publishes no
   * value (docs/emulator-fidelity.md); 60 s leaves the connector runtime's own 30 s command
   * deadline room to answer first with its reason.
   */
  get responseWaitMs(): number {
    return this.#options.responseWaitMs ?? 60_000;
  }

  async invoke(request: ConnectorInvocationRequest): Promise<ConnectorInvocationOutcome> {
    const retries = this.#options.retries ?? 5;
    const timeoutMs = this.#options.timeoutMs ?? 2000;
    const backoff = this.#options.backoffMs ?? 50;
    const random = this.#options.random ?? Math.random;
    const faults = this.#options.faults;
    let body: string;
    try {
      body = JSON.stringify(buildConnectorEnvelope(request));
    } catch (error) {
      return {
        ok: false,
        statusCode: 400,
        message: summarise((error as Error).message),
        attempts: 0,
      };
    }
    const refusal = this.#options.authorize?.(request.functionArn, {
      principal: SERVICE_PRINCIPAL,
      ...(request.sourceArn === undefined ? {} : { sourceArn: request.sourceArn }),
      ...(request.sourceAccount === undefined ? {} : { sourceAccount: request.sourceAccount }),
    });
    if (refusal !== undefined) {
      return {
        ok: false,
        statusCode: 403,
        message: `AccessDeniedException: ${refusal}`,
        attempts: 1,
      };
    }
    let last = { statusCode: 500, message: 'connector was not invoked' };
    for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
      if (attempt > 1) await sleep(backoff * (attempt - 1));
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.throttle > 0 && random() < faults.throttle) {
        last = { statusCode: 429, message: 'Rate exceeded (injected fault)' };
        continue;
      }
      if (faults.error > 0 && random() < faults.error) {
        last = { statusCode: 500, message: 'Lambda service error (injected fault)' };
        continue;
      }
      let result: InvokeResult;
      try {
        result = await this.#options.host.invoke(request.functionArn, body, {
          invocationType: 'RequestResponse',
          timeoutMs,
        });
      } catch (error) {
        last = { statusCode: 500, message: describeInvokeError(error) };
        continue;
      }
      const text = result.payload.toString('utf8');
      if (result.functionError !== undefined) {
        last = { statusCode: 500, message: `function error: ${summarise(text)}` };
        continue;
      }
      let reply: unknown;
      try {
        reply = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return {
          ok: false,
          statusCode: 502,
          message: 'connector reply is not JSON',
          attempts: attempt,
        };
      }
      const record = (typeof reply === 'object' && reply !== null ? reply : {}) as Record<
        string,
        unknown
      >;
      const header = record.header as Record<string, unknown> | undefined;
      const code = header?.responseCode;
      if (typeof code === 'number' && (code < 200 || code > 299)) {
        const payload = record.payload as Record<string, unknown> | undefined;
        const message =
          typeof payload?.responseMessage === 'string' ? payload.responseMessage : 'no message';
        return { ok: false, statusCode: code, message: summarise(message), attempts: attempt };
      }
      return { ok: true, reply: record, attempts: attempt };
    }
    return { ok: false, ...last, attempts: retries + 1 };
  }
}

function describeInvokeError(error: unknown): string {
  // Lambda's errors carry their wire name (`ResourceNotFoundException`, …) as `code`.
  const e = error as { name?: string; code?: unknown; message?: string };
  const name = typeof e.code === 'string' && /^[A-Z]\w+$/.test(e.code) ? e.code : e.name;
  return summarise(`${name ?? 'Error'}: ${e.message ?? String(error)}`);
}

function summarise(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
