import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import {
  optArray,
  optInt,
  optString,
  reqString,
  requireObject,
} from '../../protocols/jsonMembers.js';
import {
  bad,
  functionConfiguration,
  functionNameParam,
  LAMBDA,
  LAMBDA_API_DEPENDENCIES,
  requestObject,
  sendJson,
} from './api.js';
import { FunctionRegistrationError, LambdaServiceError } from './errors.js';
import { type FunctionPackage, functionPackagesFor, handlerFile } from './functionPackages.js';
import type { FunctionInfo } from './functionRegistry.js';
import { functionUrlConfigsFor } from './functionUrlConfigs.js';
import { functionPoliciesFor } from './permissions.js';
import type { VersionRecord } from './versions.js';

/**
 * The Lambda control plane a deployment needs (paths from the Lambda model): CreateFunction with a
 * zip, UpdateFunctionCode, UpdateFunctionConfiguration and DeleteFunction. The code is unpacked
 * and registered with the host like any other function; `functionPackages.ts` keeps the zip and
 * the settings the host does not (runtime, role, memory, architectures, description).
 */

/** Lambda's Node.js runtimes; the host runs each on this machine's Node (docs/deploy.md). */
const NODE_RUNTIME = /^nodejs\d+\.x$/;
const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

interface Settings {
  runtime?: string;
  role?: string;
  handler?: string;
  timeout?: number;
  memorySize?: number;
  description?: string;
  environment?: Record<string, string>;
}

