import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { optString, reqString } from '../../protocols/jsonMembers.js';
import {
  bad,
  functionConfiguration,
  functionNameParam,
  LAMBDA,
  LAMBDA_API_DEPENDENCIES,
  pageOf,
  requestObject,
  sendJson,
} from './api.js';
import { parseFunctionRef } from './functionRef.js';
import type { FunctionInfo } from './functionRegistry.js';
import { ALIAS_NAME, type AliasRecord, codeSha256 } from './versions.js';

/**
 * PublishVersion, ListVersionsByFunction and the alias operations (Create/Get/List/Update/
 * DeleteAlias), paths and statuses from the Lambda model.
 */

const VERSION = /^(\$LATEST|[0-9]{1,15})$/;

function aliasOut(info: FunctionInfo, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasArn: `${info.arn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
  };
}

function description(input: Record<string, unknown>): string | undefined {
  return optString(input, 'Description', bad, { max: 256 });
}

function functionVersion(input: Record<string, unknown>, required: boolean): string | undefined {
  const value = required
    ? reqString(input, 'FunctionVersion', bad, { min: 1, max: 1024 })
    : optString(input, 'FunctionVersion', bad, { min: 1, max: 1024 });
  if (value !== undefined && !VERSION.test(value)) {
    throw bad(
      `FunctionVersion: expected $LATEST or a version number, got ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  return value;
}

/** Weighted alias routing is not emulated: an alias runs one version. */
function refuseRouting(input: Record<string, unknown>): void {
  const routing = input.RoutingConfig as { AdditionalVersionWeights?: object } | undefined;
  if (routing?.AdditionalVersionWeights && Object.keys(routing.AdditionalVersionWeights).length) {
    throw bad(
      'RoutingConfig: weighted alias routing (AdditionalVersionWeights) is not supported by the emulator',
    );
  }
}

function aliasNameOf(value: string): string {
  if (!ALIAS_NAME.test(value)) {
    throw bad(
      `Name: expected 1-128 characters of a-z, A-Z, 0-9, "-" and "_", not only digits, got ${JSON.stringify(value.slice(0, 140))}`,
    );
  }
  return value;
}

async function versionRoutes(app: FastifyInstance): Promise<void> {
  const { config } = coreDeps(app);
  const host = app.lambdaHost;
  const { versions } = host;

  /** The caller's function the path names; these operations take no qualifier. */
  const baseFunction = (request: FastifyRequest): FunctionInfo => {
    const name = functionNameParam(request, 140);
    if (parseFunctionRef(name)?.qualifier !== undefined) {
      throw bad(
        `FunctionName: expected a function name or ARN without a qualifier, got ${JSON.stringify(name.slice(0, 300))}`,
      );
    }
    return host.requireFunction(name, callerOf(request, config));
  };
  const aliasParam = (request: FastifyRequest): string =>
    aliasNameOf((request.params as { Name?: string }).Name ?? '');

  const versionsPath = '/2015-03-31/functions/:FunctionName/versions';
  app.post(versionsPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    const input = requestObject(request);
    const expected = optString(input, 'CodeSha256', bad);
    const current = codeSha256(info.handler);
    if (expected !== undefined && expected !== current) {
      throw bad(
        `CodeSHA256 (${expected.slice(0, 64)}) is different from current CodeSHA256 in $LATEST (${current}). Please try again from a fresh state.`,
      );
    }
    const published = versions.publish(info, info, description(input) ?? '');
    const versionInfo = host.requireFunction(`${info.arn}:${published.version}`);
    return sendJson(reply, 201, functionConfiguration(versionInfo, published));
  });

  app.get(versionsPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    const all = [
      functionConfiguration(info),
      ...versions
        .list(info)
        .map((v) => functionConfiguration(host.requireFunction(`${info.arn}:${v.version}`), v)),
    ];
    const { items, next } = pageOf(request, all);
    return sendJson(reply, 200, { Versions: items, ...(next ? { NextMarker: next } : {}) });
  });

  const aliasesPath = '/2015-03-31/functions/:FunctionName/aliases';
  app.post(aliasesPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    const input = requestObject(request);
    const name = aliasNameOf(reqString(input, 'Name', bad, { min: 1, max: 128 }));
    const version = functionVersion(input, true) as string;
    const text = description(input) ?? '';
    refuseRouting(input);
    const alias = versions.createAlias(info, info.arn, {
      name,
      functionVersion: version,
      description: text,
    });
    return sendJson(reply, 201, aliasOut(info, alias));
  });

  app.get(aliasesPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    const q = request.query as Record<string, unknown>;
    const filter = functionVersion(q, false);
    const { items, next } = pageOf(request, versions.listAliases(info, filter));
    return sendJson(reply, 200, {
      Aliases: items.map((a) => aliasOut(info, a)),
      ...(next ? { NextMarker: next } : {}),
    });
  });

  const aliasPath = `${aliasesPath}/:Name`;
  app.get(aliasPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    return sendJson(
      reply,
      200,
      aliasOut(info, versions.requireAlias(info, info.arn, aliasParam(request))),
    );
  });

  app.put(aliasPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    const name = aliasParam(request);
    const input = requestObject(request);
    const version = functionVersion(input, false);
    const text = description(input);
    const revisionId = optString(input, 'RevisionId', bad);
    refuseRouting(input);
    const alias = versions.updateAlias(info, info.arn, name, {
      ...(version !== undefined ? { functionVersion: version } : {}),
      ...(text !== undefined ? { description: text } : {}),
      ...(revisionId !== undefined ? { revisionId } : {}),
    });
    return sendJson(reply, 200, aliasOut(info, alias));
  });

  app.delete(aliasPath, { constraints: LAMBDA }, async (request, reply) => {
    const info = baseFunction(request);
    versions.deleteAlias(info, info.arn, aliasParam(request));
    return reply.code(204).send();
  });
}

export const lambdaVersionRoutes = fp(versionRoutes, {
  name: '@c2c-kit/emulator-lambda-versions',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});
