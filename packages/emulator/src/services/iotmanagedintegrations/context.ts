import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ConflictException } from '@c2c-kit/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { EmulatorConfig } from '../../config.js';
import type { NotificationHub } from '../../notifications/hub.js';
import type { ExactReplies, OperationHandlers } from '../../protocols/restJson.js';
import type { GroupCommitter } from '../../store/group-commit.js';
import type { SecretReader } from '../secretsmanager/index.js';
import type { ConnectorInvoker } from './domain/invoke.js';
import type { MiStores } from './stores/index.js';
import type { Owner } from './stores/table.js';

/**
 * Who is calling: the account and region from the verified SigV4 scope. A call is an `Owner`:
 * the stores see only that account's resources in that region.
 */
export interface CallContext extends Owner {
  readonly log: FastifyBaseLogger;
  /** Exact request body bytes (SendConnectorEvent stores them verbatim). */
  readonly rawBody: Buffer;
  /** The same body as UTF-8 text (decoded once, by the body parser when it was JSON). */
  readonly rawText: string;
  /** Resolves when the client's connection closes (it gave up waiting, or went away). */
  clientGone(): Promise<void>;
}

/** Everything operation handlers share. */
export interface MiContext {
  readonly stores: MiStores;
  readonly hub: NotificationHub;
  readonly invoker: ConnectorInvoker;
  readonly committer: GroupCommitter;
  readonly config: EmulatorConfig;
  readonly secrets: SecretReader;
  readonly log: FastifyBaseLogger;
  /** Background work (invocations after a 202/201) so tests and shutdown can wait for it. */
  background(task: () => Promise<void>): void;
  /** Drops in-memory lookups after writes that change routing (connectors, things, associations). */
  invalidate(): void;
  readonly caches: MiCaches;
}

export interface MiCaches {
  connectorAccount: Map<string, { owner: Owner; functionArn: string } | null>;
  route: Map<string, RouteTarget | RouteMiss | RouteUnregistered>;
}

export interface RouteTarget {
  readonly kind: 'thing';
  readonly thingId: string;
  readonly thingArn: string;
  /** The customer account of the thing, in the thing's (and the connector's) region. */
  readonly customer: Owner;
  readonly associationId: string;
}
export interface RouteMiss {
  readonly kind: 'miss';
  readonly unknown: 'UserId' | 'ConnectorDeviceId';
  readonly reason: string;
}
/**
 * The device has a managed thing, but no customer registered it to a link of the user
 * (RegisterAccountAssociation): the event is accepted and relayed to nobody.
 */
export interface RouteUnregistered {
  readonly kind: 'unregistered';
  readonly reason: string;
}

/** The managed-integrations handlers, each typed by its operation in the model. */
export type HandlerMap = OperationHandlers<CallContext>;

/**
 * A group of handlers, checked against the model: each takes its operation's input and answers
 * its output, with no member the model lacks (`ExactReplies`). Returns them unchanged.
 */
export function defineHandlers<H extends HandlerMap>(handlers: H & ExactReplies<H>): H {
  return handlers;
}

/** Random alphanumeric id (resource ids must match `^[0-9a-zA-Z]+$`). */
export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** A TraceId shaped like the service's (`9b75f3839b6140f=_1`). */
export function newTraceId(): string {
  return `${randomBytes(8).toString('hex').slice(0, 15)}=_1`;
}

export function arn(call: CallContext, resource: string): string {
  return `arn:aws:iotmanagedintegrations:${call.region}:${call.account}:${resource}`;
}

/** Publishes a notification to `owner`'s account about a resource of `owner`'s region. */
export function notify(
  ctx: Pick<MiContext, 'hub'>,
  owner: Owner,
  eventType: string,
  payload: unknown,
  resources: readonly string[],
): void {
  ctx.hub.publish(owner.account, eventType, payload, resources, owner.region);
}

/** Epoch ms → restJson1 timestamp (epoch seconds as a JSON number). */
export function epochSeconds(ms: number): number;
export function epochSeconds(ms: number | undefined): number | undefined;
export function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Drops `undefined` members so responses never carry `null`/absent noise. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * ClientToken idempotency: the same token with the same request (compared as values: member
 * order and JSON spelling do not matter) replays the first response and does nothing else; with
 * a different request it is a ConflictException. `afterCreate` runs once, after the first
 * response is committed (background work such as invocations and notifications).
 */
export function withClientToken<T>(
  ctx: MiContext,
  call: CallContext,
  operation: string,
  input: { ClientToken?: string },
  create: () => T,
  afterCreate?: (response: T) => void,
): T {
  const token = input.ClientToken;
  if (token === undefined) {
    const response = create();
    afterCreate?.(response);
    return response;
  }
  const { ClientToken: _omit, ...rest } = input as Record<string, unknown>;
  const parameters = JSON.parse(JSON.stringify(rest)) as unknown;
  let created = false;
  const response = ctx.stores.db.transaction(() => {
    const seen = ctx.stores.clientToken(call, operation, token);
    if (seen !== undefined) {
      if (!isDeepStrictEqual(JSON.parse(seen.fingerprint), parameters)) {
        throw new ConflictException(
          `ClientToken "${token}" was already used with different parameters for ${operation}`,
        );
      }
      return seen.response as T;
    }
    const first = create();
    created = true;
    ctx.stores.rememberClientToken(call, operation, token, JSON.stringify(rest), first);
    return first;
  })();
  if (created) afterCreate?.(response);
  return response;
}

/**
 * The function a connector invokes, as a full ARN: its `EndpointConfig.lambda.arn` as given, or,
 * for the bare `my-fn[:qualifier]` the model also allows, that function of the connector's own
 * account and region. The Lambda host runs each region's functions apart, so a bare name must not
 * fall back to the emulator's configured region. Undefined without a connector or a Lambda.
 */
export function connectorFunctionArn(
  ctx: Pick<MiContext, 'stores'>,
  connectorId: string,
): string | undefined {
  const row = ctx.stores.connectors.get(connectorId);
  const value = row?.doc.EndpointConfig.lambda?.arn;
  if (row === undefined || value === undefined) return undefined;
  return value.startsWith('arn:')
    ? value
    : `arn:aws:lambda:${row.region}:${row.account}:function:${value}`;
}

/**
 * `my-fn`, `my-fn:alias`, `arn:aws:lambda:r:a:function:my-fn[:qualifier]` → the unqualified ARN,
 * so connectors match a LambdaArn filter whether or not either side carries a qualifier.
 */
export function unqualifiedLambdaArn(value: string, region: string, account: string): string {
  const m = /^arn:aws:lambda:([0-9a-zA-Z-]+):([0-9]+):function:([a-zA-Z0-9-_]+)(?::.*)?$/.exec(
    value,
  );
  if (m !== null) return `arn:aws:lambda:${m[1]}:${m[2]}:function:${m[3]}`;
  const name = value.split(':')[0] ?? value;
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}
