import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { EmulatorConfig } from '../config.js';
import { SignatureError } from '../errors.js';
import { type SessionCredential, sessionStoreOf } from '../services/sts/SessionStore.js';
import { unverifiedScope } from '../sigv4/parse.js';
import { type AwsRequestIdentity, SigV4Verifier } from '../sigv4/verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who signed the request (or the default account when verification is off and unsigned). */
    aws: AwsRequestIdentity;
  }
  interface FastifyContextConfig {
    /** `false` opts a route out of SigV4 (local control API, Function URLs). */
    sigv4?: boolean;
    /** The signing name the route serves (copied from its `awsService` constraint). */
    awsService?: string;
  }
}

function pathAndQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q === -1 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * Verifies every request whose route does not say `config: { sigv4: false }`, after the body has
 * been read (the body hash is part of the signature), and decorates `request.aws`.
 */
export function createSigV4Hook(
  config: EmulatorConfig,
  sessions?: { find(accessKeyId: string): SessionCredential | undefined },
) {
  const verifier = new SigV4Verifier({
    credentials: config.credentials,
    ...(sessions ? { sessions } : {}),
  });
  const fallback = config.credentials[0];
  const byKey = new Map(config.credentials.map((c) => [c.accessKeyId, c]));
  // Callback style (not async): no promise per request on the hottest hook.
  return function sigv4Hook(
    request: FastifyRequest,
    _reply: FastifyReply,
    done: (error?: Error) => void,
  ): void {
    // `routeOptions` builds a new object on every read: read once.
    const route = request.routeOptions.config;
    if (route.sigv4 === false) {
      done();
      return;
    }
    if (config.verify) {
      const [path, query] = pathAndQuery(request.raw.url ?? '/');
      try {
        request.aws = verifier.verify({
          method: request.raw.method ?? 'GET',
          path,
          query,
          rawHeaders: request.raw.rawHeaders,
          body: request.rawBody,
        });
      } catch (error) {
        done(error as Error);
        return;
      }
      const expected = route.awsService;
      if (expected !== undefined && request.aws.service !== expected) {
        // AWS's own answer when a request signed for one service reaches another's endpoint.
        done(
          new SignatureError(
            'InvalidSignatureException',
            `Credential should be scoped to correct service: '${expected}'. `,
          ),
        );
        return;
      }
      done();
      return;
    }
    const authorization = request.headers.authorization;
    const scope = authorization === undefined ? undefined : unverifiedScope(authorization);
    const account =
      (scope && (byKey.get(scope.accessKeyId) ?? sessions?.find(scope.accessKeyId))) ?? fallback;
    request.aws = {
      accessKeyId: scope?.accessKeyId ?? account?.accessKeyId ?? '',
      accountId: account?.accountId ?? '000000000000',
      region: scope?.region ?? config.region,
      service: scope?.service ?? '',
    };
    done();
  };
}

async function sigv4(app: FastifyInstance): Promise<void> {
  app.decorateRequest('aws', null as unknown as AwsRequestIdentity);
  // Routes name their service as a routing constraint; the check after verification reads it from
  // the route's config, which is what a request can see of its route.
  app.addHook('onRoute', (route) => {
    const service = (route.constraints as { awsService?: unknown } | undefined)?.awsService;
    if (typeof service === 'string') route.config = { ...route.config, awsService: service };
  });
  const config = app.emulatorConfig;
  // Temporary credentials (STS, Lambda execution roles) live in the emulator's database.
  const sessions = sessionStoreOf(app.db, config);
  app.addHook('preValidation', createSigV4Hook(config, sessions));
}

export const sigv4Plugin = fp(sigv4, {
  name: '@c2c-kit/emulator-sigv4',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-body', '@c2c-kit/emulator-db'],
});
