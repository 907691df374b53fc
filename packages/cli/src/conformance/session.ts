import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FaultConfig, FunctionObserver, InvocationRecord } from '@c2c-kit/emulator';
import type { ConnectorSetup } from '../dev/connectorConfig.js';
import { type Call, demoCaller } from '../dev/demoSetup.js';
import { type DevStack, startDevStack } from '../dev/stack.js';
import type { FaultInjection } from './faultProxy.js';
import { VendorProxy } from './proxy.js';
import type { ConformanceSettings } from './types.js';
import type { VendorDriver } from './vendor.js';

/**
 * What the suite runs against. `module`: a connector built and deployed into the emulator's Lambda
 * host exactly as `c2c dev --connector` does. `deployed`: a function already deployed into a
 * running emulator (`c2c deploy --local`), with the simulated vendor cloud it talks to.
 */
export type ConformanceTarget =
  | { readonly kind: 'module'; readonly setup: ConnectorSetup }
  | {
      readonly kind: 'deployed';
      readonly functionName: string;
      readonly emulatorUrl: string;
      readonly region: string;
      readonly credentials: {
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly sessionToken?: string;
      };
      /** The simulated vendor cloud the function calls (not needed with `--vendor-config`). */
      readonly vendorCloudUrl?: string;
      /** The function's variable holding its webhook secret (else the one `whsec_…` value). */
      readonly webhookSecretEnv?: string;
      /** The function's variable holding the vendor's URL (else the one whose value it is). */
      readonly vendorUrlEnv?: string;
    };

/** What the checks use of the stack the connector runs in (a `DevStack`, or a deployed one). */
export interface ConformanceStack {
  readonly emulatorUrl: string;
  readonly region: string;
  /** The customer account the suite acts as (the service's API, Secrets Manager). */
  readonly customer: {
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly connectorId: string;
  /** The connector's own destination; undefined when it has none (a vendor config brings one). */
  readonly connectorDestinationId: string | undefined;
  readonly functionUrl: string;
  /** What the report names as the connector, and its function. */
  readonly connector: { readonly source: string; readonly functionName: string };
  /** Switches the emulator's faults; undefined when the suite did not start the emulator. */
  readonly setFaults?: (faults: Partial<FaultConfig>) => void;
}

/** What the vendor side is built from (`simVendor`, `configVendor`). */
export interface VendorWorld {
  readonly emulatorUrl: string;
  /** The simulated vendor cloud: the stack's own, or the one a deployed function calls. */
  readonly vendorCloudUrl: string | undefined;
  /** The OAuth client the connector destination uses at the vendor. */
  readonly oauthClient: { readonly clientId: string; readonly clientSecret: string } | undefined;
  /** The Standard Webhooks secret the connector checks signatures with. */
  readonly webhookSecret: string | undefined;
  /**
   * Point the vendor's webhooks at the Function URL (signed with `webhookSecret`) when preparing:
   * a vendor cloud the suite did not set up itself.
   */
  readonly routeWebhooks: boolean;
}

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
  readonly stack: ConformanceStack;
  readonly vendor: VendorDriver;
  readonly settings: ConformanceSettings;
  /** The counting proxy between connector and vendor, when the connector names its vendor URL. */
  readonly proxy: VendorProxy | undefined;
  /** Why there is no proxy, when the session knows more than that no variable was named. */
  readonly noProxy?: string;
  /** Why there is no webhook secret to sign with, when a deployed run knows (webhook-expired). */
  readonly noWebhookSecret?: string;
  /** What preparing found that no one check reports (the report's `notes`). */
  readonly notes?: readonly string[];
  readonly stackStartMs: number;
  readonly call: Call;
  /** Every SendConnectorEvent of this connector so far (accepted and refused), oldest first. */
  events(): Promise<ConnectorEvent[]>;
  invocations(): readonly SeenInvocation[];
  /** Every line the connector printed. */
  logLines(): readonly string[];
  /**
   * Whether the connector's queues (work, outbox) hold no message, waiting, in flight or
   * delayed; undefined when the suite cannot read them (`settle.ts` then waits the quiet period).
   */
  readonly queuesIdle?: () => Promise<boolean>;
  /** Invokes the function directly, as the service does, and times the answer. */
  invoke(envelope: unknown): Promise<DirectAnswer>;
  /** Restarts the function unchanged, so the next invocation is a cold start. */
  redeploy(): Promise<void>;
  /** Puts SendConnectorEvent faults in the connector's way until the injection is closed. */
  faults(): Promise<FaultInjection>;
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
  // Most waits end within a few hundred ms (a command's answer, an event): look often early on,
  // and at most every 100 ms later, so what the suite waits for is seen soon after it happens.
  let delay = 10;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 1.5, 100);
  }
}

/** What an invocation was: a service operation, `webhook` (the Function URL), else `other`. */
export function kindOf(event: Record<string, unknown>): string {
  const payload = event.payload as Record<string, unknown> | undefined;
  if (event.header !== undefined && typeof payload?.operationName === 'string') {
    return payload.operationName;
  }
  if (event.requestContext !== undefined) return 'webhook';
  return 'other';
}

/** An invocation as the checks see it; `event` is the parsed event (anything else: `{}`). */
export function seenInvocation(
  event: unknown,
  at: number,
  record: Pick<InvocationRecord, 'durationMs' | 'outcome'>,
): SeenInvocation {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  return {
    at,
    durationMs: record.durationMs,
    kind: kindOf(e),
    event: e,
    outcome: record.outcome,
  };
}

