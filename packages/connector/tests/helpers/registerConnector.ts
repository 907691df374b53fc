import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_CREDENTIALS, miCaller } from './mi.js';

// No vitest here: the benchmark fixtures (plain processes) register their connector with it too.

/** The vendor cloud's default OAuth client, as the connector's destination presents it. */
const VENDOR_OAUTH_CLIENT = {
  clientId: 'c2c-kit-connector',
  clientSecret: 'c2c-kit-connector-secret',
};

export interface ConnectorRegistration {
  /** The cloud connector's name; its OAuth client secret is `<name>/oauth`. */
  readonly name: string;
  readonly functionArn: string;
  /** The function's work queue, mapped to it (`functionName` then names the function). */
  readonly workQueue?: { readonly functionName: string; readonly queueArn: string };
  /** The vendor cloud whose OAuth endpoints the destination uses. */
  readonly vendorUrl: string;
}

/**
 * What a customer registers for a connector function already in the emulator's Lambda host, as in
 * AWS: the work queue's event source mapping (when given), the vendor cloud's OAuth client in
 * Secrets Manager, the cloud connector and its OAuth destination. An answer other than 201 throws
 * with the service's message.
 */
export async function registerConnector(
  emulatorUrl: string,
  input: ConnectorRegistration,
): Promise<{ connectorId: string; destinationId: string }> {
  const cfg = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: emulatorUrl };
  const lambda = new LambdaClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  try {
    if (input.workQueue) {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: input.workQueue.functionName,
          EventSourceArn: input.workQueue.queueArn,
          BatchSize: 10,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      );
    }
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: `${input.name}/oauth`,
        SecretString: JSON.stringify(VENDOR_OAUTH_CLIENT),
      }),
    );
    const mi = miCaller(emulatorUrl);
    const created = async (
      answer: Promise<{ status: number; json: Record<string, unknown>; text: string }>,
      what: string,
    ) => {
      const got = await answer;
      if (got.status !== 201) throw new Error(`${what} answered ${got.status}: ${got.text}`);
      return got.json.Id as string;
    };
    const connectorId = await created(
      mi('CreateCloudConnector', {
        Name: input.name,
        EndpointConfig: { lambda: { arn: input.functionArn } },
      }),
      'CreateCloudConnector',
    );
    const destinationId = await created(
      mi('CreateConnectorDestination', {
        CloudConnectorId: connectorId,
        AuthType: 'OAUTH',
        AuthConfig: {
          oAuth: {
            authUrl: `${input.vendorUrl}/oauth/authorize`,
            tokenUrl: `${input.vendorUrl}/oauth/token`,
            scope: 'devices:read devices:write',
            tokenEndpointAuthenticationScheme: 'HTTP_BASIC',
          },
        },
        SecretsManager: { arn: secret.ARN as string, versionId: secret.VersionId as string },
      }),
      'CreateConnectorDestination',
    );
    return { connectorId, destinationId };
  } finally {
    lambda.destroy();
    sm.destroy();
  }
}
