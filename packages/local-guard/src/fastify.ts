import type { GuardPolicy, GuardRequest, Refusal } from './check.js';
import type { ServerGuard } from './server.js';

/** The parts of a Fastify request the hook reads (no dependency on Fastify itself). */
export interface FastifyRequestLike extends GuardRequest {}

/** The parts of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload?: unknown): unknown;
}

export interface FastifyGuardOptions<Req extends FastifyRequestLike> {
  readonly guard: ServerGuard;
  /** The policy of the request's route (see `policyFor`). */
  readonly policy: (request: Req) => GuardPolicy;
  /** Body and headers of a refusal in the server's own error format. */
  readonly render?: (refusal: Refusal) => RenderedRefusal;
}

export interface RenderedRefusal {
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const defaultRender = (refusal: Refusal): RenderedRefusal => ({
  body: { error: { code: refusal.code, message: refusal.message } },
});

/**
 * A Fastify `onRequest` hook: refused requests are answered before their body is read, preflights
 * the policy answers get 204, everything else goes on (with CORS headers where the policy says).
 */
export function fastifyLocalGuard<Req extends FastifyRequestLike>(
  options: FastifyGuardOptions<Req>,
): (request: Req, reply: FastifyReplyLike, done: (error?: Error) => void) => void {
  const render = options.render ?? defaultRender;
  // Callback style, not async: no promise per request on a hook every request passes.
  return function localGuardHook(request, reply, done): void {
    const verdict = options.guard.check(request, options.policy(request));
    if (verdict.ok) {
      // for…in, not Object.entries: nearly every verdict has no headers, and this allocates nothing.
      for (const name in verdict.headers) reply.header(name, verdict.headers[name] as string);
      if (verdict.answered) {
        reply.code(204);
        reply.send();
      } else done();
      return;
    }
    const { body, headers } = render(verdict);
    for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('cache-control', 'no-store');
    reply.code(verdict.status);
    reply.send(JSON.stringify(body));
  };
}
