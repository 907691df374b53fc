import type { ConnectorEventsClient } from '@c2c-kit/connector/client';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '@c2c-kit/emulator';
import { afterAll, beforeAll } from 'vitest';
import { sdkClientConfig, TEST_CREDENTIALS, TEST_REGION } from './credentials.js';

/**
 * Connector invocations for tests: retries after 5 ms and a 5 s deadline, so a failing connector
 * shows in a test's time rather than production's backoff.
 */
export const FAST_INVOKE = { backoffMs: 5, timeoutMs: 5000 } as const;

/**
 * An in-memory emulator on an ephemeral loopback port that accepts `TEST_CREDENTIALS`; `options`
 * adds to or overrides that (`verify: false` for bodies no SDK would send).
 */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ memory: true, credentials: [TEST_CREDENTIALS], ...options });
}

/**
 * Registers cloud connector `id` in `app`'s store for `TEST_CREDENTIALS`' account: UNLISTED, its
 * endpoint the Lambda function `functionArn`. For tests of what happens to the connector's
 * events, where CreateCloudConnector itself is not what is tested.
 */
export function putTestConnector(app: RunningEmulator['app'], id = 'c1', functionArn = 'fn'): void {
  app.managedIntegrations.stores.connectors.put(
    { account: TEST_CREDENTIALS.accountId, region: TEST_REGION },
    id,
    {
      Id: id,
      Name: id,
      EndpointConfig: { lambda: { arn: functionArn } },
      EndpointType: 'LAMBDA',
      Type: 'UNLISTED',
    },
  );
}

/** Runs `run` against a test emulator (`startTestEmulator(options)`), closed after it. */
export async function withTestEmulator<T>(
  options: EmulatorOptions,
  run: (emu: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emu = await startTestEmulator(options);
  try {
    return await run(emu);
  } finally {
    await emu.close();
  }
}

/**
 * For a test file: an in-memory emulator and one AWS SDK client on it (`createClient` gets the
 * client configuration), started before the file's tests and closed after them. Read `emu` and
 * `client` inside tests and hooks registered after this call.
 */
export function useEmulatorWithSdkClient<C extends { destroy(): void }>(
  createClient: (config: ReturnType<typeof sdkClientConfig>) => C,
): { readonly emu: RunningEmulator; readonly client: C } {
  let emu: RunningEmulator | undefined;
  let client: C | undefined;
  beforeAll(async () => {
    emu = await startTestEmulator();
    client = createClient(sdkClientConfig(emu.url));
  });
  afterAll(async () => {
    client?.destroy();
    await emu?.close();
  });
  const notStarted = (): never => {
    throw new Error('the emulator starts in beforeAll: read it inside a test or a later hook');
  };
  return {
    get emu() {
      return emu ?? notStarted();
    },
    get client() {
      return client ?? notStarted();
    },
  };
}

/**
 * Sends a DEVICE_COMMAND_REQUEST event with trace id `traceId` for the connector `putTestConnector`
 * registers, as a connector reports on a command it was sent.
 */
export function sendTestConnectorEvent(client: ConnectorEventsClient, traceId: string) {
  return client.sendConnectorEvent({
    ConnectorId: 'c1',
    Operation: 'DEVICE_COMMAND_REQUEST',
    TraceId: traceId,
  } as never);
}
