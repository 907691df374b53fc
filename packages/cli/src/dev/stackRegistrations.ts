import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { callOk, ensureSecret, isOkOrConflict, upstreamError } from './registration.js';

// The customer's registrations `startDevStack` makes through the managed-integrations API: the
// cloud connector, its OAuth destination and the notification subscriptions. Each looks for an
// existing resource first, so a second start on the same data directory reuses it.

/** Customer-notification event types the dev stack subscribes to (all a C2C flow produces). */
export const DEV_EVENT_TYPES = [
  'DEVICE_EVENT',
  'DEVICE_STATE',
  'DEVICE_COMMAND',
  'DEVICE_COMMAND_REQUEST',
  'DEVICE_DISCOVERY_STATUS',
  'DEVICE_LIFE_CYCLE',
  'ACCOUNT_ASSOCIATION',
  'CONNECTOR_ERROR_REPORT',
] as const;

const SECRET_NAME = 'c2c-dev/acme-oauth-client';
const CONNECTOR_NAME = 'Acme Cloud';
const DESTINATION_NAME = 'acme-cloud-oauth';
const NOTIFICATION_DESTINATION = 'c2c-dev-notifications';

/** The cloud connector for the function `lambdaArn`: the existing one, else a new one. */
export async function ensureCloudConnector(
  client: ManagedIntegrationsClient,
  lambdaArn: string,
): Promise<string> {
  const list = await callOk(client, 'ListCloudConnectors', { LambdaArn: lambdaArn });
  const existing = list.Items?.find((i) => i.Id !== undefined)?.Id;
  if (existing) return existing;
  const created = await callOk(client, 'CreateCloudConnector', {
    Name: CONNECTOR_NAME,
    EndpointConfig: { lambda: { arn: lambdaArn } },
    EndpointType: 'LAMBDA',
    Description: 'Reference connector for the simulated Acme device cloud',
  });
  return created.Id as string;
}

export interface DestinationInput {
  readonly connectorId: string;
  readonly vendorCloudUrl: string;
  /** Where the customer lands after linking (the dashboard's page). */
  readonly completeUrl: string;
  /** The vendor cloud's OAuth client, kept in Secrets Manager for the destination. */
  readonly oauthClient: { readonly clientId: string; readonly clientSecret: string };
}

/**
 * The connector's OAuth destination on the vendor cloud: the existing one that points at this
 * vendor URL (its completion page updated when the dashboard moved), else a new one.
 */
export async function ensureConnectorDestination(
  client: ManagedIntegrationsClient,
  secrets: SecretsManagerClient,
  input: DestinationInput,
): Promise<string> {
  const secretArn = await ensureSecret(secrets, SECRET_NAME, input.oauthClient);
  const authUrl = `${input.vendorCloudUrl}/oauth/authorize`;
  const { completeUrl, connectorId } = input;
  const list = await callOk(client, 'ListConnectorDestinations', {
    CloudConnectorId: connectorId,
  });
  for (const summary of list.ConnectorDestinationList ?? []) {
    if (summary.Id === undefined || summary.Name !== DESTINATION_NAME) continue;
    const existing = await callOk(client, 'GetConnectorDestination', { Identifier: summary.Id });
    // Ports can change between starts; a destination pointing at an old vendor URL is stale
    // (its links keep it: AuthConfig's URLs cannot be updated, so they break on refresh).
    if (existing.AuthConfig?.oAuth?.authUrl !== authUrl) continue;
    // The dashboard may have moved: the completion page is updatable.
    if (existing.AuthConfig.oAuth.oAuthCompleteRedirectUrl !== completeUrl) {
      await callOk(client, 'UpdateConnectorDestination', {
        Identifier: summary.Id,
        AuthConfig: { oAuthUpdate: { oAuthCompleteRedirectUrl: completeUrl } },
      });
    }
    return summary.Id;
  }
  const created = await callOk(client, 'CreateConnectorDestination', {
    Name: DESTINATION_NAME,
    CloudConnectorId: connectorId,
    AuthType: 'OAUTH',
    AuthConfig: {
      oAuth: {
        authUrl,
        tokenUrl: `${input.vendorCloudUrl}/oauth/token`,
        scope: 'devices:read devices:write',
        tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
        oAuthCompleteRedirectUrl: completeUrl,
      },
    },
    SecretsManager: { arn: secretArn.arn, versionId: secretArn.versionId },
  });
  return created.Id as string;
}

export interface NotificationInput {
  /** The local Kinesis the stream is created on. */
  readonly kinesisUrl: string;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * The customer's notification stream (a Kinesis stream on the local Kinesis), its destination
 * and a notification configuration for each of `DEV_EVENT_TYPES`; the number of event types.
 */
export async function subscribeNotifications(
  client: ManagedIntegrationsClient,
  input: NotificationInput,
): Promise<number> {
  const { region, accountId } = input;
  const kinesisClient = new KinesisClient({
    endpoint: input.kinesisUrl,
    region,
    credentials: input.credentials,
    requestHandler: new NodeHttpHandler(),
  });
  try {
    await kinesisClient.send(
      new CreateStreamCommand({ StreamName: NOTIFICATION_DESTINATION, ShardCount: 1 }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  } finally {
    kinesisClient.destroy();
  }
  const destination = await client.send('CreateDestination', {
    Name: NOTIFICATION_DESTINATION,
    DeliveryDestinationType: 'KINESIS',
    DeliveryDestinationArn: `arn:aws:kinesis:${region}:${accountId}:stream/${NOTIFICATION_DESTINATION}`,
    RoleArn: `arn:aws:iam::${accountId}:role/${NOTIFICATION_DESTINATION}`,
    Description: 'c2c dev notifications - read from the local SSE stream',
  });
  if (!isOkOrConflict(destination.statusCode)) {
    throw upstreamError('CreateDestination', destination, JSON.stringify(destination.body));
  }
  for (const eventType of DEV_EVENT_TYPES) {
    const config = await client.send('CreateNotificationConfiguration', {
      EventType: eventType,
      DestinationName: NOTIFICATION_DESTINATION,
    });
    if (!isOkOrConflict(config.statusCode)) {
      throw upstreamError(
        `CreateNotificationConfiguration ${eventType}`,
        config,
        JSON.stringify(config.body),
      );
    }
  }
  return DEV_EVENT_TYPES.length;
}