/** The secret a connector signs with first, of a variable that may list several (rotation). */
export function firstSecret(value: string | undefined): string | undefined {
  return value?.split(/[\s,]+/).find((secret) => secret !== '');
}

/** Every SendConnectorEvent of `connectorId` the emulator kept (accepted and refused), oldest first. */
export async function connectorEvents(
  emulatorUrl: string,
  connectorId: string,
  since = 0,
): Promise<ConnectorEvent[]> {
  const q = `connectorId=${encodeURIComponent(connectorId)}&limit=10000`;
  const [accepted, rejected] = await Promise.all([
    fetch(`${emulatorUrl}/_local/events?${q}`).then((r) => r.json()),
    fetch(`${emulatorUrl}/_local/rejected?limit=10000`).then((r) => r.json()),
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
    if (e.connectorId !== connectorId) continue;
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
  return out
    .filter((e) => e.receivedAt >= since)
    .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
}

const QUEUE_COUNTS = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/** Whether the stack's work queue and outbox hold no message at all. */
async function queuesIdle(sqs: SQSClient, stack: DevStack): Promise<boolean> {
  const env = stack.connectorEnvironment;
  const urls = [env.C2C_WORK_QUEUE_URL, stack.outboxQueueUrl].filter(
    (url): url is string => url !== undefined,
  );
  const counts = await Promise.all(
    urls.map((QueueUrl) =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [...QUEUE_COUNTS] })),
    ),
  );
  return counts.every((c) => QUEUE_COUNTS.every((name) => Number(c.Attributes?.[name]) === 0));
}

/** Invokes `functionName` with Lambda's Invoke API, as the service does, and times the answer. */
export async function invokeDirect(
  lambda: LambdaClient,
  functionName: string,
  envelope: unknown,
): Promise<DirectAnswer> {
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
}

/**
 * Opens the target: for a module, starts the local stack with the connector in it (the vendor's
 * URL variable pointed at a counting proxy); for a deployed function, finds it and what belongs
 * to it in the running emulator (`deployed.ts`). Either way the checks get what they observe:
 * invocations, log lines and the events the service received.
 */
export async function openSession(
  target: ConformanceTarget,
  settings: ConformanceSettings,
  makeVendor: (world: VendorWorld) => Promise<VendorDriver> | VendorDriver,
): Promise<Session> {
  if (target.kind === 'deployed') {
    const { openDeployedSession } = await import('./deployed.js');
    return openDeployedSession(target, settings, makeVendor);
  }
  return openModuleSession(target.setup, settings, makeVendor);
}

async function openModuleSession(
  setup: ConnectorSetup,
  settings: ConformanceSettings,
  makeVendor: (world: VendorWorld) => Promise<VendorDriver> | VendorDriver,
): Promise<Session> {
  const seen: SeenInvocation[] = [];
  const lines: string[] = [];
  const observer: FunctionObserver = {
    onLog: (_fn, line) => {
      if (lines.length < 50_000) lines.push(line);
    },
    onInvocation: (record) => {
      let event: unknown = {};
      try {
        event = JSON.parse(record.event);
      } catch {
        // not JSON: kept as an empty event
      }
      seen.push(seenInvocation(event, Date.now() - record.durationMs, record));
    },
  };
  // The connector reaches its vendor through the proxy, which counts its calls.
  const proxy = setup.vendorUrlEnv ? new VendorProxy() : undefined;
  const proxyUrl = proxy ? await proxy.start() : undefined;
  const environment = {
    // A SendConnectorEvent refused by the suite's injected faults goes to the connector's own
    // retry path (its outbox) at once instead of after the client's backoff (up to 3 s a call):
    // what retries.send-faults judges, nothing lost, is the same. The user's --env wins.
    AWS_MAX_ATTEMPTS: { value: '1', from: 'c2c test (refused events retried from the outbox)' },
    // The unanswered SendConnectorEvent of retries.send-faults costs one attempt timeout; what it
    // judges is that the event is not lost when the call times out, not how long that takes.
    C2C_ATTEMPT_TIMEOUT_MS: { value: '2000', from: 'c2c test (a shorter wait for a held call)' },
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
    const vendor = await makeVendor({
      emulatorUrl: stack.emulatorUrl,
      vendorCloudUrl: stack.vendorCloudUrl,
      oauthClient: stack.oauthClient,
      webhookSecret: firstSecret(stack.connectorEnvironment[setup.webhookSecretEnv]),
      routeWebhooks: false,
    });
    closers.unshift(() => vendor.close());
    if (proxy) proxy.upstream = vendor.apiUrl;
    const lambda = new LambdaClient({
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: stack.customer.credentials,
    });
    closers.unshift(async () => lambda.destroy());
    const sqs = new SQSClient({
      endpoint: stack.emulatorUrl,
      region: stack.region,
      credentials: stack.customer.credentials,
    });
    closers.unshift(async () => sqs.destroy());
    const functionName = stack.connector.functionName;
    const session: Session = {
      stack,
      vendor,
      settings,
      proxy,
      stackStartMs,
      call: demoCaller(stack),
      events: () => connectorEvents(stack.emulatorUrl, stack.connectorId),
      invocations: () => seen,
      logLines: () => lines,
      queuesIdle: () => queuesIdle(sqs, stack),
      invoke: (envelope) => invokeDirect(lambda, functionName, envelope),
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
      // The emulator here is the suite's own: its faults are switched directly.
      faults: async () => ({
        set: (faults) =>
          stack.setFaults({ throttle: 0, error: 0, latencyMs: 0, hang: 0, ...faults }),
        close: async () => stack.setFaults({ throttle: 0, error: 0, latencyMs: 0, hang: 0 }),
      }),
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
