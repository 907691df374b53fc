import type { MiContext, RouteMiss, RouteTarget, RouteUnregistered } from '../context.js';
import type { AssociationDoc, ThingDoc } from '../stores/docs.js';
import { type DocRow, type Owner, ownerOf } from '../stores/table.js';

/**
 * Which managed thing receives a connector device's events, and which thing a re-discovered
 * device already has. The rule (documented in the README):
 *
 * - An account association is *live* while it exists and is not being deleted.
 * - Only things registered to an association (RegisterAccountAssociation) receive events; a thing
 *   created from a discovery and not yet registered, or deregistered, receives none.
 * - Among the live associations of the connector (for the event's UserId when one is given), the
 *   most recently activated one is the user's *current* link.
 * - A DEVICE_EVENT goes to the thing for that ConnectorDeviceId registered to the most recent live
 *   association that has one.
 */

/** The association row when it exists and is not being deleted. */
export function liveAssociation(
  ctx: MiContext,
  id: string | undefined,
): DocRow<AssociationDoc> | undefined {
  if (id === undefined) return undefined;
  const row = ctx.stores.associations.get(id);
  return row === undefined || row.doc.AssociationState === 'ASSOCIATION_DELETING' ? undefined : row;
}

/** Recency of a link: latest activation first; rows from before `activatedAt` existed by seq. */
function newer(a: DocRow<AssociationDoc>, b: DocRow<AssociationDoc>): boolean {
  const ta = a.doc.activatedAt ?? 0;
  const tb = b.doc.activatedAt ?? 0;
  return ta !== tb ? ta > tb : a.seq > b.seq;
}

/** Live associations of a connector for a vendor user (empty when the user has none). */
export function liveAssociationsOfUser(
  ctx: MiContext,
  connectorId: string,
  userId: string,
): DocRow<AssociationDoc>[] {
  return ctx.stores.associations
    .find({ k3: `${connectorId}|${userId}` })
    .filter((r) => r.doc.AssociationState !== 'ASSOCIATION_DELETING');
}

export interface ThingChoice {
  readonly thing: DocRow<ThingDoc>;
  readonly association: DocRow<AssociationDoc>;
}

/**
 * The thing a DEVICE_EVENT for connector + device (+ user) routes to: among the device's things
 * linked to a live association of the connector (of that user when given), the one whose
 * association is most recent; ties (two things on one link) go to the newest thing.
 */
export function routedThing(
  ctx: MiContext,
  connectorId: string,
  userId: string | undefined,
  deviceId: string,
  owner?: Owner,
): ThingChoice | undefined {
  let best: ThingChoice | undefined;
  for (const thing of ctx.stores.things.find({ k1: `${connectorId}|${deviceId}`, owner })) {
    const association = liveAssociation(ctx, thing.doc.accountAssociationId);
    if (association === undefined || association.doc.connectorId !== connectorId) continue;
    if (userId !== undefined && association.doc.userId !== userId) continue;
    if (
      best === undefined ||
      newer(association, best.association) ||
      (association.id === best.association.id && thing.seq > best.thing.seq)
    ) {
      best = { thing, association };
    }
  }
  return best;
}

export /**
 * Finds the customer's managed thing for connector + UserId + ConnectorDeviceId by the rule in
 * this file (the most recent live association with a thing for the device wins). Cached: the
 * answer changes only when connectors, associations or things change (`ctx.invalidate()`).
 */
function resolveThing(
  ctx: MiContext,
  connectorId: string,
  userId: string | undefined,
  deviceId: string | undefined,
): RouteTarget | RouteMiss | RouteUnregistered {
  const key = `${connectorId}|${userId ?? ''}|${deviceId ?? ''}`;
  const cached = ctx.caches.route.get(key);
  if (cached !== undefined) return cached;
  let result: RouteTarget | RouteMiss | RouteUnregistered;
  if (userId !== undefined && liveAssociationsOfUser(ctx, connectorId, userId).length === 0) {
    result = {
      kind: 'miss',
      unknown: 'UserId',
      reason: 'UserId: no account association of this connector has activated that user',
    };
  } else if (deviceId === undefined) {
    result = {
      kind: 'miss',
      unknown: 'ConnectorDeviceId',
      reason: 'ConnectorDeviceId: required to route a DEVICE_EVENT to a managed thing',
    };
  } else {
    const chosen = routedThing(ctx, connectorId, userId, deviceId);
    const who = userId === undefined ? 'this connector' : 'that user';
    result =
      chosen === undefined
        ? ctx.stores.things.find({ k1: `${connectorId}|${deviceId}` }).length > 0
          ? {
              // Created from a discovery but not registered (or deregistered): the connector did
              // nothing wrong, the customer has not taken the device (yet).
              kind: 'unregistered',
              reason: `ConnectorDeviceId: the managed thing for that device is not registered to an account association of ${who} (RegisterAccountAssociation); not relayed`,
            }
          : {
              kind: 'miss',
              unknown: 'ConnectorDeviceId',
              reason: `ConnectorDeviceId: no managed thing of ${who} has that ConnectorDeviceId`,
            }
        : {
            kind: 'thing',
            thingId: chosen.thing.id,
            thingArn: chosen.thing.doc.Arn,
            customer: ownerOf(chosen.thing),
            associationId: chosen.association.id,
          };
  }
  if (ctx.caches.route.size > 10_000) ctx.caches.route.clear();
  ctx.caches.route.set(key, result);
  return result;
}

/**
 * The managed thing a customer account already has for a connector device, if any: the one
 * events would route to for that user, else the newest of the account's things for the device.
 */
export function existingThing(
  ctx: MiContext,
  owner: Owner,
  connectorId: string,
  userId: string | undefined,
  deviceId: string,
): DocRow<ThingDoc> | undefined {
  const routed = routedThing(ctx, connectorId, userId, deviceId, owner);
  if (routed !== undefined) return routed.thing;
  return ctx.stores.things.find({ k1: `${connectorId}|${deviceId}`, owner }).at(-1);
}

/**
 * Whether a re-discovery through `association` may replace a thing's capability report: the thing
 * is not registered to a live link, or is registered to a link of the same vendor user of the same
 * connector (a re-link). Another user's registered thing keeps its report.
 */
export function mayUpdateFrom(
  ctx: MiContext,
  thing: ThingDoc,
  association: AssociationDoc | undefined,
): boolean {
  if (association === undefined) return false;
  if (thing.accountAssociationId === association.AccountAssociationId) return true;
  const current = liveAssociation(ctx, thing.accountAssociationId);
  if (current === undefined) return true;
  return (
    association.userId !== undefined &&
    current.doc.connectorId === association.connectorId &&
    current.doc.userId === association.userId
  );
}

/** Stable JSON (sorted keys) for comparing capability reports across discoveries. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
