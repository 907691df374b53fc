import {
  CONTROL,
  fastifyLocalGuard,
  type GuardPolicy,
  type GuardRule,
  LocalGuardConfigError,
  pathOf,
  policyFor,
  ServerGuard,
} from '@c2c-kit/local-guard';
import type { FastifyInstance } from 'fastify';
import { VendorConfigError } from './errors.js';

/**
 * OAuth and bearer routes: called server-to-server (the emulator, the connector), which sends no
 * Origin; a page that sends one must be the vendor cloud's own. Form bodies, as OAuth requires.
 */
const OAUTH_FORM: GuardPolicy = { sameOrigin: true, json: false, preflight: 'refuse' };

/**
 * The routes that do not get the strict policy (`CONTROL`: same origin, JSON bodies, no CORS;
 * the `/_sim` control API and everything else), each with why. Every route keeps the Host check.
 */
export const EXEMPT_ROUTES: readonly GuardRule[] = [
  {
    methods: ['POST'],
    path: '/oauth/token',
    policy: OAUTH_FORM,
    reason: 'RFC 6749 token endpoint: form-encoded, client-authenticated, server-to-server.',
  },
  {
    methods: ['POST'],
    path: '/oauth/revoke',
    policy: OAUTH_FORM,
    reason: 'RFC 7009 revocation: form-encoded, server-to-server (DeactivateUser).',
  },
  {
    methods: ['POST'],
    path: '/oauth/authorize',
    policy: OAUTH_FORM,
    reason:
      'The login form of the vendor’s own page: form-encoded by design; a browser sends the ' +
      'page’s Origin, which must be this server’s.',
  },
  {
    path: '/api/v1/*',
    policy: OAUTH_FORM,
    reason: 'Device API for the connector, authorised by bearer tokens a web page does not hold.',
  },
];

/**
 * Adds the local guard as an `onRequest` hook: refused requests are answered before their body is
 * read (see docs/security.md).
 */
export function addLocalGuard(app: FastifyInstance, allowedHosts: readonly string[] = []): void {
  let guard: ServerGuard;
  try {
    guard = new ServerGuard({
      server: app.server,
      allowedHosts,
      hint: 'pass it in the vendor cloud’s `allowedHosts` option (`--allowed-hosts`)',
    });
  } catch (error) {
    if (error instanceof LocalGuardConfigError) {
      throw new VendorConfigError('allowedHosts', error.message.replace(/^allowedHosts: /, ''));
    }
    throw error;
  }
  app.addHook(
    'onRequest',
    fastifyLocalGuard({
      guard,
      policy: (request) => policyFor(EXEMPT_ROUTES, request.method, pathOf(request.url), CONTROL),
    }),
  );
}
