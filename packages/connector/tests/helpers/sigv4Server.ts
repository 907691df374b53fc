import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigV4Verifier } from '@c2c-kit/emulator';
import { ConnectorEventsClient } from '../../src/client/ConnectorEventsClient.js';

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAC2CKITTEST000001',
  secretAccessKey: 'test-secret-access-key-do-not-log-0001',
};

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  signatureValid: boolean;
}

export type Responder = (req: Received, res: ServerResponse) => void;

/**
 * A real HTTP server that verifies the SigV4 signature of every request as received on the wire
 * (path, raw query, raw headers, body) with the emulator's verifier — an implementation
 * independent of the smithy signer the client uses — so client tests prove the signature, not
 * just the presence of a header.
 */
export async function startSigV4Server(responder: Responder) {
  const received: Received[] = [];
  const verifier = new SigV4Verifier({
    credentials: [{ ...TEST_CREDENTIALS, accountId: '111122223333' }],
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const [path = '/', query = ''] = (req.url ?? '/').split('?');
      let valid = false;
      try {
        const identity = verifier.verify({
          method: req.method ?? 'GET',
          path,
          query,
          rawHeaders: req.rawHeaders,
          body: raw.length > 0 ? raw : undefined,
        });
        valid = identity.service === 'iotmanagedintegrations' && identity.region === 'us-east-1';
      } catch {
        valid = false;
      }
      const entry: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        signatureValid: valid,
      };
      received.push(entry);
      responder(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The package's `ConnectorEventsClient` talking to a fresh `startSigV4Server(responder)` (no
 * retry jitter), both closed by the caller's `closers`.
 */
export async function clientOnSigV4Server(
  responder: Responder,
  closers: Array<() => Promise<void>>,
) {
  const server = await startSigV4Server(responder);
  const client = new ConnectorEventsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: TEST_CREDENTIALS,
    random: () => 0,
  });
  closers.push(server.close, () => client.close());
  return { server, client };
}
