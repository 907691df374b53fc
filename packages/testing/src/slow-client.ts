import { connect, type Socket } from 'node:net';
import { headerLines } from './hostile-http.js';

// Clients that are slow on purpose, for the request-timeout tests of every local server.

/** Opens a connection and resolves when it is established. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends the headers of a request promising a body, then the body one byte every `everyMs`, and
 * resolves with what the server wrote once it closes the connection. Stops dribbling when closed.
 * A server that never closes leaves the promise pending (the test's own timeout reports it).
 */
export async function dribbleBody(
  port: number,
  path: string,
  opts: {
    everyMs: number;
    bodyBytes?: number;
    contentType?: string;
    headers?: Readonly<Record<string, string>>;
  },
): Promise<string> {
  const socket = await open(port);
  const total = opts.bodyBytes ?? 10_000;
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const extra = headerLines(opts.headers ?? {});
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: ${opts.contentType ?? 'application/json'}\r\ncontent-length: ${total}\r\n${extra}\r\n`,
  );
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= total) return;
    socket.write(sent === 0 ? '{' : ' ');
    sent++;
  }, opts.everyMs);
  await closed;
  clearInterval(timer);
  return Buffer.concat(received).toString('latin1');
}

/** Sends headers slowly, one byte every `everyMs`, never finishing them; resolves on close. */
export async function dribbleHeaders(port: number, everyMs: number): Promise<string> {
  const socket = await open(port);
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-slow: `);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write('a');
  }, everyMs);
  await closed;
  clearInterval(timer);
  return Buffer.concat(received).toString('latin1');
}

/**
 * Opens a streaming GET (SSE) and reports whether the stream is still open after `waitMs`, and
 * what it received by then. The wait is the point of the test (outliving the request bound).
 */
export async function streamOpenAfter(
  port: number,
  path: string,
  waitMs: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ open: boolean; received: string }> {
  const socket = await open(port);
  const received: Buffer[] = [];
  let closed = false;
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  const extra = headerLines(headers);
  socket.write(
    `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/event-stream\r\n${extra}\r\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  const stillOpen = !closed && !socket.destroyed;
  socket.destroy();
  return { open: stillOpen, received: Buffer.concat(received).toString('latin1') };
}
