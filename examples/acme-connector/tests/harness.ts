import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectorHandler } from '@c2c-kit/connector';
import { formatIssue, validateSendConnectorEventRequest } from '@c2c-kit/protocol';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export interface SentEvent {
  request: Record<string, unknown>;
  authorization: string;
}

/**
 * A SendConnectorEvent receiver over real HTTP: every request the connector's signed client sends
 * is checked against the service model with protocol's generated validator (400 with the issues
 * if it fails, as the service would answer) and recorded. Stands in for the emulator's
 * managed-integrations API until that lands; the client, signing and wire format are the real ones.
 */
export async function startEventReceiver() {
  const sent: SentEvent[] = [];
  const rejected: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const match = /^\/connector-event\/([^/?]+)$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || !match) {
      res.statusCode = 404;
      res.end('{"message":"not found"}');
      return;
    }
    const request = {
      ...(JSON.parse(body) as Record<string, unknown>),
      ConnectorId: decodeURIComponent(match[1] ?? ''),
    };
    const result = validateSendConnectorEventRequest(request);
    if (!result.ok) {
      const message = result.issues.map(formatIssue).join('; ');
      rejected.push(message);
      res.statusCode = 400;
      res.setHeader('x-amzn-errortype', 'ValidationException');
      res.end(JSON.stringify({ message }));
      return;
    }
    sent.push({ request, authorization: String(req.headers.authorization ?? '') });
    res.statusCode = 202;
    res.end(JSON.stringify({ ConnectorId: request.ConnectorId }));
  });
  const url = await listen(server);
  return { url, sent, rejected, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A Lambda Function URL in front of the handler: HTTP request → payload-2.0 event → handler →
 * HTTP response, the way AWS (and the emulator's Lambda host) call a connector's webhook.
 */
export async function startFunctionUrl(handler: ConnectorHandler) {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const result = (await handler({
      version: '2.0',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: req.method ?? 'GET', path: url.pathname } },
    })) as { statusCode: number; headers?: Record<string, string>; body?: string };
    res.writeHead(result.statusCode, result.headers ?? {});
    res.end(result.body ?? '');
  });
  const url = await listen(server);
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}
