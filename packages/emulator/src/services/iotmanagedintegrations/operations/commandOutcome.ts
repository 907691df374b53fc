import { type MiContext, notify } from '../context.js';
import type { AssociationDoc, CommandDoc } from '../stores/index.js';
import type { Owner } from '../stores/table.js';
import { publishConnectorError } from './associations.js';

/**
 * How long the service waits for a command's DEVICE_COMMAND_RESPONSE after the connector's ACK.
 * The service publishes no value (docs/emulator-fidelity.md); 60 s leaves the connector runtime's
 * own 30 s command deadline room to answer first with its reason.
 */
export const COMMAND_RESPONSE_WAIT_MS = 60_000;

type Association = Pick<AssociationDoc, 'ConnectorDestinationId' | 'AccountAssociationId' | 'Arn'>;

interface CommandTarget {
  readonly owner: Owner;
  readonly association: Association;
  readonly thing: {
    readonly Id: string;
    readonly Arn: string;
    readonly ConnectorDeviceId?: string;
  };
  readonly traceId: string;
}

/**
 * Ends a command as failed for the customer: DEVICE_COMMAND `failed` and a CONNECTOR_ERROR_REPORT
 * carrying the status and reason (the documented payload of DEVICE_COMMAND has no reason field).
 * `pendingOnly` leaves a command alone that an answer finished meanwhile.
 */
export function failCommand(
  ctx: MiContext,
  target: CommandTarget,
  failure: { readonly statusCode: number; readonly message: string },
  pendingOnly = false,
): void {
  const row = ctx.stores.commands.get(target.traceId);
  if (row === undefined || (pendingOnly && row.doc.status !== 'PENDING')) return;
  const now = Date.now();
  const doc: CommandDoc = { ...row.doc, status: 'FAILED', executedAt: now };
  ctx.stores.commands.put(row, target.traceId, doc, { k1: target.thing.Id });
  publishConnectorError(ctx, target.owner, target.association, {
    statusCode: failure.statusCode,
    message: failure.message,
    operation: 'AWS.SendCommand',
    ...(target.thing.ConnectorDeviceId
      ? { connectorDeviceId: target.thing.ConnectorDeviceId }
      : {}),
    traceId: target.traceId,
    managedThingId: target.thing.Id,
  });
  notify(
    ctx,
    target.owner,
    'DEVICE_COMMAND',
    {
      traceId: target.traceId,
      receivedAt: String(row.doc.receivedAt),
      executedAt: String(now),
      result: 'failed',
    },
    [target.thing.Arn],
  );
}

/** After the ACK: a command still unanswered when the service's wait is over fails (504). */
export function watchCommandResponse(ctx: MiContext, target: CommandTarget): void {
  const waitMs = ctx.invoker.responseWaitMs;
  const timer = setTimeout(
    () =>
      failCommand(
        ctx,
        target,
        { statusCode: 504, message: `no DEVICE_COMMAND_RESPONSE within ${waitMs} ms of the ACK` },
        true,
      ),
    waitMs,
  );
  timer.unref();
}

/** The reason a connector gave in a failed DEVICE_COMMAND_RESPONSE, as the service words it. */
export function responseFailureMessage(statusCode: number, message: string | undefined): string {
  return `Connector response exception: responseCode=${statusCode}, responseMessage=${message ?? 'none'}`;
}
