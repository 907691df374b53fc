import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { BehaviourOptions } from './behaviours.js';
import { COMMANDS, DEVICE_KINDS, TRIGGERS } from './devices.js';
import { InvalidRequestError, VendorCloudError, VendorConfigError } from './errors.js';
import { type ListenOptions, listenHost } from './listen.js';
import { addLocalGuard } from './localGuard.js';
import { authenticate, registerOAuthRoutes } from './oauthRoutes.js';
import { DEFAULT_CLIENTS, type OAuthClientConfig, OAuthStore } from './oauthStore.js';
import { mergeClients, mergeSeeds, StateFile } from './persist.js';
import {
  type RequestTimeoutOptions,
  refuseRepeatedParameters,
  timeoutServerOptions,
} from './requestLimits.js';
import {
  DEFAULT_DEVICES,
  DEFAULT_USERS,
  type DeviceSeed,
  Simulation,
  type UserSeed,
  type VendorUser,
} from './simulation.js';
import { objectAt, stringAt } from './validate.js';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks.js';

export interface VendorCloudOptions extends RequestTimeoutOptions {
  users?: UserSeed[];
  devices?: DeviceSeed[];
  clients?: OAuthClientConfig[];
  /** Connector Function URL receiving signed webhooks. Can be set later (`setWebhookTarget`). */
  webhookUrl?: string;
  /** Standard Webhooks secret `whsec_…`; generated when absent. */
  webhookSecret?: string;
  webhookRetry?: WebhookRetryOptions;
  webhookTimeoutMs?: number;
  /** Deliver events caused by REST commands too (default true), as real device clouds do. */
  webhookCommandEvents?: boolean;
  /**
   * Deliver a user's events only while the user holds a live grant (default true): a webhook
   * subscription ends when the integration is unlinked (DeactivateUser revokes the tokens), as
   * the contract asks ("after deactivation, stop sending events for that user"). Skipped events
   * are logged with `skipReason: 'user_not_linked'`. Set false to receive every event unlinked.
   */
  webhookLinkedUsersOnly?: boolean;
  /**
   * Real-time ticker period for behaviours and scenarios (default 250 ms). 0 means the simulated
   * clock only moves via `simulation.advance(ms)` or `POST /_sim/advance` — deterministic tests.
   */
  tickIntervalMs?: number;
  /** Seed making event ids deterministic. */
  seed?: number;
  /** Simulated start time (default now). */
  startAt?: number;
  behaviour?: BehaviourOptions;
  accessTokenLifetimeSec?: number;
  refreshTokenLifetimeSec?: number;
  /**
   * JSON file keeping OAuth tokens and device state across restarts (written debounced and on
   * close, mode 0600). Without it everything is in memory.
   */
  stateFile?: string;
  /** Fastify logger (default off). Tokens never reach it: only method, URL path and status. */
  logger?: boolean;
  /**
   * Extra names the server answers to (`Host` header), beyond its listening address (and the
   * loopback names on a loopback address); `name` or `name:port`. See docs/security.md.
   */
  allowedHosts?: readonly string[];
}

/** What `buildVendorCloud` returns: the Fastify app (not listening) and its moving parts. */
export interface VendorCloud {
  app: FastifyInstance;
  simulation: Simulation;
  webhooks: WebhookDispatcher;
  users: readonly VendorUser[];
  clients: readonly OAuthClientConfig[];
  setWebhookTarget(url: string | undefined, secret?: string): void;
}

export interface StartedVendorCloud extends VendorCloud {
  url: string;
  port: number;
  close(): Promise<void>;
}

function errorBody(err: VendorCloudError) {
  return { error: err.toJSON() };
}

