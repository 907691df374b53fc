import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Credentials, ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import {
  CONTROL,
  type GuardPolicy,
  type GuardRule,
  guardNodeRequest,
  policyFor,
  ServerGuard,
} from '@c2c-kit/local-guard';
import type { OperationName } from '@c2c-kit/protocol';
import { UpstreamError } from '../errors.js';
import { describeProperty, describeValue } from '../notifications.js';
import { NotificationFeed, send } from './dashboardFeed.js';
import {
  answerClientError,
  BadRequest,
  decodeSegment,
  readJsonBody,
  requireString,
  sendJson,
} from './http.js';

/** A customer AWS account the dashboard can act as. */
export interface CustomerAccount {
  readonly accountId: string;
  readonly name: string;
  readonly credentials: Credentials;
}

/** A vendor-cloud demo user, shown so the person at the keyboard knows what to type at login. */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly displayName?: string;
}

export interface DashboardOptions {
  readonly host?: string;
  /**
   * Extra names the dashboard answers to (`Host` header), beyond its listening address (and the
   * loopback names on a loopback address); `name` or `name:port`. See docs/security.md.
   */
  readonly allowedHosts?: readonly string[];
  readonly port?: number;
  readonly region: string;
  readonly emulatorUrl: string;
  readonly vendorCloudUrl: string;
  readonly customers: readonly CustomerAccount[];
  readonly demoUsers: readonly DemoUser[];
  /** Connector destination new account associations are created on. */
  readonly connectorDestinationId: () => string | undefined;
  /** URL of the emulator's SSE notification stream for one customer account. */
  readonly notificationStreamUrl: (accountId: string) => string;
  /**
   * URL of the emulator's recent notifications of one customer account (`{ Items }`, oldest
   * first): replayed at the start of each relayed stream so the feed survives a reload.
   */
  readonly recentNotificationsUrl?: (accountId: string) => string;
  /** Longest time to receive a whole request (headers and body), ms; then 408 and close: 30000. */
  readonly requestTimeoutMs?: number;
  /** Longest time to receive the request headers, ms (at most `requestTimeoutMs`): 10000. */
  readonly headersTimeoutMs?: number;
  /** Fires a vendor-side event on a virtual device (the vendor cloud's simulation API). */
  readonly triggerVendorEvent: (
    username: string | undefined,
    deviceId: string,
    event: string,
    data: unknown,
  ) => Promise<unknown>;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  /**
   * This run's API token (`x-c2c-dashboard-token`), for in-process callers of `/api/*`; the page
   * gets it inside index.html.
   */
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Customer-side operations the dashboard may call. The browser names the operation and sends its
 * input; the server signs it as the chosen customer. Anything else (connector registration, …) is
 * the developer's job and stays off this API.
 */
export const DASHBOARD_OPERATIONS: readonly string[] = [
  'CreateAccountAssociation',
  'GetAccountAssociation',
  'ListAccountAssociations',
  'StartAccountAssociationRefresh',
  'DeleteAccountAssociation',
  'StartDeviceDiscovery',
  'GetDeviceDiscovery',
  'ListDiscoveredDevices',
  'CreateManagedThing',
  'RegisterAccountAssociation',
  'DeregisterAccountAssociation',
  'ListManagedThingAccountAssociations',
  'ListManagedThings',
  'GetManagedThing',
  'GetManagedThingState',
  'GetManagedThingCapabilities',
  'SendManagedThingCommand',
];

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Static files live in `src/dashboard/` and are served as they are (no build step). The path is
 * resolved relative to this module so it works from `src/dev/` (tests) and `dist/dev/` (the bin).
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../src/dashboard/', import.meta.url));

/** Header carrying the per-run token on the page's `fetch` calls. */
const DASHBOARD_TOKEN_HEADER = 'x-c2c-dashboard-token';
/** Query parameter carrying it on the EventSource stream, which cannot set headers. */
const TOKEN_QUERY = 'token';
/** Replaced by the token in index.html when it is served. */
const TOKEN_PLACEHOLDER = '{{C2C_DASHBOARD_TOKEN}}';

/**
 * The dashboard's policies: every route is same-origin JSON without CORS (`CONTROL`); `/api/*`
 * also needs the per-run token, which only a page this server served can know.
 */
function dashboardRules(token: string): readonly GuardRule[] {
  const inHeader = { value: token, header: DASHBOARD_TOKEN_HEADER };
  const api: GuardPolicy = { ...CONTROL, token: inHeader };
  const stream: GuardPolicy = { ...CONTROL, token: { ...inHeader, query: TOKEN_QUERY } };
  return [
    {
      methods: ['GET'],
      path: '/api/accounts/:accountId/events',
      policy: stream,
      reason: 'EventSource cannot set headers: the token may come as ?token= on this stream.',
    },
    { path: '/api/*', policy: api, reason: 'The JSON API: the token in its header.' },
  ];
}

/** Starts the dashboard: static page + same-origin JSON API that signs requests server-side. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  // Per run; handed to the page inside index.html, which a page of another origin cannot read.
  const token = randomBytes(32).toString('base64url');
  const rules = dashboardRules(token);
  const clients = new Map<string, ManagedIntegrationsClient>();
  for (const customer of options.customers) {
    clients.set(
      customer.accountId,
      // The emulator validates; the dashboard relays its answer (validation errors included).
      new ManagedIntegrationsClient({
        endpoint: options.emulatorUrl,
        region: options.region,
        credentials: customer.credentials,
        validate: false,
      }),
    );
  }
  const streams = new Set<ServerResponse>();
  const feed = new NotificationFeed({
    streamUrl: options.notificationStreamUrl,
    recentUrl: options.recentNotificationsUrl,
    streams,
  });

  // Bounds on receiving a request only (an SSE relay is an answer and is never cut): a client
  // dribbling its body is dropped. Node checks every connectionsCheckingInterval (30 s by default).
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  const connectionsCheckingInterval = Math.max(25, Math.min(30_000, headersTimeout / 4));
  const limits = { requestTimeout, headersTimeout, connectionsCheckingInterval };
  const server = createServer(limits, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BadRequest) {
        sendJson(res, error.status, { error: 'BadRequest', message: error.message });
        return;
      }
      // The upstream refused the request: its 4xx is the answer (502 is for an upstream down).
      if (error instanceof UpstreamError && error.status >= 400 && error.status < 500) {
        sendJson(res, error.status, { error: 'UpstreamError', message: error.message });
        return;
      }
      // Upstream unreachable or a bug: a 502 naming the cause, never a crash of the server.
      if (!res.headersSent) {
        sendJson(res, 502, { error: 'UpstreamUnavailable', message: (error as Error).message });
      } else {
        res.destroy();
      }
    });
  });

  server.on('clientError', answerClientError);

  const guard = new ServerGuard({
    server,
    allowedHosts: options.allowedHosts ?? [],
    hint: 'pass it in the dashboard’s `allowedHosts` option',
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.local');
    const path = url.pathname;
    // The policy goes by the same (normalised) path the routing below uses.
    if (!guardNodeRequest(guard, req, res, policyFor(rules, req.method ?? 'GET', path, CONTROL))) {
      return;
    }
    if (path.startsWith('/api/')) {
      await handleApi(req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'MethodNotAllowed', message: `${req.method} ${path}` });
      return;
    }
    await serveStatic(res, path === '/' ? '/index.html' : path);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter((p) => p !== '');
    // /api/config
    if (parts[1] === 'config' && req.method === 'GET') {
      sendJson(res, 200, {
        region: options.region,
        emulatorUrl: options.emulatorUrl,
        vendorCloudUrl: options.vendorCloudUrl,
        connectorDestinationId: options.connectorDestinationId() ?? null,
        customers: options.customers.map((c) => ({ accountId: c.accountId, name: c.name })),
        demoUsers: options.demoUsers,
      });
      return;
    }
    // POST /api/vendor/devices/:deviceId/events  { event, data?, username? }
    if (parts[1] === 'vendor' && parts[2] === 'devices' && parts[4] === 'events') {
      if (req.method !== 'POST')
        throw new BadRequest(`method: expected POST, got ${req.method}`, 405);
      const body = await readJsonBody(req);
      const event = requireString(body, 'event');
      const username = typeof body.username === 'string' ? body.username : undefined;
      const result = await options.triggerVendorEvent(
        username,
        decodeSegment(parts[3] ?? '', 'deviceId'),
        event,
        body.data,
      );
      sendJson(res, 202, result ?? { accepted: true });
      return;
    }
    // /api/accounts/:accountId/...
    if (parts[1] !== 'accounts' || parts[2] === undefined) {
      throw new BadRequest(`path: unknown API route ${url.pathname}`, 404);
    }
    const accountId = decodeSegment(parts[2], 'accountId');
    const client = clients.get(accountId);
    if (client === undefined) {
      throw new BadRequest(
        `accountId: expected one of ${[...clients.keys()].join(', ')}, got "${accountId}"`,
        404,
      );
    }
    // GET /api/accounts/:id/events → SSE relay of the emulator's notification stream.
    if (parts[3] === 'events' && req.method === 'GET') {
      await feed.relay(req, res, accountId, client);
      return;
    }
    // POST /api/accounts/:id/operations/:OperationName  { ...input }
    if (parts[3] === 'operations' && parts[4] !== undefined) {
      if (req.method !== 'POST')
        throw new BadRequest(`method: expected POST, got ${req.method}`, 405);
      const name = parts[4];
      if (!DASHBOARD_OPERATIONS.includes(name)) {
        throw new BadRequest(
          `operation: expected one of ${DASHBOARD_OPERATIONS.join(', ')}, got "${name}"`,
          404,
        );
      }
      const input = await readJsonBody(req);
      const response = await send(client, name as OperationName, input);
      const status = response.statusCode;
      const ok = status >= 200 && status < 300;
      sendJson(
        res,
        ok ? 200 : status >= 500 ? 502 : status,
        ok
          ? name === 'GetManagedThingState'
            ? withValueWords(response.body)
            : response.body
          : { error: response.errorType ?? 'UpstreamError', status, body: response.body },
      );
      return;
    }
    throw new BadRequest(`path: unknown API route ${url.pathname}`, 404);
  }

  async function serveStatic(res: ServerResponse, path: string): Promise<void> {
    const relative = normalize(decodeSegment(path, 'path')).replace(/^([/\\])+/, '');
    const type = STATIC_TYPES[extname(relative)];
    if (relative.includes('..') || type === undefined) {
      sendJson(res, 404, { error: 'NotFound', message: path });
      return;
    }
    let content: Buffer;
    try {
      content = await readFile(join(DASHBOARD_DIR, relative));
    } catch {
      sendJson(res, 404, { error: 'NotFound', message: path });
      return;
    }
    const page = relative === 'index.html';
    if (page) content = Buffer.from(content.toString('utf8').replace(TOKEN_PLACEHOLDER, token));
    res.writeHead(200, {
      'content-type': type,
      'content-length': content.length,
      // The page carries this run's token: no cache keeps it.
      'cache-control': page ? 'no-store' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(content);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    token,
    close: async () => {
      await closeServer(server, streams);
      for (const client of clients.values()) await client.close();
    },
  };
}

/**
 * GetManagedThingState with each property's name and value in words (`label: 'Battery'`,
 * `words: 'Battery 99 %'`), so the
 * page shows what the feed says without a Matter table of its own.
 */
function withValueWords(body: unknown): unknown {
  const endpoints = (body as { Endpoints?: unknown } | null)?.Endpoints;
  if (!Array.isArray(endpoints)) return body;
  for (const endpoint of endpoints) {
    for (const capability of endpoint?.capabilities ?? []) {
      for (const property of capability?.properties ?? []) {
        if (property === null || typeof property !== 'object') continue;
        const v = property.value;
        const value =
          v !== null && typeof v === 'object' && 'propertyValue' in v ? v.propertyValue : v;
        property.words = describeValue(capability.id, String(property.name), value);
        property.label = describeProperty(capability.id, String(property.name));
      }
    }
  }
  return body;
}

async function closeServer(server: Server, streams: Set<ServerResponse>): Promise<void> {
  for (const stream of streams) stream.end();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
