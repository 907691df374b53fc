import type { FastifyInstance } from 'fastify';

const startedAt = Date.now();

/** `GET /_local/health`: liveness for tools and tests (no SigV4). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/_local/health', { config: { sigv4: false } }, async () => ({
    status: 'ok',
    region: app.emulatorConfig.region,
    verify: app.emulatorConfig.verify,
    baseUrl: app.emulatorConfig.baseUrl(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  }));
}
