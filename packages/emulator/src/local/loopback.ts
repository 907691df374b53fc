import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1: its base URL, and a close that ends open connections too. */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens `server` on 127.0.0.1 at a free port. For the local engines served behind the
 * emulator's own endpoint or beside it (dynalite, kinesalite), the stack's queues and `c2c test`'s
 * fault endpoint: loopback only, and a close that does not wait for their clients' keep-alive
 * sockets.
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
