import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryableNetworkError } from '../src/client/retry.js';
import { KeepAlivePool, PoolClosedError, RequestTimeoutError } from '../src/client/transport.js';
import { MalformedResponseError } from '../src/errors.js';
import { manualClock } from '../src/testing.js';

const servers: Server[] = [];
const rawServers: NetServer[] = [];
const pools: KeepAlivePool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const s of rawServers.splice(0)) await new Promise((r) => s.close(r));
});

/** A TCP server that answers each request (one per 'data' burst) with `respond`'s raw bytes. */
async function serveRaw(respond: (socket: Socket, request: string, n: number) => void) {
  const sockets: Socket[] = [];
  let n = 0;
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk) => respond(socket, chunk.toString('latin1'), n++));
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rawServers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), sockets };
}

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

  it('reads chunked responses written in several pieces', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => res.end('"é"}'), 5);
    });
    const r = await pool(url).request({ method: 'GET', path: '/', headers: {} });
    expect(JSON.parse(r.text)).toEqual({ a: 'é' });
  });

  it('opens a new connection after Connection: close, and sends Content-Length: 0 on an empty POST', async () => {
    const lengths: Array<string | undefined> = [];
    const { url, connections } = await serve((req, res) => {
      lengths.push(req.headers['content-length']);
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const p = pool(url);
    for (let i = 0; i < 3; i++) {
      expect((await p.request({ method: 'POST', path: '/', headers: {} })).text).toBe('bye');
    }
    expect(connections()).toBe(3);
    expect(lengths).toEqual(['0', '0', '0']);
  });

  it('queues requests beyond `connections` and serves them in order as sockets free up', async () => {
    const { url, connections } = await serve((req, res) => {
      setTimeout(() => res.end(req.url), 2);
    });
    const p = pool(url, { connections: 2 });
    const paths = Array.from({ length: 20 }, (_, i) => `/${i}`);
    const texts = await Promise.all(
      paths.map((path) => p.request({ method: 'GET', path, headers: {} }).then((r) => r.text)),
    );
    expect(texts).toEqual(paths);
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it('closes idle sockets before the server would (Keep-Alive: timeout), so reuse never races a close', async () => {
    const { url, connections } = await serve((_req, res) => res.end('ok'));
    const server = servers.at(-1) as Server;
    server.keepAliveTimeout = 1000; // node announces "Keep-Alive: timeout=1"
    const clock = manualClock();
    const p = pool(url, { clock });
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
    clock.advance(499); // before our 500 ms: the socket is reused
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
    expect(connections()).toBe(1);
    clock.advance(500); // past our 500 ms, before the server's 1 s: a new socket
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
    expect(connections()).toBe(2);
  });

  it('skips an interim 100 Continue and reads the final response', async () => {
    const { url } = await serveRaw((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      setTimeout(() => socket.write('HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok'), 5);
    });
    const r = await pool(url).request({ method: 'POST', path: '/', headers: {}, body: '{}' });
    expect(r).toMatchObject({ statusCode: 201, text: 'ok' });
  });

  it('fails a garbage answer with MalformedResponseError (not retried) and drops that socket', async () => {
    const { url, sockets } = await serveRaw((socket, _request, n) => {
      socket.write(
        n === 0 ? 'SSH-2.0-OpenSSH_9.6\r\n\r\n' : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
      );
    });
    const p = pool(url);
    const error = await p
      .request({ method: 'GET', path: '/', headers: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/invalid status line.*SSH-2\.0/);
    expect(isRetryableNetworkError(error)).toBe(false);
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
    expect(sockets.length).toBe(2);
  });

  it('reads a body that runs to the connection close (no Content-Length), then reconnects', async () => {
    const { url, sockets } = await serveRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\npart one, ');
      setTimeout(() => socket.end('part two'), 5);
    });
    const p = pool(url);
    for (let i = 0; i < 2; i++) {
      const r = await p.request({ method: 'GET', path: '/', headers: {} });
      expect(r).toMatchObject({ statusCode: 200, text: 'part one, part two' });
    }
    expect(sockets.length).toBe(2);
  });

  it('reads responses larger than the shared read buffer, in both framings, concurrently', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 9000 }, (_, i) => `item-${i}-é`) });
    const { url } = await serve((req, res) => {
      if (req.url === '/chunked') {
        res.write(big.slice(0, 70_000));
        setTimeout(() => res.end(big.slice(70_000)), 2);
      } else {
        res.setHeader('content-length', Buffer.byteLength(big));
        res.end(big);
      }
    });
    const p = pool(url, { connections: 3 });
    const texts = await Promise.all(
      ['/length', '/chunked', '/length', '/chunked'].map((path) =>
        p.request({ method: 'GET', path, headers: {} }).then((r) => r.text),
      ),
    );
    expect(Buffer.byteLength(big)).toBeGreaterThan(100_000);
    for (const text of texts) expect(text).toBe(big);
  });

  it('drops an idle socket that receives bytes nobody asked for', async () => {
    const { url, sockets } = await serveRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 5);
    });
    const p = pool(url);
    await p.request({ method: 'GET', path: '/', headers: {} });
    // Drain: the stray bytes arrive and the pool closes that socket.
    const first = sockets[0] as Socket;
    if (!first.destroyed) await new Promise((r) => first.once('close', r));
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
    expect(sockets.length).toBe(2);
  });

  it('refuses header names or values that would split the request', async () => {
    const { url } = await serve((_req, res) => res.end('ok'));
    await expect(
      pool(url).request({ method: 'GET', path: '/', headers: { 'x-a': 'v\r\nx-b: injected' } }),
    ).rejects.toThrow(/CR, LF and NUL are not allowed/);
  });

  it('fails waiting and in-flight requests when closed (not retried), then works again', async () => {
    let hanging: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      hanging = r;
    });
    const { url } = await serve((req, res) => {
      if (req.url === '/hang') return hanging();
      res.end('ok');
    });
    const p = pool(url, { connections: 1 });
    const inflight = p.request({ method: 'GET', path: '/hang', headers: {} }).catch((e) => e);
    const waiting = p.request({ method: 'GET', path: '/', headers: {} }).catch((e) => e);
    await arrived; // drain: the first request is on the wire, the second waits for its socket
    await p.close();
    for (const error of [await inflight, await waiting]) {
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(isRetryableNetworkError(error)).toBe(false);
    }
    expect((await p.request({ method: 'GET', path: '/', headers: {} })).text).toBe('ok');
  });

  it('speaks HTTPS (TLS with the given CA, SNI for host names)', async () => {
    const dir = new URL('./fixtures/tls/', import.meta.url);
    const cert = readFileSync(new URL('cert.pem', dir));
    const server = createHttpsServer(
      { cert, key: readFileSync(new URL('key.pem', dir)) },
      (req, res) => {
        res.end(`secure ${req.method} ${req.url}`);
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server as unknown as Server);
    const { port } = server.address() as AddressInfo;
    for (const host of ['127.0.0.1', 'localhost']) {
      const p = pool(new URL(`https://${host}:${port}`), { tls: { ca: cert } });
      const r = await p.request({ method: 'POST', path: '/x', headers: {}, body: '{}' });
      expect(r.text).toBe('secure POST /x');
    }
    // Without the CA the certificate is refused, as it should be.
    const untrusted = await pool(new URL(`https://localhost:${port}`))
      .request({ method: 'GET', path: '/', headers: {} })
      .catch((e: unknown) => e);
    expect((untrusted as { code?: string }).code).toMatch(
      /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/,
    );
  });
});
