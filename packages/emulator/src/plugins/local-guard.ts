import {
  CONTROL,
  fastifyLocalGuard,
  type GuardPolicy,
  type GuardRule,
  HOST_ONLY,
  LocalGuardConfigError,
  pathOf,
  policyFor,
  type Refusal,
  ServerGuard,
} from '@c2c-kit/local-guard';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EmulatorConfigError } from '../errors.js';

/** Function URLs: public by design, OPTIONS included (the function answers it, as on AWS). */
const FUNCTION_URL: GuardPolicy = { sameOrigin: false, json: false, preflight: 'route' };

/**
 * SigV4-signed AWS routes: the signature protects them, and AWS JSON protocols use their own
 * content types. A page on a loopback origin (a local web app using the AWS SDK) may call them.
 */
const AWS_SIGNED: GuardPolicy = {
  sameOrigin: false,
  json: false,
  preflight: 'loopback',
  exposeHeaders: [
    'x-amzn-requestid',
    'x-amzn-errortype',
    'x-amz-function-error',
    'x-amz-log-result',
    'x-amz-executed-version',
  ],
};

/** With `verify: false` nothing signs the AWS routes: no page of another origin may change state. */
const AWS_UNVERIFIED: GuardPolicy = { ...AWS_SIGNED, sameOrigin: true };

/**
 * The unsigned routes that do not get the strict local-control policy (`CONTROL`: same origin,
 * JSON bodies, no CORS), each with why. Every route keeps the Host check.
 */
export const EXEMPT_ROUTES: readonly GuardRule[] = [
  {
    path: '/lambda-url/*',
    policy: FUNCTION_URL,
    reason:
      'Function URLs (AuthType NONE) are public by design, as on AWS, where they accept any ' +
      'Origin; the connector verifies its webhooks’ signatures itself.',
  },
  {
    methods: ['GET', 'HEAD'],
    path: '/_local/oauth/callback',
    policy: HOST_ONLY,
    reason:
      'A browser navigation from the vendor’s login page (a cross-site redirect by design); the ' +
      '`state` parameter ties it to the association that started it.',
  },
];

const AWS_NAMES: Record<number, string> = {
  403: 'AccessDeniedException',
  415: 'UnsupportedMediaTypeException',
};

function render(refusal: Refusal) {
  const type = AWS_NAMES[refusal.status] ?? 'AccessDeniedException';
  return {
    body: { __type: type, code: refusal.code, message: refusal.message },
    headers: { 'x-amzn-errortype': type },
  };
}

/**
 * Adds the local guard (Host check on every route; Origin, JSON and CORS rules per route) as an
 * `onRequest` hook, so a refused request is answered before its body is read.
 */
export function addLocalGuard(
  app: FastifyInstance,
  options: { allowedHosts?: readonly string[]; verify: boolean },
): void {
  let guard: ServerGuard;
  try {
    guard = new ServerGuard({
      server: app.server,
      allowedHosts: options.allowedHosts ?? [],
      hint: 'pass it in the emulator’s `allowedHosts` option (`--allowed-hosts`)',
    });
  } catch (error) {
    if (error instanceof LocalGuardConfigError) {
      throw new EmulatorConfigError(`options.${error.message}`);
    }
    throw error;
  }
  const aws = options.verify ? AWS_SIGNED : AWS_UNVERIFIED;
  const policy = (request: FastifyRequest): GuardPolicy => {
    const path = pathOf(request.url);
    // Unsigned routes by their flag, and by path too: a preflight to `/_local/…` matches no
    // route, and must not get the AWS routes’ loopback CORS.
    const unsigned =
      request.routeOptions.config.sigv4 === false ||
      path.startsWith('/_local/') ||
      path.startsWith('/lambda-url/');
    return unsigned ? policyFor(EXEMPT_ROUTES, request.method, path, CONTROL) : aws;
  };
  app.addHook('onRequest', fastifyLocalGuard({ guard, policy, render }));
}
