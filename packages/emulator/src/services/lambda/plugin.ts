import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { lambdaErrorHandler } from './api.js';
import { lambdaEventSourceMappingRoutes } from './eventSourceMappingRoutes.js';
import { lambdaFunctionControlRoutes } from './functionControlRoutes.js';
import { lambdaFunctionRoutes } from './functionRoutes.js';
import { lambdaFunctionUrlConfigRoutes } from './functionUrlConfigs.js';
import { lambdaFunctionUrlRoutes } from './functionUrlRoutes.js';
import { lambdaHostPlugin } from './hostPlugin.js';
import { lambdaInvokeRoutes } from './invokeRoutes.js';
import { lambdaLocalFunctionRoutes } from './localFunctionRoutes.js';
import { lambdaPermissionRoutes } from './permissionRoutes.js';
import { lambdaVersionRoutes } from './versionRoutes.js';

/**
 * The Lambda subset's composition root: the host first, then one plugin per route group. The
 * REST groups share one context whose error handler renders Lambda's errors; a new group is a
 * `*Routes.ts` file registered here.
 */
async function lambdaApi(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(lambdaErrorHandler);
  await app.register(lambdaInvokeRoutes);
  await app.register(lambdaFunctionRoutes);
  await app.register(lambdaVersionRoutes);
  await app.register(lambdaEventSourceMappingRoutes);
  await app.register(lambdaFunctionControlRoutes);
  await app.register(lambdaFunctionUrlConfigRoutes);
  await app.register(lambdaPermissionRoutes);
}

async function lambda(app: FastifyInstance): Promise<void> {
  await app.register(lambdaHostPlugin);
  await app.register(lambdaApi);
  await app.register(lambdaFunctionUrlRoutes);
  await app.register(lambdaLocalFunctionRoutes);
}

/**
 * Registers the Lambda REST routes, Function URL routes and `/_local/functions`, and decorates
 * `app.lambdaHost` (used by the core to invoke connectors).
 */
export const lambdaPlugin = fp(lambda, {
  name: '@c2c-kit/emulator-lambda',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sigv4'],
});
