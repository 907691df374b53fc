import {
  type CallbackContext,
  type CommandContext,
  CommandRejectedError,
  type CommandResult,
  type ConnectorHandler,
  type ConnectorOptions,
  createConnector,
  type DiscoveredDevice,
  SqsOutbox,
  standardWebhooks,
  UnknownVendorEventError,
  wireMessage,
} from '@c2c-kit/connector';
import { AcmeClient } from './acmeClient.js';
import type { AcmeCommand, AcmeDevice, AcmeEvent } from './acmeTypes.js';
import { AcmeApiError, AcmeConfigError } from './errors.js';
import {
  ACME_EVENT_TYPES,
  parseAcmeEvent,
  type TranslatedEvent,
  translateAcmeEvent,
} from './events.js';
import { type MatterCommandEndpoint, type PlannedCommand, planCommands } from './fromMatter.js';
import { connectorStore } from './store.js';
import { capabilityReportFor, stateToClusters } from './toMatter.js';

export interface AcmeConnectorConfig {
  /** Acme cloud base URL (`ACME_API_URL`). */
  apiUrl: string;
  /** Standard Webhooks secrets `whsec_…`; several during rotation (`ACME_WEBHOOK_SECRET`, comma-separated). */
  webhookSecrets: string[];
  /** OAuth client credentials for RFC 7009 revocation (`ACME_CLIENT_ID` / `ACME_CLIENT_SECRET`). */
  clientId?: string;
  clientSecret?: string;
  /**
   * SQS queue (FIFO: `….fifo`, ordered per device) where a SendConnectorEvent that still fails
   * after the client's retries is parked for `c2c replay` (`C2C_OUTBOX_QUEUE_URL`). Without it
   * such a webhook event is answered 503 and the vendor retries it.
   */
  outboxQueueUrl?: string;
  /**
   * Where the connector store lives, shared by every worker and kept across restarts: a DynamoDB
   * table (`C2C_STORE_TABLE`, AWS) or an SQLite file (`C2C_STORE_SQLITE_PATH`, `c2c dev`).
   * Without either, webhook de-duplication and parked markers are per worker.
   */
  storeTable?: string;
  storeSqlitePath?: string;
}

/** Reads the connector's configuration from the environment; names the variable at fault. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AcmeConnectorConfig {
  const apiUrl = env.ACME_API_URL;
  if (!apiUrl) throw new AcmeConfigError('ACME_API_URL', 'required (the Acme cloud base URL)');
  if (!URL.canParse(apiUrl)) throw new AcmeConfigError('ACME_API_URL', 'expected an http(s) URL');
  const secrets = (env.ACME_WEBHOOK_SECRET ?? '').split(/[\s,]+/).filter((s) => s.length > 0);
  if (secrets.length === 0) {
    throw new AcmeConfigError(
      'ACME_WEBHOOK_SECRET',
      'required (whsec_… from the Acme developer console)',
    );
  }
  const config: AcmeConnectorConfig = { apiUrl, webhookSecrets: secrets };
  if (env.ACME_CLIENT_ID) config.clientId = env.ACME_CLIENT_ID;
  if (env.ACME_CLIENT_SECRET) config.clientSecret = env.ACME_CLIENT_SECRET;
  const outbox = env.C2C_OUTBOX_QUEUE_URL;
  if (outbox) {
    if (!URL.canParse(outbox) || !/^https?:$/.test(new URL(outbox).protocol)) {
      throw new AcmeConfigError('C2C_OUTBOX_QUEUE_URL', 'expected an http(s) SQS queue URL');
    }
    config.outboxQueueUrl = outbox;
  }
  if (env.C2C_STORE_TABLE) config.storeTable = env.C2C_STORE_TABLE;
  if (env.C2C_STORE_SQLITE_PATH) config.storeSqlitePath = env.C2C_STORE_SQLITE_PATH;
  return config;
}

function tokenOf(ctx: CallbackContext): string {
  // Acme uses OAuth only; a General Authorization secret is taken as a personal access token.
  return ctx.auth.type === 'OAuth2.0' ? ctx.auth.accessToken : ctx.auth.secret;
}

/**
 * Runs a vendor call with the user's token. Acme's 401 means the token is gone (revoked, or the
 * grant forgotten): the same token will not work on a retry, so the discovery or command fails at
 * once with status 401 and the reason (the service then sees the link is broken), instead of being
 * retried until it gives up with a 500.
 */
