import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/util/sha256.js';

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
 * A real HTTP server that re-derives the SigV4 signature of every request (same credentials,
 * smithy signer) so client tests prove the signature, not just the presence of a header.
 */
export async function startSigV4Server(responder: Responder) {
  const received: Received[] = [];
  const verifier = new SignatureV4({
    service: 'iotmanagedintegrations',
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    sha256: NodeSha256,
    applyChecksum: true,
    uriEscapePath: true,
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = String(req.headers.authorization ?? '');
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
      const url = new URL(req.url ?? '/', 'http://x');
      const headers: Record<string, string> = {};
      for (const h of signedHeaders) headers[h] = String(req.headers[h] ?? '');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const date = new Date(
        amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
      );
      let valid = false;
      if (signedHeaders.includes('host') && !Number.isNaN(date.getTime())) {
        const resigned = await verifier.sign(
          {
            method: req.method ?? 'GET',
            protocol: 'http:',
            hostname: '127.0.0.1',
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers,
            body,
          },
          { signingDate: date },
        );
        valid = resigned.headers.authorization === auth;
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
