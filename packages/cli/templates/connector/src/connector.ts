import {
  type CallbackContext,
  type CommandContext,
  CommandRejectedError,
  type CommandResult,
  type ConnectorHandler,
  type ConnectorOptions,
  createConnector,
  type DiscoveredDevice,
  standardWebhooks,
  wireMessage,
} from '@c2c-kit/connector';
import {
  formatAttributeId,
  formatClusterId,
  formatCommandId,
  parseMatterId,
} from '@c2c-kit/matter';
import type { ConnectorConfig } from './config.js';
import { KINDS, kindOf } from './devices/index.js';
import { type MatterRequest, UnsupportedRequestError } from './devices/kind.js';
import { reportFor } from './devices/report.js';
import { translateEvent } from './translate.js';
import {
  parseVendorEvent,
  type VendorApiError,
  type VendorClient,
  type VendorDevice,
  type VendorEvent,
} from './vendorClient.js';

type Overrides = Pick<ConnectorOptions<VendorEvent>, 'connectorId' | 'runtime' | 'policy'>;

/** The user's access token (OAuth 2.0), or a General Authorization secret used as one. */
function tokenOf(ctx: CallbackContext): string {
  return ctx.auth.type === 'OAuth2.0' ? ctx.auth.accessToken : ctx.auth.secret;
}

function isApiError(error: unknown): error is VendorApiError {
  return error instanceof Error && error.name === 'VendorApiError';
}

/**
 * Your cloud's 401 means the user's token is gone: a retry cannot help, so the discovery or
 * command fails at once with 401 (the service then treats the link as broken).
 */
async function withUserToken<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      throw new CommandRejectedError(401, `the vendor refused the token: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** An answer about this command (4xx other than 401/429), not about the token or an outage. */
function commandLevel(error: unknown): error is VendorApiError {
  return (
    isApiError(error) &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 429].includes(error.status)
  );
}

/** The Matter requests of one endpoint, one per command and one for a cluster's writes. */
function requestsOf(endpoint: CommandContext['endpoints'][number]): MatterRequest[] {
  const requests: MatterRequest[] = [];
  for (const cluster of endpoint.clusters ?? []) {
    const clusterId = formatClusterId(parseMatterId(cluster.id));
    for (const [id, fields] of Object.entries(cluster.commands ?? {})) {
      requests.push({
        clusterId,
        commandId: formatCommandId(parseMatterId(id)),
        fields: (fields ?? {}) as Record<string, unknown>,
      });
    }
    // Attribute writes come as a map, or as a list of one-entry maps.
    const raw = cluster.attributes as
      | Record<string, unknown>
      | Record<string, unknown>[]
      | undefined;
    const writes: Record<string, unknown> = {};
    for (const entry of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      for (const [id, value] of Object.entries(entry)) {
        writes[formatAttributeId(parseMatterId(id))] = value;
      }
    }
    if (Object.keys(writes).length > 0) requests.push({ clusterId, attributes: writes });
  }
  return requests;
}

/**
 * The connector: the four operations (ActivateUser, DiscoverDevices, SendCommand,
 * DeactivateUser) and the webhook intake, on `@c2c-kit/connector`. Invocation parsing, ACK then
 * queue, idempotency, webhook signatures and SendConnectorEvent are the runtime's.
 */
export function createVendorConnector(
  config: ConnectorConfig,
  vendor: VendorClient,
  overrides: Overrides = {},
): ConnectorHandler {
  const supported = (d: VendorDevice) => kindOf(d.kind) !== undefined;

  const executeCommand = async (ctx: CommandContext): Promise<CommandResult[]> => {
    const token = tokenOf(ctx);
    // The device's kind decides the mapping; the read also checks the device is this user's.
    const device = await vendor.getDevice(token, ctx.connectorDeviceId);
    const kind = kindOf(device.kind);
    const results: CommandResult[] = [];
    for (const endpoint of ctx.endpoints) {
      for (const request of requestsOf(endpoint)) {
        const result = {
          endpointId: endpoint.id ?? '1',
          clusterId: request.clusterId,
          ...(request.commandId ? { commandId: request.commandId } : {}),
        };
        try {
          if (kind === undefined)
            throw new UnsupportedRequestError(`unsupported kind ${device.kind}`);
          let after = device;
          for (const command of kind.toCommands(request)) {
            ctx.logger.info('vendor command', { command: command.command, deviceKind: kind.kind });
            after = await vendor.command(token, ctx.connectorDeviceId, command);
          }
          // Report the cluster's new state with the result.
          const attributes = Object.assign(
            {},
            ...kind
              .toClusters(after.state)
              .filter((c) => c.id === request.clusterId)
              .map((c) => c.attributes ?? {}),
          );
          results.push({ ...result, status: 200, attributes });
        } catch (error) {
          if (error instanceof UnsupportedRequestError) {
            results.push({ ...result, status: 400, message: wireMessage(error.message, 200) });
          } else if (commandLevel(error)) {
            ctx.logger.warn('vendor refused the command', {
              status: error.status,
              code: error.vendorCode,
            });
            results.push({
              ...result,
              status: error.status,
              message: wireMessage(error.message, 200),
            });
          } else {
            throw error; // the token, throttling, an outage: the work queue retries
          }
        }
      }
    }
    return results;
  };

  return createConnector<VendorEvent>({
    ...overrides,
    vendor: {
      resolveUser: (ctx) => withUserToken(async () => (await vendor.me(tokenOf(ctx))).userId),
      listDevices: (ctx): Promise<DiscoveredDevice[]> =>
        withUserToken(async () => {
          const devices = (await vendor.listDevices(tokenOf(ctx))).filter(supported);
          ctx.logger.info('vendor devices listed', {
            devices: devices.length,
            kinds: KINDS.map((k) => k.kind).join(','),
          });
          return devices.map((d) => ({
            connectorDeviceId: d.deviceId,
            name: d.name,
            capabilityReport: reportFor(
              kindOf(d.kind) as NonNullable<ReturnType<typeof kindOf>>,
              d,
            ),
          }));
        }),
      executeCommand: (ctx) => withUserToken(() => executeCommand(ctx)),
      revokeTokens: async (ctx) => {
        await vendor.revoke(tokenOf(ctx));
      },
    },
    webhooks: {
      verifier: standardWebhooks({ secrets: [...config.webhookSecrets] }),
      parse: parseVendorEvent,
      translate: translateEvent,
    },
  });
}
