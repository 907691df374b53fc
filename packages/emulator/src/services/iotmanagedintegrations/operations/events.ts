import {
  AccessDeniedException,
  type MatterEndpoint,
  ResourceNotFoundException,
  type SendConnectorEventRequest,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@c2c-kit/protocol';
import {
  type CallContext,
  type HandlerMap,
  type MiContext,
  notify,
  type RouteMiss,
  type RouteTarget,
  type RouteUnregistered,
} from '../context.js';
import { liveAssociationsOfUser, routedThing } from '../routing.js';
import {
  type AssociationDoc,
  type CommandDoc,
  type DiscoveredDeviceDoc,
  type DiscoveryDoc,
  discoveredDeviceKeys,
} from '../stores/index.js';
import { type DocRow, type Owner, ownerOf } from '../stores/table.js';
import { publishConnectorError, vendorRefusedToken } from './associations.js';
import { type NamedEndpoint, toNamedEndpoint } from './capabilities.js';
import { responseFailureMessage } from './commandOutcome.js';
import { connectorNotFound } from './connectors.js';
import { finishDiscovery } from './discovery.js';
import { reconcileDevice } from './things.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown (after the event is durably in the rejected log) for events nobody can receive. */
function unknownTarget(miss: RouteMiss): ResourceNotFoundException {
  return new ResourceNotFoundException(miss.reason, {
    ResourceType: miss.unknown === 'UserId' ? 'AccountAssociation' : 'ManagedThing',
  });
}

/**
 * Finds the customer's managed thing for connector + UserId + ConnectorDeviceId by the rule in
 * `routing.ts` (the most recent live association with a thing for the device wins). Cached: the
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

function connectorOf(
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

function mergeEndpoint(
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

function stateNotification(named: ReturnType<typeof toNamedEndpoint>, at: number) {
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

async function reject(
  ctx: MiContext,
  owner: Owner,
  connectorId: string,
  reason: string,
  raw: string,
  at: number,
): Promise<void> {
  await ctx.committer.run(() => ctx.stores.insertRejected(owner, connectorId, reason, at, raw));
}

/**
 * A DEVICE_DISCOVERY with StatusCode ≥ 300: the connector could not list the user's devices. The
 * customer gets a CONNECTOR_ERROR_REPORT with the connector's status and message, and on 401 (the
 * vendor refused the user's token) the link's tokens are checked (`vendorRefusedToken`).
 */
function discoveryFailed(
  ctx: MiContext,
  owner: Owner,
  association: AssociationDoc,
  statusCode: number,
  message: string | undefined,
): void {
  publishConnectorError(ctx, owner, association, {
    statusCode,
    message: responseFailureMessage(statusCode, message),
    operation: 'AWS.DiscoverDevices',
  });
  if (statusCode === 401) {
    ctx.background(() =>
      vendorRefusedToken(ctx, association.AccountAssociationId, 'AWS.DiscoverDevices'),
    );
  }
}

export function eventHandlers(ctx: MiContext): HandlerMap {
  const faults = ctx.config.faults;
  return {
    SendConnectorEvent: async (input: SendConnectorEventRequest, call: CallContext) => {
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.throttle > 0 && Math.random() < faults.throttle) {
        throw new ThrottlingException('Rate exceeded (injected fault)');
      }
      if (faults.error > 0 && Math.random() < faults.error) {
        throw new ServiceUnavailableException('Service unavailable (injected fault)');
      }
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
      const at = Date.now();
      const raw = call.rawText === '' ? '{}' : call.rawText;
      const owner = call;

      switch (input.Operation) {
        case 'DEVICE_EVENT': {
          const route = resolveThing(ctx, connectorId, input.UserId, input.ConnectorDeviceId);
          if (route.kind === 'miss') {
            await reject(ctx, owner, connectorId, route.reason, raw, at);
            throw unknownTarget(route);
          }
          if (route.kind === 'unregistered') {
            // Accepted (202) but relayed to no customer; the rejected log says why.
            await reject(ctx, owner, connectorId, route.reason, raw, at);
            break;
          }
          const endpoint = input.MatterEndpoint;
          await ctx.committer.run(() => {
            ctx.stores.insertEvent(owner, connectorId, 'DEVICE_EVENT', input.TraceId, at, raw);
            if (endpoint !== undefined) mergeEndpoint(ctx, route.thingId, endpoint, at);
          });
          if (endpoint !== undefined) {
            // One conversion to the named form serves both notifications, done only when one of
            // them is needed (SSE, Kinesis, validation sample, or the first read of the ring).
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
          break;
        }
        case 'DEVICE_DISCOVERY': {
          const discoveryId = input.DeviceDiscoveryId;
          const discovery: DocRow<DiscoveryDoc> | undefined =
            discoveryId === undefined ? undefined : ctx.stores.discoveries.get(discoveryId);
          if (discovery === undefined || discovery.doc.connectorId !== connectorId) {
            const reason =
              discoveryId === undefined
                ? 'DeviceDiscoveryId: required for DEVICE_DISCOVERY'
                : 'DeviceDiscoveryId: no device discovery of this connector has that id';
            await reject(ctx, owner, connectorId, reason, raw, at);
            if (discoveryId === undefined) throw new ValidationException(reason);
            throw new ResourceNotFoundException(reason, {
              ResourceId: discoveryId,
              ResourceType: 'DeviceDiscovery',
            });
          }
          const association =
            discovery.doc.AccountAssociationId === undefined
              ? undefined
              : ctx.stores.associations.get(discovery.doc.AccountAssociationId)?.doc;
          const statusCode = input.StatusCode ?? 200;
          if (statusCode >= 300) {
            // The connector could not list the user's devices (the vendor refused the token, an
            // outage): the discovery FAILED with its reason, never SUCCEEDED with no devices.
            await ctx.committer.run(() =>
              ctx.stores.insertEvent(
                owner,
                connectorId,
                'DEVICE_DISCOVERY',
                input.TraceId,
                at,
                raw,
              ),
            );
            if (discovery.doc.Status === 'RUNNING') {
              finishDiscovery(ctx, discovery, discovery.doc, 'FAILED', 0);
              if (association !== undefined) {
                discoveryFailed(ctx, discovery, association, statusCode, input.Message);
              }
            }
            break;
          }
          const devices = input.Devices ?? [];
          await ctx.committer.run(() => {
            ctx.stores.insertEvent(owner, connectorId, 'DEVICE_DISCOVERY', input.TraceId, at, raw);
            for (const device of devices) {
              // A device this customer already has a managed thing for is reported with that
              // thing (NO_CHANGE / UPDATED), never as a new device; the thing stays registered
              // where it is (see routing.ts and the README).
              const existing = reconcileDevice(
                ctx,
                discovery,
                connectorId,
                association,
                device.ConnectorDeviceId,
                device.CapabilityReport,
              );
              const doc: DiscoveredDeviceDoc = {
                discoveryId: discovery.doc.Id,
                connectorId,
                accountAssociationId: discovery.doc.AccountAssociationId,
                ConnectorDeviceId: device.ConnectorDeviceId,
                ConnectorDeviceName: device.ConnectorDeviceName,
                DeviceTypes: [
                  ...new Set(device.CapabilityReport.endpoints.flatMap((e) => e.deviceTypes)),
                ],
                CapabilityReport: device.CapabilityReport,
                CapabilitySchemas: device.CapabilitySchemas,
                DeviceMetadata: device.DeviceMetadata,
                DiscoveredAt: at,
                Modification: existing?.modification ?? 'DISCOVERED',
                ManagedThingId: existing?.thingId,
              };
              ctx.stores.discovered.put(
                discovery,
                `${discovery.doc.Id}/${device.ConnectorDeviceId}`,
                doc,
                discoveredDeviceKeys(doc),
              );
            }
            // A discovery may come in several parts (the connector splits a large one): each
            // adds its devices, and the discovery is SUCCEEDED from the first part on, with a
            // DEVICE_DISCOVERY_STATUS per part counting every device so far (emulator-fidelity.md).
            if (discovery.doc.Status === 'RUNNING' || discovery.doc.Status === 'SUCCEEDED') {
              const total = ctx.stores.discovered.count({ k1: discovery.doc.Id, owner: discovery });
              finishDiscovery(ctx, discovery, discovery.doc, 'SUCCEEDED', total);
            }
          });
          break;
        }
        case 'DEVICE_COMMAND_RESPONSE': {
          const traceId = input.TraceId;
          const command: DocRow<CommandDoc> | undefined =
            traceId === undefined ? undefined : ctx.stores.commands.get(traceId);
          if (command === undefined) {
            const reason =
              traceId === undefined
                ? 'TraceId: required for DEVICE_COMMAND_RESPONSE'
                : 'TraceId: no pending command has that TraceId';
            await reject(ctx, owner, connectorId, reason, raw, at);
            if (traceId === undefined) throw new ValidationException(reason);
            throw new ResourceNotFoundException(reason, {
              ResourceId: traceId,
              ResourceType: 'Command',
            });
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
            if (endpoint !== undefined && thing !== undefined)
              mergeEndpoint(ctx, thing.id, endpoint, at);
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
              ...(thing.doc.ConnectorDeviceId
                ? { connectorDeviceId: thing.doc.ConnectorDeviceId }
                : {}),
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
          break;
        }
        default: {
          // DEVICE_COMMAND_REQUEST: device-initiated; relayed to the thing's customer when known.
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
      }
      return { ConnectorId: connectorId };
    },
  };
}
