import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionObserver, InvocationRecord } from '@c2c-kit/emulator';
import type { ConnectorSetup } from '../dev/connectorConfig.js';
import { type Call, demoCaller } from '../dev/demoSetup.js';
import { type DevStack, startDevStack } from '../dev/stack.js';
import { UsageError } from '../errors.js';
import { VendorProxy } from './proxy.js';
import type { ConformanceSettings } from './types.js';
import type { VendorDriver } from './vendor.js';

/**
 * What the suite runs against. `module`: a connector built and deployed into the emulator's Lambda
 * host exactly as `c2c dev --connector` does. `deployed`: a function already deployed into a
 * running emulator (the seam `c2c deploy` fills in; not available yet).
 */
export type ConformanceTarget =
  | { readonly kind: 'module'; readonly setup: ConnectorSetup }
  | { readonly kind: 'deployed'; readonly functionName: string; readonly emulatorUrl: string };

/** One SendConnectorEvent the service received from the connector, accepted or refused. */
export interface ConnectorEvent {
  readonly seq: number;
  readonly accepted: boolean;
  /** Why the service refused it (routing, unknown ids). */
  readonly reason?: string;
  readonly receivedAt: number;
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** One finished invocation of the connector function, as the Lambda host saw it. */
export interface SeenInvocation {
  readonly at: number;
  readonly durationMs: number;
  /** The operation of a service envelope, `webhook` for the Function URL, else `other`. */
  readonly kind: string;
  readonly event: Record<string, unknown>;
  readonly outcome: InvocationRecord['outcome'];
}

export interface Session {
  readonly stack: DevStack;
  readonly vendor: VendorDriver;
  readonly settings: ConformanceSettings;
  /** The counting proxy between connector and vendor, when the connector names its vendor URL. */
  readonly proxy: VendorProxy | undefined;
  readonly stackStartMs: number;
  readonly call: Call;
  /** Every SendConnectorEvent of this connector so far (accepted and refused), oldest first. */
  events(): Promise<ConnectorEvent[]>;
  invocations(): readonly SeenInvocation[];
  /** Every line the connector printed. */
  logLines(): readonly string[];
  /** Invokes the function directly, as the service does, and times the answer. */
  invoke(envelope: unknown): Promise<DirectAnswer>;
  /** Re-registers the function unchanged, so the next invocation is a cold start. */
  redeploy(): Promise<void>;
  close(): Promise<void>;
}

export interface DirectAnswer {
  readonly ms: number;
  readonly reply: unknown;
  readonly text: string;
  /** Lambda's error type when the function failed (threw, crashed, timed out). */
  readonly functionError?: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value or `ms` pass; undefined on timeout. */
export async function waitFor<T>(
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  let delay = 25;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 250);
  }
}

function kindOf(event: Record<string, unknown>): string {
  const payload = event.payload as Record<string, unknown> | undefined;
  if (event.header !== undefined && typeof payload?.operationName === 'string') {
    return payload.operationName;
  }
  if (event.requestContext !== undefined) return 'webhook';
  return 'other';
}

/**
 * Starts the local stack with the target connector in it (the vendor's URL variable pointed at a
 * counting proxy), and gives the checks what they observe: invocations, log lines and the events
 * the service received.
 */
