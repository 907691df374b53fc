import { ResourceNotFoundException } from '@c2c-kit/protocol';
import type { MiContext } from '../context.js';
import { type Owner, ownerOf } from '../stores/table.js';

/** Cloud connectors as the rest of the service meets them. */

export function connectorNotFound(id: string): ResourceNotFoundException {
  return new ResourceNotFoundException('Connector Resource does not exists', {
    ResourceId: id,
    ResourceType: 'CloudConnector',
  });
}

/** The account and region that registered a connector, and its function (cached). */
export function connectorOf(
  ctx: MiContext,
  connectorId: string,
): { owner: Owner; functionArn: string } | null {
  let entry = ctx.caches.connectorAccount.get(connectorId);
  if (entry === undefined) {
    const row = ctx.stores.connectors.get(connectorId);
    entry =
      row === undefined
        ? null
        : { owner: ownerOf(row), functionArn: row.doc.EndpointConfig.lambda?.arn ?? '' };
    ctx.caches.connectorAccount.set(connectorId, entry);
  }
  return entry;
}
