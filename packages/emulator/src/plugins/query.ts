import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RepeatedQueryParameterError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Query parameters that may appear more than once (list members), or `true` for all of them
     * (Function URLs hand the query to the function as it came). Any other repeated parameter is
     * a 400 naming it.
     */
    repeatableQuery?: true | readonly string[];
  }
}

/**
 * The one rule for repeated query parameters, for every route. Fastify's query parser turns
 * `?code=a&code=b` into `{ code: ['a', 'b'] }`; handlers written for one string then met an array
 * (a SQLite bind of an array, a `.slice` on it) and answered 500. Refused up front instead, before
 * the body is read.
 */
function repeatedQueryHook(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  // Most requests carry no query: they are done before the route's config is read (a getter
  // that builds an object per call).
  if (request.is404 || !(request.raw.url ?? '').includes('?')) {
    done();
    return;
  }
  const allowed = request.routeOptions.config.repeatableQuery;
  if (allowed === true) {
    done();
    return;
  }
  const query = request.query as Record<string, unknown>;
  for (const name in query) {
    if (Array.isArray(query[name]) && !allowed?.includes(name)) {
      done(new RepeatedQueryParameterError(name));
      return;
    }
  }
  done();
}

async function queryRule(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', repeatedQueryHook);
}

export const queryPlugin = fp(queryRule, { name: '@c2c-kit/emulator-query', fastify: '5.x' });
