import {
  type MatterEndpoint,
  ResourceNotFoundException,
  type SendConnectorEventRequest,
  ValidationException,
} from '@c2c-kit/protocol';
import { type MiContext, notify, type RouteMiss, type RouteTarget } from '../context.js';
import type { Owner } from '../stores/table.js';
import { type NamedEndpoint, toNamedEndpoint } from './capabilities.js';
import { resolveThing } from './routing.js';

/**
 * What the service does with a connector's events (SendConnectorEvent): every accepted event is
 * stored verbatim, a DEVICE_EVENT merges into its thing's state and reaches the thing's customer,
 * and an event nobody can receive goes to the rejected log with the reason. DEVICE_DISCOVERY and
 * DEVICE_COMMAND_RESPONSE are in `discovery.ts` and `commands.ts`.
 */

/** One SendConnectorEvent, accepted from its connector's account. */
export interface IncomingEvent {
  /** The connector's account and region (the event's signer). */
  readonly owner: Owner;
  readonly connectorId: string;
  readonly input: SendConnectorEventRequest;
  /** The request body as sent, stored verbatim. */
  readonly raw: string;
  readonly at: number;
}

/** Thrown (after the event is durably in the rejected log) for events nobody can receive. */
function unknownTarget(miss: RouteMiss): ResourceNotFoundException {
  return new ResourceNotFoundException(miss.reason, {
    ResourceType: miss.unknown === 'UserId' ? 'AccountAssociation' : 'ManagedThing',
  });
}

/** Puts an event nobody can receive into the rejected log (durably, before the answer). */
export async function rejectEvent(
  ctx: MiContext,
  event: IncomingEvent,
  reason: string,
): Promise<void> {
  const { owner, connectorId, raw, at } = event;
  await ctx.committer.run(() => ctx.stores.insertRejected(owner, connectorId, reason, at, raw));
}

/**
 * Rejects an event whose member (`TraceId`, `DeviceDiscoveryId`) names nothing of this connector:
 * into the rejected log, then a 400 when the member is missing or a 404 when it names nothing.
 */
export async function rejectUnknown(
  ctx: MiContext,
  event: IncomingEvent,
  member: { readonly value: string | undefined; readonly resourceType: string },
  reasons: { readonly missing: string; readonly unknown: string },
): Promise<never> {
  const reason = member.value === undefined ? reasons.missing : reasons.unknown;
  await rejectEvent(ctx, event, reason);
  if (member.value === undefined) throw new ValidationException(reason);
  throw new ResourceNotFoundException(reason, {
    ResourceId: member.value,
    ResourceType: member.resourceType,
  });
}

/** Merges the attributes an endpoint reports into the thing's stored state (in the batch's commit). */
export function mergeEndpoint(
  ctx: MiContext,
  thingId: string,
  endpoint: MatterEndpoint,
  at: number,
): void {
  for (const cluster of endpoint.clusters ?? []) {
    const attributes = cluster.attributes as Record<string, unknown> | undefined;
    if (attributes !== undefined && Object.keys(attributes).length > 0) {
      ctx.stores.mergeState(thingId, endpoint.id ?? '1', String(cluster.id), attributes, at);
    }
  }
}

/** The DEVICE_STATE payload for one endpoint's new attribute values. */
export function stateNotification(named: ReturnType<typeof toNamedEndpoint>, at: number) {
  return {
    addedStates: {
      endpoints: [
        {
          endpointId: named.endpointId,
          capabilities: named.capabilities.map((c) => ({
            ...c,
            properties: c.properties.map((p) => ({
              name: p.name,
              value: { propertyValue: p.value, lastChangedAt: String(at) },
            })),
          })),
        },
      ],
    },
  };
}

/**
 * A DEVICE_EVENT: stored and merged into the state of the managed thing it routes to, then
 * published to that thing's customer (DEVICE_EVENT and DEVICE_STATE). An event for no known user
 * or device is rejected (404); one for a thing no customer registered is accepted and relayed to
 * nobody.
 */
export async function recordDeviceEvent(ctx: MiContext, event: IncomingEvent): Promise<void> {
  const { owner, connectorId, input, raw, at } = event;
  const route = resolveThing(ctx, connectorId, input.UserId, input.ConnectorDeviceId);
  if (route.kind === 'miss') {
    await rejectEvent(ctx, event, route.reason);
    throw unknownTarget(route);
  }
  if (route.kind === 'unregistered') {
    // Accepted (202) but relayed to no customer; the rejected log says why.
    await rejectEvent(ctx, event, route.reason);
    return;
  }
  const endpoint = input.MatterEndpoint;
  await ctx.committer.run(() => {
    ctx.stores.insertEvent(owner, connectorId, 'DEVICE_EVENT', input.TraceId, at, raw);
    if (endpoint !== undefined) mergeEndpoint(ctx, route.thingId, endpoint, at);
  });
  if (endpoint !== undefined) publishDeviceEvent(ctx, route, endpoint, at);
}

/**
 * DEVICE_EVENT and DEVICE_STATE for the thing's customer, built lazily. Apart from
 * `recordDeviceEvent` so that the builders, which the notification ring keeps, hold the endpoint
 * and the time only: closures keep every variable their function's other closures capture, and
 * there that is the event's body and input too.
 */
function publishDeviceEvent(
  ctx: MiContext,
  route: RouteTarget,
  endpoint: MatterEndpoint,
  at: number,
): void {
  // One conversion to the named form serves both notifications, done only when one of them is
  // needed (SSE, Kinesis, validation sample, or the first read of the ring).
  let named: NamedEndpoint | undefined;
  const namedEndpoint = (): NamedEndpoint => {
    named ??= toNamedEndpoint(endpoint);
    return named;
  };
  const resources = [route.thingArn];
  ctx.hub.publishLazy(
    route.customer.account,
    'DEVICE_EVENT',
    () => ({ iotMiArrivalTimestamp: String(at), endpoints: [namedEndpoint()] }),
    resources,
    route.customer.region,
  );
  ctx.hub.publishLazy(
    route.customer.account,
    'DEVICE_STATE',
    () => stateNotification(namedEndpoint(), at),
    resources,
    route.customer.region,
  );
}

/** DEVICE_COMMAND_REQUEST: device-initiated; relayed to the thing's customer when known. */
export async function relayCommandRequest(ctx: MiContext, event: IncomingEvent): Promise<void> {
  const { owner, connectorId, input, raw, at } = event;
  await ctx.committer.run(() =>
    ctx.stores.insertEvent(owner, connectorId, input.Operation, input.TraceId, at, raw),
  );
  const route = resolveThing(ctx, connectorId, input.UserId, input.ConnectorDeviceId);
  if (route.kind === 'thing' && input.MatterEndpoint !== undefined) {
    const named = toNamedEndpoint(input.MatterEndpoint);
    notify(
      ctx,
      route.customer,
      'DEVICE_COMMAND_REQUEST',
      {
        endpoints: [
          {
            endpointId: named.endpointId,
            capabilities: named.capabilities.map(({ id, name, version }) => ({
              id,
              name,
              version,
            })),
          },
        ],
      },
      [route.thingArn],
    );
  }
}
