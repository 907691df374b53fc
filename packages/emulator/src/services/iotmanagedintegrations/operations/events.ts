import { AccessDeniedException, ServiceUnavailableException } from '@c2c-kit/protocol';
import { hasFaults, injectedFault } from '../../../faults.js';
import { defineHandlers, type HandlerMap, type MiContext } from '../context.js';
import { recordCommandResponse } from '../domain/commands.js';
import { connectorNotFound, connectorOf } from '../domain/connectors.js';
import {
  type IncomingEvent,
  recordDeviceEvent,
  relayCommandRequest,
} from '../domain/deviceEvents.js';
import { recordDiscoveryEvent } from '../domain/discovery.js';

/** SendConnectorEvent: the connector's events, accepted from the account that registered it. */
export function eventHandlers(ctx: MiContext): HandlerMap {
  const faults = ctx.config.faults;
  return defineHandlers({
    SendConnectorEvent: async (input, call) => {
      const fault = hasFaults(faults) ? await injectedFault(faults, call.clientGone) : undefined;
      // A client that gave up on a held request reads no answer; the 503 only ends the handler.
      if (fault === 'gone') throw new ServiceUnavailableException('the client gave up');
      if (fault !== undefined) throw fault;
      const connectorId = input.ConnectorId;
      const connector = connectorOf(ctx, connectorId);
      // The function's credentials and endpoint region decide the region: a connector of another
      // region does not exist from here (404), one of another account is refused (403).
      if (connector === null || connector.owner.region !== call.region) {
        throw connectorNotFound(connectorId);
      }
      if (connector.owner.account !== call.account) {
        throw new AccessDeniedException(
          'SendConnectorEvent must be signed by the account that registered the connector',
        );
      }
      const event: IncomingEvent = {
        // The owner alone, not `call`: the event outlives the request in the notification ring,
        // and `call` reaches the request itself (its socket, logger and body).
        owner: { account: call.account, region: call.region },
        connectorId,
        input,
        raw: call.rawText === '' ? '{}' : call.rawText,
        at: Date.now(),
      };
      switch (input.Operation) {
        case 'DEVICE_EVENT':
          await recordDeviceEvent(ctx, event);
          break;
        case 'DEVICE_DISCOVERY':
          await recordDiscoveryEvent(ctx, event);
          break;
        case 'DEVICE_COMMAND_RESPONSE':
          await recordCommandResponse(ctx, event);
          break;
        default:
          await relayCommandRequest(ctx, event);
      }
      return { ConnectorId: connectorId };
    },
  });
}
