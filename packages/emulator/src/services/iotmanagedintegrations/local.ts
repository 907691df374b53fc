import type { FastifyInstance } from 'fastify';
import type { MiContext } from './context.js';
import { handleOAuthCallback, OAUTH_CALLBACK_PATH } from './domain/linking.js';

function limitOf(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 10_000) : fallback;
}

/**
 * Local control API of the managed-integrations service (no SigV4): the OAuth redirect target,
 * the rejected-event log, recent connector events and notifications, a per-account SSE stream,
 * and a state dump for tests and the dashboard.
 */
export async function localRoutes(app: FastifyInstance, opts: { ctx: MiContext }): Promise<void> {
  const { ctx } = opts;
  const local = { config: { sigv4: false } } as const;

  app.get(OAUTH_CALLBACK_PATH, local, async (request, reply) => {
    const outcome = await handleOAuthCallback(
      ctx,
      request.query as Record<string, string | undefined>,
    );
    if (outcome.redirectTo !== undefined) return reply.redirect(outcome.redirectTo, 302);
    return reply.code(outcome.status).send(outcome.body);
  });

  app.get('/_local/rejected', local, async (request) => {
    const q = request.query as Record<string, unknown>;
    return { Items: ctx.stores.rejected(limitOf(q.limit, 100)) };
  });

  app.get('/_local/events', local, async (request) => {
    const q = request.query as Record<string, unknown>;
    const connectorId = typeof q.connectorId === 'string' ? q.connectorId : undefined;
    return { Items: ctx.stores.events(limitOf(q.limit, 100), connectorId) };
  });

  app.get('/_local/notifications', local, async (request) => {
    const q = request.query as Record<string, unknown>;
    return {
      Items: ctx.hub.recent({
        account: typeof q.account === 'string' ? q.account : undefined,
        eventType: typeof q.eventType === 'string' ? q.eventType : undefined,
        limit: limitOf(q.limit, 100),
      }),
      Delivery: ctx.hub.stats,
    };
  });

  app.get('/_local/notifications/stream', local, (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const account = typeof q.account === 'string' ? q.account : '';
    if (!/^\d{12}$/.test(account)) {
      return reply.code(400).send({
        __type: 'ValidationException',
        message: `account: expected a 12-digit account id, got "${account.slice(0, 20)}"`,
      });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-amzn-requestid': request.id,
    });
    res.write(': connected\n\n');
    const unsubscribe = ctx.hub.subscribe(account, (message) => {
      res.write(
        `id: ${message.messageId}\nevent: ${message.messageType}\ndata: ${JSON.stringify(message)}\n\n`,
      );
    });
    // Comments keep proxies and idle timeouts from closing a quiet stream.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  app.get('/_local/state', local, async () => {
    const s = ctx.stores;
    const dump = <T>(rows: Array<{ account: string; region: string; doc: T }>) =>
      rows.map((r) => ({ account: r.account, region: r.region, ...r.doc }));
    return {
      cloudConnectors: dump(s.connectors.find({})),
      connectorDestinations: dump(s.destinations.find({})),
      accountAssociations: dump(s.associations.find({})).map(({ tokens, oauthState, ...rest }) => ({
        ...rest,
        hasTokens: tokens !== undefined,
      })),
      deviceDiscoveries: dump(s.discoveries.find({})),
      managedThings: dump(s.things.find({})).map((t) => ({ ...t, state: s.stateOf(t.Id) })),
      destinations: dump(s.notificationDestinations.find({})),
      notificationConfigurations: dump(s.notificationConfigs.find({})),
      connectorEvents: s.countEvents(),
      rejectedEvents: s.rejected(10_000).length,
      commits: ctx.committer.stats(),
      notificationDelivery: ctx.hub.stats,
    };
  });
}
