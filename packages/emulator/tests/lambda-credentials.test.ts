import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig, TEST_CREDENTIALS } from '@c2c-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../src/index.js';

// A function's workers get the temporary credentials of its execution role, as on Lambda, and
// sign their calls back into the emulator with them; workers are replaced before they expire.

const ACCOUNT = TEST_CREDENTIALS.accountId;
const whoami = fileURLToPath(new URL('./fixtures/functions/whoami.mjs', import.meta.url));

interface Whoami {
  arn: string;
  account: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  pid: number;
}

async function invoke(client: LambdaClient, name: string): Promise<Whoami> {
  const out = await client.send(new InvokeCommand({ FunctionName: name }));
  const payload = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));
  if (out.FunctionError) throw new Error(`${name} failed: ${JSON.stringify(payload)}`);
  return payload as Whoami;
}

/** For a describe block: an emulator running `whoami`, and a Lambda client on it. */
function useWhoami(
  timeoutSeconds: number,
  options: EmulatorOptions = {},
): { readonly emu: RunningEmulator; readonly lambda: LambdaClient } {
  const state = {} as { emu: RunningEmulator; lambda: LambdaClient };
  beforeAll(async () => {
    state.emu = await startEmulator({ memory: true, credentials: [TEST_CREDENTIALS], ...options });
    state.lambda = new LambdaClient(sdkClientConfig(state.emu.url));
    state.emu.app.lambdaHost.registerFunction({ name: 'whoami', handler: whoami, timeoutSeconds });
  });
  afterAll(async () => {
    state.lambda?.destroy();
    await state.emu?.close();
  });
  return state;
}

describe('execution-role credentials of a function', () => {
  const running = useWhoami(10);

  it('are a session of the execution role, named after the function', async () => {
    const out = await invoke(running.lambda, 'whoami');
    expect(out).toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/c2c-kit-local-lambda/whoami`,
      account: ACCOUNT,
    });
    expect(out.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.credentials.sessionToken?.length).toBeGreaterThan(100);
  });
});

describe('a long-lived worker', () => {
  // Credentials last 6 s here instead of an hour: long enough for one invocation.
  const LIFETIME_MS = 6000;
  const running = useWhoami(3, { maxSessionLifetimeMs: LIFETIME_MS });

  it('is replaced before its credentials expire, so its calls back keep working', async () => {
    const first = await invoke(running.lambda, 'whoami');
    // They were issued before the answer came, so they have expired LIFETIME_MS after it: from
    // then on they are refused ...
    const answered = Date.now();
    await new Promise((r) => setTimeout(r, answered + LIFETIME_MS + 50 - Date.now()));
    const sqs = new SQSClient({
      ...sdkClientConfig(running.emu.url),
      maxAttempts: 1,
      credentials: first.credentials,
    });
    try {
      await expect(sqs.send(new ListQueuesCommand({}))).rejects.toMatchObject({
        name: 'ExpiredTokenException',
      });
    } finally {
      sqs.destroy();
    }
    // ... and the next invocation runs in a new worker with new ones.
    const second = await invoke(running.lambda, 'whoami');
    expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
    expect(second.pid).not.toBe(first.pid);
    expect(second.arn).toBe(first.arn);
  });
});
