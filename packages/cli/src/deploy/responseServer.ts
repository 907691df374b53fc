// The response URL of custom resources, served locally: CloudFormation hands a handler a
// pre-signed S3 URL to PUT its outcome to; here each request gets an unguessable path on a
// loopback server, answered as S3 answers a PUT.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomResourceResponse } from '@c2c-kit/cdk';
import { guardNodeRequest, HOST_ONLY, ServerGuard } from '@c2c-kit/local-guard';
import { DeployError } from '../errors.js';

export type { CustomResourceResponse };

export interface ResponseServer {
  /** A fresh response URL for one request, and what gets PUT to it (or a timeout error). */
  expect(
    what: string,
    timeoutMs: number,
  ): { url: string; response: Promise<CustomResourceResponse> };
  close(): Promise<void>;
}

/** CloudFormation refuses responses over 4096 bytes ("Response object is too long"). */
const MAX_RESPONSE_BYTES = 4096;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseResponse(body: Buffer): CustomResourceResponse | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the response is not JSON';
  }
  const r = parsed as Partial<CustomResourceResponse> | null;
  if (r === null || typeof r !== 'object') return 'the response is not a JSON object';
  if (r.Status !== 'SUCCESS' && r.Status !== 'FAILED') return 'Status: expected SUCCESS or FAILED';
  if (typeof r.PhysicalResourceId !== 'string' || r.PhysicalResourceId === '') {
    return 'PhysicalResourceId: required';
  }
  return r as CustomResourceResponse;
}

export async function startResponseServer(): Promise<ResponseServer> {
  const pending = new Map<string, (outcome: CustomResourceResponse | Error) => void>();
  const server = createServer(async (req, res) => {
    if (!guardNodeRequest(guard, req, res, HOST_ONLY)) return;
    const token = /^\/cfn-response\/([A-Za-z0-9_-]{32})$/.exec(req.url ?? '')?.[1];
    const settle = token === undefined ? undefined : pending.get(token);
    if (req.method !== 'PUT' || settle === undefined || token === undefined) {
      req.resume();
      res.writeHead(req.method === 'PUT' ? 404 : 405).end();
      return;
    }
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    const parsed =
      body === undefined
        ? `the response is over ${MAX_RESPONSE_BYTES} bytes (Response object is too long)`
        : parseResponse(body);
    pending.delete(token);
    settle(
      typeof parsed === 'string' ? new DeployError(`custom resource response: ${parsed}`) : parsed,
    );
    res.writeHead(typeof parsed === 'string' ? 400 : 200).end();
  });
  const guard = new ServerGuard({ server });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    expect(what, timeoutMs) {
      const token = randomBytes(24).toString('base64url');
      const response = new Promise<CustomResourceResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(token);
          reject(new DeployError(`${what}: no response within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(token, (outcome) => {
          clearTimeout(timer);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        });
      });
      // Callers may give up on it (the handler failed first); that is no unhandled rejection.
      response.catch(() => {});
      return { url: `${base}/cfn-response/${token}`, response };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
