import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LambdaHost } from './LambdaHost.js';

declare module 'fastify' {
  interface FastifyInstance {
    lambdaHost: LambdaHost;
  }
}

async function lambda(app: FastifyInstance): Promise<void> {
  const host = new LambdaHost();
  app.decorate('lambdaHost', host);
  app.addHook('onClose', async () => host.close());
}

export const lambdaPlugin = fp(lambda, { name: '@c2c-kit/emulator-lambda', fastify: '5.x' });
