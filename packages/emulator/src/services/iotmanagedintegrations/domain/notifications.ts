import type { MiContext } from '../context.js';
import type { Owner } from '../stores/table.js';

/** Where customers' notifications go: their destinations and per-event-type configurations. */

/** Destinations and configurations are named per account and region (`account|region|name`). */
export const notificationKey = (owner: Owner, name: string): string =>
  `${owner.account}|${owner.region}|${name}`;

/** Where an account's notifications of one event type in one region go, if configured. */
export function kinesisTargetFor(ctx: Pick<MiContext, 'stores'>, owner: Owner, eventType: string) {
  const config = ctx.stores.notificationConfigs.get(notificationKey(owner, eventType));
  if (config === undefined) return undefined;
  const dest = ctx.stores.notificationDestinations.get(
    notificationKey(owner, config.doc.DestinationName),
  );
  if (dest === undefined || dest.doc.DeliveryDestinationType !== 'KINESIS') return undefined;
  return { destinationName: dest.doc.Name, streamArn: dest.doc.DeliveryDestinationArn };
}
