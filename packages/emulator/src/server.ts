import type { AddressInfo } from 'node:net';
import { isLoopbackAddress } from '@c2c-kit/local-guard';
import type { FastifyInstance } from 'fastify';
import { buildEmulator, type EmulatorOptions } from './app.js';
import type { EmulatorCredential } from './config.js';
import { NonLoopbackHostError } from './errors.js';

export interface RunningEmulator {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT` — use as `AWS_ENDPOINT_URL` / SDK `endpoint`. */
  readonly url: string;
  readonly port: number;
  /**
   * The default account's key pair (the first of `app.emulatorConfig.credentials`): what SDK
   * clients sign with. Generated unless `credentials` were given; see `EmulatorOptions`.
   */
  readonly credentials: EmulatorCredential;
  close(): Promise<void>;
}

/**
 * Builds the emulator and listens (127.0.0.1, any free port unless `port` is given). A `host` that
 * is not loopback is refused with NonLoopbackHostError unless `allowNonLoopback` is set.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host) && options.allowNonLoopback !== true) {
    throw new NonLoopbackHostError(host, 'pass allowNonLoopback: true');
  }
  const app = buildEmulator(options);
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    // Give the data dir (lock, SQLite) back: the port may be taken, the caller may retry.
    await app.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    url: app.emulatorConfig.baseUrl(),
    port,
    // A copy: AWS SDK clients given it write a `$source` field on it.
    credentials: { ...(app.emulatorConfig.credentials[0] as EmulatorCredential) },
    close: () => app.close(),
  };
}
