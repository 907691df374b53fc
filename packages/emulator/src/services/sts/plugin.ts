import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf, coreDeps } from '../../plugins/core-deps.js';
import { toWireError } from '../../plugins/error-render.js';
import {
  queryParams,
  sendAwsQuery,
  sendAwsQueryError,
  xmlElement,
} from '../../protocols/awsQuery.js';
import { STS_SIGNATURE_CODES, StsError, stsErrors } from './errors.js';
import { roleSession } from './roles.js';
import {
  type IssuedSession,
  type SessionStore,
  sessionStoreOf,
  userPrincipal,
} from './SessionStore.js';

/**
 * STS subset over the AWS Query protocol `@aws-sdk/client-sts` speaks: `POST /` (or `GET /?…`)
 * with `Action=<Operation>&Version=2011-06-15&…` form parameters, answered in XML. Signed with the
 * signing name `sts`, on the emulator's one endpoint. See packages/emulator/docs/aws-services.md.
 */

const VERSION = '2011-06-15';
const XMLNS = `https://sts.amazonaws.com/doc/${VERSION}/`;
const STS = { awsService: 'sts' } as const;

interface Caller {
  accountId: string;
  accessKeyId: string;
  /** The temporary credential the request was signed with, if it was. */
  session: IssuedSession | undefined;
  arn: string;
  userId: string;
}

type Params = ReadonlyMap<string, string>;
type Operation = (params: Params, caller: Caller) => string;

function credentialsXml(session: IssuedSession): string {
  return `<Credentials>${xmlElement('AccessKeyId', session.accessKeyId)}${xmlElement('SecretAccessKey', session.secretAccessKey)}${xmlElement('SessionToken', session.sessionToken)}${xmlElement('Expiration', new Date(session.expiresAt).toISOString())}</Credentials>`;
}

/** `DurationSeconds`: absent → `fallback`; otherwise an integer in [min, max] (ValidationError). */
function durationSeconds(params: Params, min: number, max: number, fallback: number): number {
  const raw = params.get('DurationSeconds');
  if (raw === undefined) return fallback;
  if (!/^-?\d{1,12}$/.test(raw)) {
    throw stsErrors.validation('durationSeconds', raw, 'Member must be an integer');
  }
  const value = Number(raw);
  if (value < min) {
    throw stsErrors.validation(
      'durationSeconds',
      raw,
      `Member must have value greater than or equal to ${min}`,
    );
  }
  if (value > max) {
    throw stsErrors.validation(
      'durationSeconds',
      raw,
      `Member must have value less than or equal to ${max}`,
    );
  }
  return value;
}

function operations(store: SessionStore): Record<string, Operation> {
  return {
    GetCallerIdentity: (_params, caller) =>
      `${xmlElement('Arn', caller.arn)}${xmlElement('UserId', caller.userId)}${xmlElement('Account', caller.accountId)}`,

    GetSessionToken: (params, caller) => {
      if (caller.session !== undefined) {
        throw stsErrors.accessDenied('Cannot call GetSessionToken with session credentials');
      }
      // 15 minutes to 36 hours, 12 hours by default. MFA (SerialNumber, TokenCode) is not checked.
      const seconds = durationSeconds(params, 900, 129_600, 43_200);
      const session = store.issue({
        accountId: caller.accountId,
        kind: 'session',
        arn: caller.arn,
        userId: caller.userId,
        durationMs: seconds * 1000,
      });
      return credentialsXml(session);
    },

    AssumeRole: (params, caller) => {
      const role = roleSession(params, caller);
      // 15 minutes to 12 hours (the largest MaxSessionDuration a role can have), 1 hour by default;
      // a role assumed with assumed-role credentials (role chaining) lasts at most 1 hour.
      const seconds = durationSeconds(params, 900, 43_200, 3600);
      if (caller.session?.kind === 'assumed-role' && seconds > 3600) {
        throw new StsError(
          'ValidationError',
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      const session = store.issue({
        accountId: role.accountId,
        kind: 'assumed-role',
        arn: role.arn,
        userId: role.assumedRoleId,
        durationMs: seconds * 1000,
      });
      const sourceIdentity = params.get('SourceIdentity');
      return `${credentialsXml(session)}<AssumedRoleUser>${xmlElement('AssumedRoleId', role.assumedRoleId)}${xmlElement('Arn', role.arn)}</AssumedRoleUser>${sourceIdentity === undefined ? '' : xmlElement('SourceIdentity', sourceIdentity)}`;
    },
  };
}

function stsErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof StsError) return sendAwsQueryError(reply, XMLNS, error, request.id);
  const wire = toWireError(error);
  if (wire.fault === 'server') request.log.error({ err: error }, 'unexpected error in STS route');
  const code = STS_SIGNATURE_CODES[wire.awsCode] ?? wire.awsCode;
  return sendAwsQueryError(
    reply,
    XMLNS,
    { code, statusCode: wire.statusCode, message: wire.message },
    request.id,
  );
}

async function stsRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = coreDeps(app);
  const store = sessionStoreOf(db, config);
  const ops = operations(store);
  app.setErrorHandler(stsErrorHandler);

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = queryParams(request);
    const action = params.get('Action');
    if (action === undefined || action === '')
      throw new StsError('MissingAction', 'Missing Action');
    const version = params.get('Version') ?? VERSION;
    const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
    if (op === undefined || version !== VERSION) throw stsErrors.invalidAction(action, version);
    const signer = callerOf(request, config);
    const session = store.find(signer.accessKeyId);
    const principal = session ?? userPrincipal(signer.accountId, signer.accessKeyId);
    const result = op(params, {
      accountId: signer.accountId,
      accessKeyId: signer.accessKeyId,
      session,
      arn: principal.arn,
      userId: principal.userId,
    });
    return sendAwsQuery(reply, XMLNS, action, result, request.id);
  };
  app.post('/', { constraints: STS }, handle);
  app.get('/', { constraints: STS }, handle);
}

async function sts(app: FastifyInstance): Promise<void> {
  // Its own context, so the XML error handler is STS's alone.
  await app.register(stsRoutes);
}

/** Registers the STS routes (`GetCallerIdentity`, `GetSessionToken`, `AssumeRole`). */
export const stsPlugin = fp(sts, {
  name: '@c2c-kit/emulator-sts',
  fastify: '5.x',
  dependencies: ['@c2c-kit/emulator-db', '@c2c-kit/emulator-sigv4'],
});
