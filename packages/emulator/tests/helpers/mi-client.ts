import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import type { OperationName, OperationShapes } from '@c2c-kit/protocol';
import type { EmulatorCredential } from '../../src/index.js';
import { TEST_CREDENTIALS } from './credentials.js';

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