function settingsOf(input: Record<string, unknown>): Settings {
  const runtime = optString(input, 'Runtime', bad);
  if (runtime !== undefined && !NODE_RUNTIME.test(runtime)) {
    throw bad(
      `Runtime ${runtime}: the emulator's Lambda host runs Node.js functions only (nodejs*.x)`,
    );
  }
  const role = optString(input, 'Role', bad);
  if (role !== undefined && !ROLE_ARN.test(role))
    throw bad(`Role: expected an IAM role ARN, got ${JSON.stringify(role.slice(0, 200))}`);
  const env =
    input.Environment === undefined
      ? undefined
      : requireObject(input.Environment, 'Environment', bad);
  const variables =
    env?.Variables === undefined
      ? undefined
      : requireObject(env.Variables, 'Environment.Variables', bad);
  const timeout = optInt(input, 'Timeout', bad, { min: 1, max: 900 });
  const memorySize = optInt(input, 'MemorySize', bad, { min: 128, max: 10_240 });
  const description = optString(input, 'Description', bad, { max: 256 });
  const handler = optString(input, 'Handler', bad, { max: 128 });
  return {
    ...(runtime === undefined ? {} : { runtime }),
    ...(role === undefined ? {} : { role }),
    ...(handler === undefined ? {} : { handler }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(memorySize === undefined ? {} : { memorySize }),
    ...(description === undefined ? {} : { description }),
    ...(variables === undefined ? {} : { environment: variables as Record<string, string> }),
  };
}

/** The zip of a request's `ZipFile` (base64 in JSON); S3 and images are refused by name. */
function zipOf(input: Record<string, unknown>, where: string): Buffer {
  for (const key of ['S3Bucket', 'S3Key', 'ImageUri']) {
    if (input[key] !== undefined) {
      throw bad(`${where}${key}: the emulator takes code as ZipFile only (it has no S3 or ECR)`);
    }
  }
  const text = reqString(input, 'ZipFile', bad, { min: 1 }, `${where}ZipFile`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad(`${where}ZipFile: expected base64`);
  return Buffer.from(text, 'base64');
}

/** The FunctionConfiguration of a function, with its package's settings when it has one. */
export function configurationOf(
  info: FunctionInfo,
  pkg: FunctionPackage | undefined,
  published?: VersionRecord,
) {
  const base = functionConfiguration(info, published);
  if (pkg === undefined) return base;
  return {
    ...base,
    Runtime: pkg.runtime,
    Role: pkg.role,
    MemorySize: pkg.memorySize,
    Architectures: pkg.architectures,
    Description: published?.description ?? pkg.description,
    CodeSha256: published?.codeSha256 ?? pkg.codeSha256,
    CodeSize: pkg.codeSize,
  };
}

async function functionControlRoutes(app: FastifyInstance): Promise<void> {
  const { config, db } = coreDeps(app);
  const host = app.lambdaHost;
  const packages = functionPackagesFor(db);
  const policies = functionPoliciesFor(db);
  const urls = functionUrlConfigsFor(db);
  // Code unpacked by an earlier run lives in a temporary directory that may be gone.
  packages.restore();

  /** Registers `name` with the host: the handler inside the unpacked zip, the settings given. */
  const register = (
    caller: { accountId: string; region: string },
    name: string,
    dir: string,
    s: Required<Pick<Settings, 'handler'>> & Settings,
    previous?: FunctionInfo,
  ): FunctionInfo => {
    const { file, exportName } = handlerFile(dir, s.handler);
    try {
      return host.registerFunction({
        name,
        handler: file,
        exportName,
        environment: s.environment ?? previous?.environment ?? {},
        timeoutSeconds: s.timeout ?? previous?.timeoutSeconds ?? 3,
        accountId: caller.accountId,
        region: caller.region,
      });
    } catch (error) {
      if (error instanceof FunctionRegistrationError) throw bad(error.message);
      throw error;
    }
  };

  const existing = (request: FastifyRequest) => {
    const caller = callerOf(request, config);
    const info = host.requireFunction(functionNameParam(request), caller);
    return { caller, info, pkg: packages.get(info) };
  };

  app.post('/2015-03-31/functions', { constraints: LAMBDA }, async (request, reply) => {
    const caller = callerOf(request, config);
    const input = requestObject(request);
    const name = reqString(input, 'FunctionName', bad, { min: 1, max: 140 });
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw bad(
        `FunctionName: expected 1-64 characters of a-z, A-Z, 0-9, "-" and "_", got ${JSON.stringify(name)}`,
      );
    }
    if (input.PackageType === 'Image')
      throw bad('PackageType Image: the emulator has no container images');
    const s = settingsOf(input);
    if (s.role === undefined) throw bad('Role: required');
    if (s.runtime === undefined) throw bad('Runtime: required for a .zip package');
    if (s.handler === undefined) throw bad('Handler: required for a .zip package');
    const zip = zipOf(requireObject(input.Code, 'Code', bad), 'Code.');
    const architectures = (optArray(input, 'Architectures', bad) ?? ['x86_64']).map(String);
    if (architectures.length !== 1 || !['x86_64', 'arm64'].includes(architectures[0] as string)) {
      throw bad('Architectures: expected ["x86_64"] or ["arm64"]');
    }
    if (host.getFunction(name, caller)) {
      throw new LambdaServiceError('ResourceConflictException', `Function already exist: ${name}`);
    }
    const info = register(caller, name, packages.unpack(zip), { ...s, handler: s.handler });
    const pkg: FunctionPackage = {
      accountId: info.accountId,
      region: info.region,
      name,
      runtime: s.runtime,
      role: s.role,
      memorySize: s.memorySize ?? 128,
      architectures,
      description: s.description ?? '',
      codeSha256: createHash('sha256').update(zip).digest('base64'),
      codeSize: zip.length,
    };
    packages.put(pkg, zip);
    policies.startEmpty(info);
    urls.forget(info);
    return sendJson(reply, 201, configurationOf(info, pkg));
  });

  app.put(
    '/2015-03-31/functions/:FunctionName/code',
    { constraints: LAMBDA },
    async (request, reply) => {
      const { caller, info, pkg } = existing(request);
      const input = requestObject(request);
      const zip = zipOf(input, '');
      const handler = `${info.handler.replace(/^.*[\\/]/, '').replace(/\.[cm]?js$/, '')}.${info.exportName}`;
      const updated = register(caller, info.name, packages.unpack(zip), { handler }, info);
      const next: FunctionPackage = {
        ...(pkg ?? {
          accountId: info.accountId,
          region: info.region,
          name: info.name,
          runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
          role: '',
          memorySize: 128,
          architectures: ['x86_64'],
          description: '',
        }),
        codeSha256: createHash('sha256').update(zip).digest('base64'),
        codeSize: zip.length,
      };
      packages.put(next, zip);
      return sendJson(reply, 200, configurationOf(updated, next));
    },
  );

  app.put(
    '/2015-03-31/functions/:FunctionName/configuration',
    { constraints: LAMBDA },
    async (request, reply) => {
      const { caller, info, pkg } = existing(request);
      const s = settingsOf(requestObject(request));
      const zip = packages.zipOf(info);
      if (pkg === undefined || zip === undefined) {
        throw bad(`${info.name} was registered through /_local/functions; configure it there`);
      }
      const handler =
        s.handler ??
        `${info.handler.replace(/^.*[\\/]/, '').replace(/\.[cm]?js$/, '')}.${info.exportName}`;
      const updated = register(caller, info.name, packages.unpack(zip), { ...s, handler }, info);
      const next: FunctionPackage = {
        ...pkg,
        ...(s.runtime === undefined ? {} : { runtime: s.runtime }),
        ...(s.role === undefined ? {} : { role: s.role }),
        ...(s.memorySize === undefined ? {} : { memorySize: s.memorySize }),
        ...(s.description === undefined ? {} : { description: s.description }),
      };
      packages.put(next, zip);
      return sendJson(reply, 200, configurationOf(updated, next));
    },
  );

  const deleteFunction = async (request: FastifyRequest, reply: FastifyReply) => {
    const { caller, info } = existing(request);
    host.deleteFunction(info.arn, caller);
    packages.delete(info);
    policies.forget(info);
    urls.forget(info);
    return reply.code(204).send();
  };
  app.delete('/2015-03-31/functions/:FunctionName', { constraints: LAMBDA }, deleteFunction);
}

export const lambdaFunctionControlRoutes = fp(functionControlRoutes, {
  name: '@c2c-kit/emulator-lambda-function-control',
  fastify: '5.x',
  encapsulate: true,
  dependencies: LAMBDA_API_DEPENDENCIES,
  decorators: { fastify: ['lambdaHost'] },
});
