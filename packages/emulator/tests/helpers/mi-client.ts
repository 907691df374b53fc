import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import {
  formatIssue,
  type OperationName,
  type OperationShapes,
  validateOperationOutput,
} from '@c2c-kit/protocol';
import { TEST_CREDENTIALS } from '@c2c-kit/testing';
import type { EmulatorCredential } from '../../src/index.js';

export interface MiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
  text: string;
}

/**
 * A managed-integrations client for tests: the connector package's signed client, sent as given
 * (the emulator's validation is what is under test) and answered as received, over real HTTP.
 */
export function miClient(
  baseUrl: string,
  credentials: EmulatorCredential = TEST_CREDENTIALS,
  region = 'us-east-1',
) {
  const client = new ManagedIntegrationsClient({
    endpoint: baseUrl,
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
    validate: false,
  });
  return async function call<K extends OperationName>(
    name: K,
    input: OperationShapes[K]['input'],
  ): Promise<MiResponse> {
    const res = await client.send(name, input);
    const json = typeof res.body === 'object' && res.body !== null ? res.body : {};
    return {
      status: res.statusCode,
      headers: res.headers,
      json: json as Record<string, unknown>,
      text: res.text,
    };
  };
}

export type MiCall = ReturnType<typeof miClient>;

/**
 * `call`, with every successful response checked against the model's output shape (protocol's
 * generated validators): issues are pushed to `issues`, for an `afterAll` to expect empty. Known
 * deviation: OAuthAuthorizationUrl is http:// for a local authUrl.
 */
export function checkingOutputs(call: MiCall, issues: string[]): MiCall {
  return (async (name, input) => {
    const res = await call(name, input);
    if (res.status < 300) {
      const checked = validateOperationOutput(name, res.json);
      if (!checked.ok) {
        for (const issue of checked.issues) {
          if (issue.path === 'OAuthAuthorizationUrl') continue;
          issues.push(`${name}: ${formatIssue(issue)}`);
        }
      }
    }
    return res;
  }) as MiCall;
}
