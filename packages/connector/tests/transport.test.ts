import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryableNetworkError } from '../src/client/retry.js';
import { KeepAlivePool, RequestTimeoutError } from '../src/client/transport.js';

const servers: Server[] = [];
const pools: KeepAlivePool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A real HTTP server that counts the TCP connections it accepts. */
async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), connections: () => connections };
}

function pool(url: URL, options: Partial<ConstructorParameters<typeof KeepAlivePool>[1]> = {}) {
  const p = new KeepAlivePool(url, {
    connections: 4,
    timeoutMs: 2000,
    ...options,
  });
  pools.push(p);
  return p;
}

describe('KeepAlivePool', () => {
  it('sends method, path, headers and body, and returns status, headers and text', async () => {
    const { url } = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        res.writeHead(202, { 'x-echo': req.headers['x-test'] ?? '' });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            body,
            len: req.headers['content-length'],
          }),
        );
      });
    });
    const r = await pool(url).request({
      method: 'POST',
      path: '/a/b?x=1',
      headers: { 'x-test': 'yes' },
      body: '{"é":1}',
    });
    expect(r.statusCode).toBe(202);
    expect(r.headers['x-echo']).toBe('yes');
    expect(JSON.parse(r.text)).toEqual({
      method: 'POST',
      url: '/a/b?x=1',
      body: '{"é":1}',
      len: '8',
    });
  });

  it('reuses keep-alive connections and never opens more than `connections`', async () => {
    const { url, connections } = await serve((_req, res) => {
      setTimeout(() => res.end('ok'), 5);
    });
    const p = pool(url, { connections: 3 });
    for (let round = 0; round < 5; round++) {
      const all = await Promise.all(
        Array.from({ length: 12 }, () => p.request({ method: 'GET', path: '/', headers: {} })),
      );
      expect(all.every((r) => r.text === 'ok')).toBe(true);
    }
    // 60 requests over at most 3 sockets, kept open between rounds.
    expect(connections()).toBeLessThanOrEqual(3);
  });

  it('times out a silent server with a retryable ETIMEDOUT error', async () => {
    const { url } = await serve(() => {
      // Never answers.
    });
    const error = await pool(url, { timeoutMs: 100 })
      .request({ method: 'GET', path: '/', headers: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(isRetryableNetworkError(error)).toBe(true);
  });

  it('rejects with the abort signal reason, which is not retried', async () => {
    const { url } = await serve(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = pool(url).request({
      method: 'GET',
      path: '/',
      headers: {},
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    expect(isRetryableNetworkError(reason)).toBe(false);
  });

  it('turns a refused connection into a retryable error', async () => {
    const { url } = await serve((_req, res) => res.end());
    const s = servers.pop() as Server;
    await new Promise((r) => s.close(r));
    const error = await pool(url)
      .request({ method: 'GET', path: '/', headers: {} })
      .catch((e: unknown) => e);
    expect(isRetryableNetworkError(error)).toBe(true);
  });

  it('turns a response cut short into a retryable error', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await pool(url)
      .request({ method: 'GET', path: '/', headers: {} })
      .catch((e: unknown) => e);
    expect(isRetryableNetworkError(error)).toBe(true);
  });
});
