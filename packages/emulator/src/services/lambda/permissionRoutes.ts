import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { optBoolean, optString, reqString } from '../../protocols/jsonMembers.js';
import {
  bad,
  functionNameParam,
  LAMBDA,
  LAMBDA_API_DEPENDENCIES,
  qualified,
  requestObject,
  sendJson,
} from './api.js';
import { LambdaServiceError } from './errors.js';
import { functionPackagesFor } from './functionPackages.js';
import type { FunctionInfo } from './functionRegistry.js';
import { functionPoliciesFor } from './permissions.js';

/** AddPermission, RemovePermission and GetPolicy (paths from the Lambda model). */
async function permissionRoutes(app: FastifyInstance): Promise<void> {
  const { config, db } = coreDeps(app);
  const host = app.lambdaHost;
  const policies = functionPoliciesFor(db);
  const packages = functionPackagesFor(db);
  const target = (request: FastifyRequest): { info: FunctionInfo; managed: boolean } => {
    const name = qualified(request, functionNameParam(request, 140));
    const info = host.requireFunction(name, callerOf(request, config));
    if (info.version !== '$LATEST')
      throw bad('Qualifier: the emulator keeps policies on $LATEST only');
    return { info, managed: packages.get(info) !== undefined };
  };
  const path = '/2015-03-31/functions/:FunctionName/policy';

  app.post(path, { constraints: LAMBDA }, async (request, reply) => {
    const { info, managed } = target(request);
    const input = requestObject(request);
    const sid = reqString(input, 'StatementId', bad, { min: 1, max: 100 });
    if (!/^[a-zA-Z0-9-_.]+$/.test(sid))
      throw bad(`StatementId: expected [a-zA-Z0-9-_.]+, got ${JSON.stringify(sid)}`);
    const action = reqString(input, 'Action', bad, { min: 1 });
    if (!/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action)) {
      throw bad(`Action: expected lambda:<Action> or *, got ${JSON.stringify(action)}`);
    }
    const principal = reqString(input, 'Principal', bad, { min: 1 });
    if (!/^[^\s]+$/.test(principal))
      throw bad(`Principal: expected no white space, got ${JSON.stringify(principal)}`);
    const optional = (key: string) => {
      const v = optString(input, key, bad, { max: 1024 });
      return v === undefined ? {} : { [key]: v };
    };
    const viaUrl = optBoolean(input, 'InvokedViaFunctionUrl', bad);
    const sourceAccount = optString(input, 'SourceAccount', bad);
    if (sourceAccount !== undefined && !/^\d{12}$/.test(sourceAccount)) {
      throw bad(`SourceAccount: expected 12 digits, got ${JSON.stringify(sourceAccount)}`);
    }
    const statement = policies.add(info, managed, {
      StatementId: sid,
      Action: action,
      Principal: principal,
      ...optional('SourceArn'),
      ...(sourceAccount === undefined ? {} : { SourceAccount: sourceAccount }),
      ...optional('EventSourceToken'),
      ...optional('FunctionUrlAuthType'),
      ...optional('PrincipalOrgID'),
      ...(viaUrl === undefined ? {} : { InvokedViaFunctionUrl: viaUrl }),
    });
    return sendJson(reply, 201, { Statement: JSON.stringify(statement) });
  });

  app.get(path, { constraints: LAMBDA }, async (request, reply) => {
    const { info, managed } = target(request);
    const statements = policies.statements(info, managed);
    if (statements.length === 0) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        'The resource you requested does not exist.',
      );
    }
    return sendJson(reply, 200, {
      Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
      RevisionId: info.lastModified.getTime().toString(16),
    });
  });

  app.delete(`${path}/:StatementId`, { constraints: LAMBDA }, async (request, reply) => {
    const { info, managed } = target(request);
    const sid = (request.params as { StatementId?: string }).StatementId ?? '';
    if (!/^[a-zA-Z0-9-_.]{1,100}$/.test(sid))
      throw bad(`StatementId: expected [a-zA-Z0-9-_.]+, got ${JSON.stringify(sid.slice(0, 120))}`);
    policies.remove(info, managed, sid);
    return reply.code(204).send();
  });
}

export const lambdaPermissionRoutes = fp(permissionRoutes, {
  name: '@c2c-kit/emulator-lambda-permissions',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});
