import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildEmulator, type EmulatorOptions } from './app.js';

export interface RunningEmulator {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT` — use as `AWS_ENDPOINT_URL` / SDK `endpoint`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Builds the emulator and listens (127.0.0.1, any free port unless `port` is given). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const app = buildEmulator(options);
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    url: app.emulatorConfig.baseUrl(),
    port,
    close: () => app.close(),
  };
}
