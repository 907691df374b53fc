import type { MatterEndpoint } from '@c2c-kit/protocol';
import { type MiContext, newTraceId, notify } from '../context.js';
import type { AssociationDoc, CommandDoc, ThingDoc } from '../stores/docs.js';
import type { DocRow, Owner } from '../stores/table.js';
import { invokeConnector, publishConnectorError, vendorRefusedToken } from './associations.js';
import { toNamedEndpoint } from './capabilities.js';
import {
  type IncomingEvent,
  mergeEndpoint,
  rejectUnknown,
  stateNotification,
} from './deviceEvents.js';

/**
 * A command's life: sent to the connector (AWS.SendCommand), then ended by the connector's
 * DEVICE_COMMAND_RESPONSE, by a failed invocation, or by the service's wait running out.
 */

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
 * Records a PENDING command for `thing` and sends it to its connector in the background, through
 * `association`; returns the command's TraceId. A failed invocation fails the command at once,
 * an acknowledged one waits for the DEVICE_COMMAND_RESPONSE (`watchCommandResponse`).
 */
export function sendCommand(
  ctx: MiContext,
  owner: Owner,
  via: {
    readonly thing: ThingDoc;
    readonly association: AssociationDoc;
    readonly connectorId: string;
  },
  endpoints: MatterEndpoint[],
): string {
  const { thing, association, connectorId } = via;
  const traceId = newTraceId();
  const command: CommandDoc = {
    TraceId: traceId,
    ManagedThingId: thing.Id,
    status: 'PENDING',
    receivedAt: Date.now(),
    endpoints,
  };
  ctx.stores.commands.put(owner, traceId, command, { k1: thing.Id });
  ctx.background(async () => {
    const outcome = await invokeConnector(ctx, connectorId, association, 'AWS.SendCommand', {
      connectorDeviceId: thing.ConnectorDeviceId,
      traceId,
      endpoints,
    });
    const target = { owner, association, thing, traceId };
    if (!outcome.ok) failCommand(ctx, target, outcome);
    else watchCommandResponse(ctx, target);
  });
  return traceId;
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
  const timer = setTimeout(() => {
    // An emulator closed while the command waited (an embedding test's stack) has nothing to fail.
    if (!ctx.stores.db.open) return;
    failCommand(
      ctx,
      target,
      { statusCode: 504, message: `no DEVICE_COMMAND_RESPONSE within ${waitMs} ms of the ACK` },
      true,
    );
  }, waitMs);
  timer.unref();
}

/** The reason a connector gave in a failed DEVICE_COMMAND_RESPONSE, as the service words it. */
export function responseFailureMessage(statusCode: number, message: string | undefined): string {
  return `Connector response exception: responseCode=${statusCode}, responseMessage=${message ?? 'none'}`;
}

/**
 * A DEVICE_COMMAND_RESPONSE: the command SUCCEEDED or FAILED, the state it reports merged into
 * the thing's; the customer gets DEVICE_COMMAND (and DEVICE_STATE), and on failure a
 * CONNECTOR_ERROR_REPORT with the connector's reason (on 401 the link's tokens are checked).
 */
export async function recordCommandResponse(ctx: MiContext, event: IncomingEvent): Promise<void> {
  const { owner, connectorId, input, raw, at } = event;
  const traceId = input.TraceId;
  const command: DocRow<CommandDoc> | undefined =
    traceId === undefined ? undefined : ctx.stores.commands.get(traceId);
  if (command === undefined) {
    return rejectUnknown(
      ctx,
      event,
      { value: traceId, resourceType: 'Command' },
      {
        missing: 'TraceId: required for DEVICE_COMMAND_RESPONSE',
        unknown: 'TraceId: no pending command has that TraceId',
      },
    );
  }
  const thing = ctx.stores.things.get(command.doc.ManagedThingId);
  const succeeded = (input.StatusCode ?? 200) < 300;
  const endpoint = input.MatterEndpoint;
  await ctx.committer.run(() => {
    ctx.stores.insertEvent(owner, connectorId, 'DEVICE_COMMAND_RESPONSE', traceId, at, raw);
    ctx.stores.commands.put(
      command,
      command.doc.TraceId,
      { ...command.doc, status: succeeded ? 'SUCCEEDED' : 'FAILED', executedAt: at },
      { k1: command.doc.ManagedThingId },
    );
    if (endpoint !== undefined && thing !== undefined) mergeEndpoint(ctx, thing.id, endpoint, at);
  });
  const resources = thing === undefined ? [] : [thing.doc.Arn];
  notify(
    ctx,
    command,
    'DEVICE_COMMAND',
    {
      traceId,
      receivedAt: String(command.doc.receivedAt),
      executedAt: String(at),
      result: succeeded ? 'succeeded' : 'failed',
    },
    resources,
  );
  const association =
    thing?.doc.accountAssociationId === undefined
      ? undefined
      : ctx.stores.associations.get(thing.doc.accountAssociationId)?.doc;
  if (!succeeded && association !== undefined && thing !== undefined) {
    // The customer learns why from the report: DEVICE_COMMAND carries no reason.
    publishConnectorError(ctx, command, association, {
      statusCode: input.StatusCode ?? 500,
      message: responseFailureMessage(input.StatusCode ?? 500, input.Message),
      operation: 'AWS.SendCommand',
      ...(thing.doc.ConnectorDeviceId ? { connectorDeviceId: thing.doc.ConnectorDeviceId } : {}),
      traceId,
      managedThingId: thing.id,
    });
    if (input.StatusCode === 401) {
      const associationId = association.AccountAssociationId;
      ctx.background(() => vendorRefusedToken(ctx, associationId, 'AWS.SendCommand'));
    }
  }
  if (endpoint !== undefined && thing !== undefined) {
    notify(
      ctx,
      command,
      'DEVICE_STATE',
      stateNotification(toNamedEndpoint(endpoint), at),
      resources,
    );
  }
}
