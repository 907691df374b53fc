import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GuardPolicy } from './check.js';
import type { ServerGuard } from './server.js';

/**
 * For a plain `node:http` server: checks `req` against `policy`. Returns true when the request may
 * go on (CORS headers, if any, already set on `res`); otherwise the refusal (JSON
 * `{ error: code, message }`) or the answered preflight has been sent and the caller stops.
 */
export function guardNodeRequest(
  guard: ServerGuard,
  req: IncomingMessage,
  res: ServerResponse,
  policy: GuardPolicy,
): boolean {
  const verdict = guard.check(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
    policy,
  );
  if (verdict.ok) {
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    if (!verdict.answered) return true;
    res.writeHead(204).end();
    return false;
  }
  const text = JSON.stringify({ error: verdict.code, message: verdict.message });
  res.writeHead(verdict.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // The body was not read; do not keep a connection whose next bytes are that body.
    connection: 'close',
  });
  res.end(text);
  return false;
}
