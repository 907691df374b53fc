import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { functionNameParam, LAMBDA, LAMBDA_API_DEPENDENCIES, qualified, sendJson } from './api.js';
import { configurationOf } from './functionControlRoutes.js';
import { functionPackagesFor } from './functionPackages.js';
import type { FunctionInfo } from './functionRegistry.js';

/** GetFunction and GetFunctionConfiguration, paths from the Lambda model. */
async function functionRoutes(app: FastifyInstance): Promise<void> {
  const { config, db } = coreDeps(app);
  const host = app.lambdaHost;
  const packages = functionPackagesFor(db);

  /** The caller's function the path names, `?Qualifier=` applied (names up to `maxNameLength`). */
  const requestedFunction = (request: FastifyRequest, maxNameLength?: number): FunctionInfo => {
    return host.requireFunction(
      qualified(request, functionNameParam(request, maxNameLength)),
      callerOf(request, config),
    );
  };

  app.get(
    '/2015-03-31/functions/:FunctionName',
    { constraints: LAMBDA },
    async (request, reply) => {
      const info = requestedFunction(request);
      return sendJson(reply, 200, {
        Configuration: configurationOf(
          info,
          packages.get(info),
          host.versions.get(info, info.version),
        ),
        Code: { RepositoryType: 'S3', Location: `file://${info.handler}` },
        Tags: {},
      });
    },
  );

  app.get(
    '/2015-03-31/functions/:FunctionName/configuration',
    { constraints: LAMBDA },
    async (request, reply) => {
      const info = requestedFunction(request);
      return sendJson(
        reply,
        200,
        configurationOf(info, packages.get(info), host.versions.get(info, info.version)),
      );
    },
  );
}

export const lambdaFunctionRoutes = fp(functionRoutes, {
  name: '@c2c-kit/emulator-lambda-functions',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});