export async function openSession(
  target: ConformanceTarget,
  settings: ConformanceSettings,
  makeVendor: (stack: DevStack) => Promise<VendorDriver> | VendorDriver,
): Promise<Session> {
  if (target.kind === 'deployed') {
    throw new UsageError('test', 'testing an already deployed function is not available yet');
  }
  const seen: SeenInvocation[] = [];
  const lines: string[] = [];
  const observer: FunctionObserver = {
    onLog: (_fn, line) => {
      if (lines.length < 50_000) lines.push(line);
    },
    onInvocation: (record) => {
      let event: Record<string, unknown> = {};
      try {
        event = JSON.parse(record.event) as Record<string, unknown>;
      } catch {
        // not JSON: kept as an empty event
      }
      seen.push({
        at: Date.now() - record.durationMs,
        durationMs: record.durationMs,
        kind: kindOf(event),
        event,
        outcome: record.outcome,
      });
    },
  };
  const setup = target.setup;
  // The connector reaches its vendor through the proxy, which counts its calls.
  const proxy = setup.vendorUrlEnv ? new VendorProxy() : undefined;
  const proxyUrl = proxy ? await proxy.start() : undefined;
  const environment = {
    ...setup.environment,
    ...(proxyUrl && setup.vendorUrlEnv
      ? { [setup.vendorUrlEnv]: { value: proxyUrl, from: 'c2c test (vendor proxy)' } }
      : {}),
  };
  const started = Date.now();
  let stack: DevStack;
  try {
    stack = await startDevStack({
      emulatorPort: 0,
      vendorPort: 0,
      dashboardPort: 0,
      connector: { ...setup, environment },
      functions: observer,
    });
  } catch (error) {
    await proxy?.close();
    throw error;
  }
  const stackStartMs = Date.now() - started;
  const closers: Array<() => Promise<void>> = [() => stack.close()];
  if (proxy) closers.unshift(() => proxy.close());
  try {
    const vendor = await makeVendor(stack);
    closers.unshift(() => vendor.close());
    if (proxy) proxy.upstream = vendor.apiUrl;
    const lambda = new LambdaClient({
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: stack.customer.credentials,
    });
    closers.unshift(async () => lambda.destroy());
    const functionName = stack.connector.functionName;
    const session: Session = {
      stack,
      vendor,
      settings,
      proxy,
      stackStartMs,
      call: demoCaller(stack),
      async events() {
        const q = `connectorId=${encodeURIComponent(stack.connectorId)}&limit=10000`;
        const [accepted, rejected] = await Promise.all([
          fetch(`${stack.emulatorUrl}/_local/events?${q}`).then((r) => r.json()),
          fetch(`${stack.emulatorUrl}/_local/rejected?limit=10000`).then((r) => r.json()),
        ]);
        const out: ConnectorEvent[] = [];
        for (const e of (accepted as { Items: Array<Record<string, unknown>> }).Items) {
          out.push({
            seq: Number(e.seq),
            accepted: true,
            receivedAt: Number(e.receivedAt),
            operation: String(e.operation),
            body: (e.body ?? {}) as Record<string, unknown>,
          });
        }
        for (const e of (rejected as { Items: Array<Record<string, unknown>> }).Items) {
          if (e.connectorId !== stack.connectorId) continue;
          const body = (e.body ?? {}) as Record<string, unknown>;
          out.push({
            seq: Number(e.seq),
            accepted: false,
            reason: String(e.reason ?? ''),
            receivedAt: Number(e.receivedAt),
            operation: String(body.Operation ?? ''),
            body,
          });
        }
        return out.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
      },
      invocations: () => seen,
      logLines: () => lines,
      async invoke(envelope) {
        const t0 = performance.now();
        const result = await lambda.send(
          new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(envelope) }),
        );
        const ms = performance.now() - t0;
        const text = Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8');
        let reply: unknown = text;
        try {
          reply = JSON.parse(text);
        } catch {
          // a reply that is not JSON is kept as text (the checks say so)
        }
        return {
          ms,
          reply,
          text,
          ...(result.FunctionError ? { functionError: result.FunctionError } : {}),
        };
      },
      async redeploy() {
        const listed = (await (await fetch(`${stack.emulatorUrl}/_local/functions`)).json()) as {
          functions: Array<{
            name: string;
            handler: string;
            exportName: string;
            timeoutSeconds: number;
          }>;
        };
        const fn = listed.functions.find((f) => f.name === functionName);
        if (fn === undefined) throw new Error(`function ${functionName} is not registered`);
        const response = await fetch(`${stack.emulatorUrl}/_local/functions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            name: fn.name,
            handler: fn.handler,
            exportName: fn.exportName,
            timeoutSeconds: fn.timeoutSeconds,
            environment: stack.connectorEnvironment,
          }),
        });
        await response.text();
        if (!response.ok)
          throw new Error(`re-registering the function answered ${response.status}`);
      },
      async close() {
        for (const close of closers) await close().catch(() => {});
      },
    };
    await vendor.prepare(stack.functionUrl);
    return session;
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
}
