import { timingSafeEqual } from 'node:crypto';
import { GUARD_CODES, type GuardCode } from './errors.js';
import { type AllowedHosts, normalizeHostHeader } from './hosts.js';

/** What a route demands beyond the Host check, which every route of every local server gets. */
export interface GuardPolicy {
  /**
   * A state-changing request (not GET/HEAD/OPTIONS) that carries an Origin must come from the
   * server's own origin. Requests without Origin (SDKs, curl, server-to-server) pass.
   */
  readonly sameOrigin: boolean;
  /**
   * A request with a body must be `Content-Type: application/json`, which a web page can only
   * send cross-origin after a CORS preflight (that the server does not answer).
   */
  readonly json: boolean;
  /**
   * CORS preflights (OPTIONS with Origin and Access-Control-Request-Method): `refuse` them,
   * answer them for `loopback` origins only (and add the CORS headers to the loopback origin's
   * requests), or leave OPTIONS to the `route`.
   */
  readonly preflight: 'refuse' | 'loopback' | 'route';
  /** Response headers a loopback origin may read (with `preflight: 'loopback'`). */
  readonly exposeHeaders?: readonly string[];
  /** A per-run secret the request must present. */
  readonly token?: {
    readonly value: string;
    /** Header carrying it (`fetch`). */
    readonly header: string;
    /** Query parameter carrying it, for requests that cannot set headers (EventSource). */
    readonly query?: string;
  };
}

/** Local control API: same origin only, JSON bodies only, no CORS. */
export const CONTROL: GuardPolicy = { sameOrigin: true, json: true, preflight: 'refuse' };

/** Only the Host check (routes protected otherwise, or public by design). */
export const HOST_ONLY: GuardPolicy = { sameOrigin: false, json: false, preflight: 'refuse' };

export interface GuardRequest {
  readonly method: string;
  /** Path and query as sent (`/api/x?token=…`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Refusal {
  readonly ok: false;
  readonly status: 403 | 415;
  readonly code: GuardCode;
  readonly message: string;
}

/** Go on to the route, adding `headers` to its response (CORS for a loopback origin). */
export interface Pass {
  readonly ok: true;
  readonly headers: Readonly<Record<string, string>>;
  /** A preflight the guard answered itself: reply 204 with `headers`, skip the route. */
  readonly answered: boolean;
}

export type Verdict = Pass | Refusal;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_ORIGIN = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const PASS: Pass = Object.freeze({ ok: true, headers: NO_HEADERS, answered: false });

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(status: 403 | 415, code: GuardCode, message: string): Refusal {
  return { ok: false, status, code, message };
}

function quoted(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

function hasBody(headers: GuardRequest['headers']): boolean {
  const length = one(headers['content-length']);
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function sameSecret(expected: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

function queryParam(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined;
}

function corsHeaders(origin: string, policy: GuardPolicy): Record<string, string> {
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (policy.exposeHeaders !== undefined && policy.exposeHeaders.length > 0) {
    headers['access-control-expose-headers'] = policy.exposeHeaders.join(', ');
  }
  return headers;
}

/**
 * The guard's one decision, free of any framework: may this request reach its route? `allowed`
 * are the names and origins of the server, `policy` what the route demands. `hint` completes
 * the Host refusal with how to allow another name on this server.
 */
export function checkRequest(
  request: GuardRequest,
  allowed: AllowedHosts,
  policy: GuardPolicy,
  hint = "add it to the server's allowedHosts option",
): Verdict {
  const { headers } = request;
  const method = request.method.toUpperCase();
  const rawHost = one(headers.host);
  const host = normalizeHostHeader(rawHost);
  if (host === undefined || !allowed.hosts.has(host)) {
    const shown = rawHost === undefined ? 'no Host header' : `Host ${quoted(rawHost)}`;
    return refuse(
      403,
      GUARD_CODES.host,
      // The allowed names are not listed: a rebound page reads this answer, and on a wildcard
      // address they would include this machine's network addresses.
      `${shown} is not a name this server answers to; a web page may be trying DNS rebinding. If you reach this server under that name on purpose, ${hint} (see docs/security.md).`,
    );
  }
  const origin = one(headers.origin);
  if (method === 'OPTIONS' && origin !== undefined && headers['access-control-request-method']) {
    if (policy.preflight === 'route') return PASS;
    if (policy.preflight === 'loopback' && LOOPBACK_ORIGIN.test(origin)) {
      const requested = one(headers['access-control-request-headers']);
      return {
        ok: true,
        answered: true,
        headers: {
          ...corsHeaders(origin, policy),
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
          ...(requested !== undefined && HEADER_LIST.test(requested)
            ? { 'access-control-allow-headers': requested }
            : {}),
          'access-control-max-age': '600',
        },
      };
    }
    return refuse(
      403,
      GUARD_CODES.preflight,
      `CORS preflight from ${quoted(origin)} refused: this route answers ${policy.preflight === 'loopback' ? 'loopback origins only' : 'no cross-origin requests'}.`,
    );
  }
  if (policy.sameOrigin && origin !== undefined && !SAFE_METHODS.has(method)) {
    if (!allowed.origins.has(origin)) {
      return refuse(
        403,
        GUARD_CODES.origin,
        `Origin ${quoted(origin)} may not change state here: only this server's own pages may.`,
      );
    }
  }
  const token = policy.token;
  if (token !== undefined) {
    const got =
      one(headers[token.header]) ??
      (token.query === undefined ? undefined : queryParam(request.url, token.query));
    if (!sameSecret(token.value, got)) {
      return refuse(
        403,
        GUARD_CODES.token,
        `missing or wrong ${token.header}: load the page from this server's own address, which hands the page its token.`,
      );
    }
  }
  if (policy.json && hasBody(headers) && !isJson(one(headers['content-type']))) {
    const type = one(headers['content-type']);
    return refuse(
      415,
      GUARD_CODES.contentType,
      `content-type: expected application/json, got ${type === undefined ? 'none' : quoted(type)}.`,
    );
  }
  if (
    policy.preflight === 'loopback' &&
    origin !== undefined &&
    LOOPBACK_ORIGIN.test(origin) &&
    !allowed.origins.has(origin)
  ) {
    return { ok: true, answered: false, headers: corsHeaders(origin, policy) };
  }
  return PASS;
}