/** Builds the simulated vendor cloud. Never listens; use `startVendorCloud` or `app.inject()`. */
export function buildVendorCloud(options: VendorCloudOptions = {}): VendorCloud {
  // The state file's users, devices and clients join the configured ones (added at run time,
  // or configured on an earlier start); its device state and tokens are applied below.
  const stateFile = options.stateFile ? new StateFile(options.stateFile) : undefined;
  const saved = stateFile?.read();
  const seeds = mergeSeeds(
    { users: options.users ?? DEFAULT_USERS, devices: options.devices ?? DEFAULT_DEVICES },
    saved,
  );
  const simOptions: ConstructorParameters<typeof Simulation>[0] = seeds;
  if (options.seed !== undefined) simOptions.seed = options.seed;
  if (options.startAt !== undefined) simOptions.startAt = options.startAt;
  if (options.behaviour) simOptions.behaviour = options.behaviour;
  const simulation = new Simulation(simOptions);
  const clients = mergeClients(options.clients ?? DEFAULT_CLIENTS, saved);
  const store = new OAuthStore(clients, simulation);
  const webhookOpts: ConstructorParameters<typeof WebhookDispatcher>[0] = {};
  if (options.webhookUrl !== undefined) webhookOpts.url = options.webhookUrl;
  if (options.webhookSecret !== undefined) webhookOpts.secret = options.webhookSecret;
  if (options.webhookRetry) webhookOpts.retry = options.webhookRetry;
  if (options.webhookTimeoutMs !== undefined) webhookOpts.timeoutMs = options.webhookTimeoutMs;
  const webhooks = new WebhookDispatcher(webhookOpts);
  const commandEvents = options.webhookCommandEvents ?? true;
  if (stateFile) {
    stateFile.attach(store, simulation, saved);
    store.onChange = () => stateFile.schedule();
    simulation.onEvent(() => stateFile.schedule());
  }
  const linkedOnly = options.webhookLinkedUsersOnly ?? true;
  simulation.onEvent((event) => {
    if (event.source === 'command' && !commandEvents) return;
    const unlinked = linkedOnly && !store.hasLiveGrant(event.userId);
    webhooks.enqueue(event, unlinked ? 'user_not_linked' : undefined);
  });

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 256 * 1024,
    ...timeoutServerOptions(options),
  });
  // Closed to web pages: Host check everywhere, same-origin JSON on /_sim (docs/security.md).
  addLocalGuard(app, options.allowedHosts);
  app.register(formbody);
  refuseRepeatedParameters(app);

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof VendorCloudError) return reply.code(err.statusCode).send(errorBody(err));
    // Fastify's own client errors (bad JSON, wrong content type, body too large) keep their 4xx.
    const status =
      typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 500;
    const code = status === 500 ? 'internal_error' : (err.code ?? 'bad_request').toLowerCase();
    return reply
      .code(status)
      .send({ error: { code, message: status === 500 ? 'internal error' : err.message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` },
    }),
  );

  const oauth = registerOAuthRoutes(app, {
    store,
    simulation,
    accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 3600,
    refreshTokenLifetimeSec: options.refreshTokenLifetimeSec ?? 30 * 24 * 3600,
  });

  const realtime = (options.tickIntervalMs ?? 250) > 0;
  const sync = () => {
    if (realtime) simulation.syncTo(Date.now());
  };

  // --- Device REST API (Bearer, per user) ------------------------------------------------
  app.get('/api/v1/me', async (req, reply) => {
    const token = await authenticate(oauth, req, reply, []);
    if (!token) return reply;
    const user = simulation.userById((token.user as { userId: string }).userId);
    return { userId: user?.userId, name: user?.displayName };
  });

  app.get('/api/v1/devices', async (req, reply) => {
    const token = await authenticate(oauth, req, reply, ['devices:read']);
    if (!token) return reply;
    sync();
    return { devices: simulation.listDevices((token.user as { userId: string }).userId) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/devices/:id', async (req, reply) => {
    const token = await authenticate(oauth, req, reply, ['devices:read']);
    if (!token) return reply;
    sync();
    return simulation.getDevice((token.user as { userId: string }).userId, req.params.id);
  });

  app.post<{ Params: { id: string } }>('/api/v1/devices/:id/commands', async (req, reply) => {
    const token = await authenticate(oauth, req, reply, ['devices:write']);
    if (!token) return reply;
    const body = objectAt(req.body, 'body');
    const command = stringAt(body.command, 'body.command', 64);
    for (const key of Object.keys(body)) {
      if (key !== 'command' && key !== 'params') {
        throw new InvalidRequestError(`body.${key}`, 'only command and params (unknown member)');
      }
    }
    sync();
    return simulation.execute(
      (token.user as { userId: string }).userId,
      req.params.id,
      command,
      body.params,
    );
  });

  // --- Simulation control API (no auth: a local test/dashboard surface) ------------------
  app.get('/_sim/health', async () => ({ ok: true }));
  app.get('/_sim/devices', async () => {
    sync();
    return { devices: simulation.allDevices() };
  });
  app.get('/_sim/users', async () => ({
    users: simulation.users.map((u) => ({
      username: u.username,
      displayName: u.displayName,
      userId: u.userId,
    })),
  }));
  // Users and devices added at run time (kept in the state file, when there is one).
  app.post('/_sim/users', async (req, reply) => {
    const body = objectAt(req.body, 'body');
    onlyMembers(body, ['username', 'password', 'displayName']);
    const seed: UserSeed = {
      username: stringAt(body.username, 'body.username', 40),
      password: stringAt(body.password, 'body.password', 200),
    };
    if (body.displayName !== undefined) {
      seed.displayName = stringAt(body.displayName, 'body.displayName', 100);
    }
    const user = configured(() => simulation.addUser(seed, 'body'));
    stateFile?.schedule();
    return reply
      .code(201)
      .send({ username: user.username, displayName: user.displayName, userId: user.userId });
  });
  app.post('/_sim/devices', async (req, reply) => {
    const body = objectAt(req.body, 'body');
    onlyMembers(body, ['deviceId', 'kind', 'owner', 'name']);
    const seed: DeviceSeed = {
      deviceId: stringAt(body.deviceId, 'body.deviceId', 64),
      kind: stringAt(body.kind, 'body.kind', 20) as DeviceSeed['kind'],
      owner: stringAt(body.owner, 'body.owner', 40),
    };
    if (body.name !== undefined) seed.name = stringAt(body.name, 'body.name', 100);
    sync();
    const device = configured(() => simulation.addDevice(seed, 'body'));
    stateFile?.schedule();
    return reply.code(201).send(device);
  });
  app.delete<{ Params: { id: string } }>('/_sim/devices/:id', async (req) => {
    sync();
    const device = simulation.removeDevice(req.params.id);
    stateFile?.schedule();
    return { removed: device };
  });
  app.get('/_sim/catalog', async () => ({
    kinds: DEVICE_KINDS,
    commands: COMMANDS,
    triggers: TRIGGERS,
  }));
  app.post<{ Params: { id: string } }>('/_sim/devices/:id/trigger', async (req) => {
    const body = objectAt(req.body, 'body');
    const event = stringAt(body.event, 'body.event', 64);
    for (const key of Object.keys(body)) {
      if (key !== 'event' && key !== 'params') {
        throw new InvalidRequestError(`body.${key}`, 'only event and params (unknown member)');
      }
    }
    sync();
    const events = simulation.trigger(req.params.id, event, body.params);
    return { events, device: simulation.getDevice(undefined, req.params.id) };
  });
  app.post('/_sim/scenario', async (req) => {
    const body = objectAt(req.body, 'body');
    sync();
    return {
      scheduled: simulation.schedule(body.steps),
      pending: simulation.pendingScenarioSteps(),
    };
  });
  app.post('/_sim/advance', async (req) => {
    const body = objectAt(req.body, 'body');
    const ms = body.ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 86_400_000) {
      throw new InvalidRequestError('body.ms', 'an integer from 0 to 86400000', JSON.stringify(ms));
    }
    simulation.advance(ms);
    return { now: new Date(simulation.currentTime()).toISOString() };
  });
  app.get('/_sim/webhooks', async () => ({
    url: webhooks.targetUrl ?? null,
    deliveries: webhooks.log(),
  }));
  app.put('/_sim/webhooks/config', async (req) => {
    const body = objectAt(req.body, 'body');
    const url = body.url === null ? undefined : stringAt(body.url, 'body.url', 2000);
    if (url !== undefined && (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))) {
      throw new InvalidRequestError(
        'body.url',
        'an http(s) URL or null',
        JSON.stringify(url.slice(0, 40)),
      );
    }
    const secret =
      body.secret === undefined ? undefined : stringAt(body.secret, 'body.secret', 200);
    try {
      webhooks.setTarget(url, secret);
    } catch (err) {
      if (err instanceof VendorCloudError)
        throw new InvalidRequestError('body.secret', 'whsec_ + base64 of ≥ 16 bytes');
      throw err;
    }
    return { url: webhooks.targetUrl ?? null };
  });
  app.get('/_sim/oauth', async () => store.stats());

  let ticker: NodeJS.Timeout | undefined;
  if (realtime) {
    app.addHook('onReady', async () => {
      ticker = setInterval(sync, options.tickIntervalMs ?? 250);
      ticker.unref();
    });
  }
  app.addHook('onClose', async () => {
    if (ticker) clearInterval(ticker);
    stateFile?.flush();
    await webhooks.close();
  });

  return {
    app,
    simulation,
    webhooks,
    users: simulation.users,
    clients,
    setWebhookTarget: (url, secret) => webhooks.setTarget(url, secret),
  };
}

/** Refuses members a `/_sim` body does not take. */
function onlyMembers(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new InvalidRequestError(`body.${key}`, `only ${allowed.join(', ')} (unknown member)`);
    }
  }
}

/** A seed the simulation refuses (duplicate, unknown owner or kind) is a 400 naming the field. */
function configured<T>(add: () => T): T {
  try {
    return add();
  } catch (err) {
    if (err instanceof VendorConfigError) {
      throw new VendorCloudError('invalid_request', 400, err.message, {
        ...(err.path === undefined ? {} : { path: err.path }),
      });
    }
    throw err;
  }
}

/**
 * Builds and listens on 127.0.0.1 (`port` 0 = any free port); a non-loopback `host` is refused
 * (VendorConfigError) unless `allowNonLoopback` is set.
 */
export async function startVendorCloud(
  options: VendorCloudOptions & ListenOptions = {},
): Promise<StartedVendorCloud> {
  const bind = listenHost(options);
  const cloud = buildVendorCloud(options);
  await cloud.app.listen({ port: options.port ?? 0, host: bind });
  const address = cloud.app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    ...cloud,
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () => cloud.app.close(),
  };
}