async function withUserToken<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AcmeApiError && error.status === 401) {
      throw new CommandRejectedError(
        401,
        `Acme refused the access token (${error.vendorCode}): ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Vendor answers that are about this command (4xx), not about the connection or the token. */
function commandLevel(error: unknown): error is AcmeApiError {
  return (
    error instanceof AcmeApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 401 &&
    error.status !== 429
  );
}

/** Groups writes that must reach Acme as one call (two setpoints at once keep their dead band). */
function batch(plan: PlannedCommand[]): PlannedCommand[][] {
  const groups: PlannedCommand[][] = [];
  const setpoints: PlannedCommand[] = [];
  for (const p of plan) {
    if (
      p.attributeId !== undefined &&
      !p.error &&
      !p.needsState &&
      p.build?.().command === 'setSetpoints'
    ) {
      setpoints.push(p);
    } else groups.push([p]);
  }
  if (setpoints.length > 0) groups.push(setpoints);
  return groups;
}

function combined(group: PlannedCommand[], device?: AcmeDevice): AcmeCommand {
  if (group.length === 1) return (group[0] as PlannedCommand).build?.(device) as AcmeCommand;
  const params: Record<string, unknown> = {};
  for (const p of group) Object.assign(params, p.build?.(device).params);
  return { command: 'setSetpoints', params };
}

/**
 * Builds the Acme connector's Lambda handler. Everything vendor-specific lives here and in the
 * translation modules; invocation parsing, ACK-then-queue, idempotency, webhook verification and
 * SendConnectorEvent are the `@c2c-kit/connector` runtime's.
 */
export function createAcmeConnector(
  config: AcmeConnectorConfig,
  overrides: Pick<ConnectorOptions<AcmeEvent>, 'connectorId' | 'runtime' | 'policy'> = {},
): ConnectorHandler {
  const acme = new AcmeClient({
    baseUrl: config.apiUrl,
    ...(config.clientId ? { clientId: config.clientId } : {}),
    ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
  });

  const translate = (event: AcmeEvent): TranslatedEvent => {
    if (!(ACME_EVENT_TYPES as readonly string[]).includes(event.type)) {
      throw new UnknownVendorEventError(event.type);
    }
    try {
      return translateAcmeEvent(event);
    } catch (error) {
      // Unknown members and values the Matter builders reject are permanent: report them like
      // unknown types (counted, answered 422) instead of asking Acme to retry a hopeless event.
      const message = error instanceof Error ? error.message : String(error);
      throw new UnknownVendorEventError(`${event.type} (${message})`);
    }
  };

  const executeCommand = async (ctx: CommandContext): Promise<CommandResult[]> => {
    const token = tokenOf(ctx);
    // The device's kind decides the mapping; this read also confirms the device is this user's.
    let device = await acme.getDevice(token, ctx.connectorDeviceId);
    const plan = planCommands(device.kind, ctx.endpoints as readonly MatterCommandEndpoint[]);
    const results: CommandResult[] = [];
    const result = (
      p: PlannedCommand,
      status: number,
      message?: string,
      after?: AcmeDevice,
    ): CommandResult => {
      const attrs: Record<string, unknown> = {};
      if (after) {
        for (const c of stateToClusters(after.kind, after.state)) {
          if (c.id === p.clusterId && c.attributes) Object.assign(attrs, c.attributes);
        }
      }
      return {
        endpointId: p.endpointId,
        clusterId: p.clusterId,
        ...(p.commandId !== undefined ? { commandId: p.commandId } : {}),
        status,
        ...(message ? { message: wireMessage(message, 200) } : {}),
        ...(Object.keys(attrs).length > 0 ? { attributes: attrs } : {}),
      };
    };
    for (const group of batch(plan)) {
      const first = group[0] as PlannedCommand;
      if (first.error) {
        results.push(result(first, first.error.status, first.error.message));
        continue;
      }
      try {
        device = await acme.command(token, ctx.connectorDeviceId, combined(group, device));
        for (const p of group) results.push(result(p, 200, undefined, device));
      } catch (error) {
        if (!commandLevel(error)) throw error; // token, throttling, outage: let the queue retry
        for (const p of group)
          results.push(result(p, error.status, `${error.vendorCode} ${error.message}`));
      }
    }
    ctx.logger.info('acme command done', { commands: results.length });
    return results;
  };

  const store = connectorStore(config);
  return createConnector<AcmeEvent>({
    ...overrides,
    vendor: {
      resolveUser: (ctx) => withUserToken(async () => (await acme.me(tokenOf(ctx))).userId),
      listDevices: (ctx): Promise<DiscoveredDevice[]> =>
        withUserToken(async () => {
          const devices = await acme.listDevices(tokenOf(ctx));
          return devices.map((d) => ({
            connectorDeviceId: d.deviceId,
            name: d.name,
            capabilityReport: capabilityReportFor(d),
          }));
        }),
      executeCommand: (ctx) => withUserToken(() => executeCommand(ctx)),
      revokeTokens: async (ctx) => {
        await acme.revoke(tokenOf(ctx));
      },
    },
    webhooks: {
      verifier: standardWebhooks({ secrets: config.webhookSecrets }),
      parse: parseAcmeEvent,
      translate,
    },
    runtime: {
      // Events the service still refuses after retries are parked durably (nothing lost, order
      // per device kept) instead of bouncing back to Acme; this function retries them from the
      // queue, and `c2c replay --queue-url` re-sends what ends in its dead-letter queue.
      ...(config.outboxQueueUrl
        ? { outbox: new SqsOutbox({ queueUrl: config.outboxQueueUrl }) }
        : {}),
      ...(store ? { idempotency: store } : {}),
      ...overrides.runtime,
    },
  });
}
