import {
  AccessDeniedException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@c2c-kit/protocol';
import { HANG_LIMIT_MS } from '../../../config.js';
import { type CallContext, defineHandlers, type HandlerMap, type MiContext } from '../context.js';
import { recordCommandResponse } from '../domain/commands.js';
import { connectorNotFound, connectorOf } from '../domain/connectors.js';
import {
  type IncomingEvent,
  recordDeviceEvent,
  relayCommandRequest,
} from '../domain/deviceEvents.js';
import { recordDiscoveryEvent } from '../domain/discovery.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The `hang` fault: no answer until the client gives up and closes its connection; a client that
 * never does gets a 503 after `HANG_LIMIT_MS`, so no request is held forever.
 */
async function hang(call: CallContext): Promise<never> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((r) => {
    timer = setTimeout(r, HANG_LIMIT_MS);
  });
  try {
    await Promise.race([call.clientGone(), limit]);
  } finally {
    clearTimeout(timer);
  }
  throw new ServiceUnavailableException(
    `No answer within ${HANG_LIMIT_MS / 1000} s (injected hang fault)`,
  );
}

/** SendConnectorEvent: the connector's events, accepted from the account that registered it. */
export function eventHandlers(ctx: MiContext): HandlerMap {
  const faults = ctx.config.faults;
  return defineHandlers({
    SendConnectorEvent: async (input, call) => {
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.throttle > 0 && Math.random() < faults.throttle) {
        throw new ThrottlingException('Rate exceeded (injected fault)');
      }
      if (faults.error > 0 && Math.random() < faults.error) {
        throw new ServiceUnavailableException('Service unavailable (injected fault)');
      }
      if ((faults.hang ?? 0) > 0 && Math.random() < (faults.hang ?? 0)) await hang(call);
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
        owner: call,
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
