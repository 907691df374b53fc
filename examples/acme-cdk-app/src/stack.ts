import { fileURLToPath } from 'node:url';
import { C2cConnector } from '@c2c-kit/cdk';
import { Annotations, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface AcmeConnectorStackProps extends StackProps {
  /** The Acme cloud's base URL (`ACME_API_URL`). */
  readonly apiUrl: string;
  /** Secrets Manager name of the Standard Webhooks secret `whsec_…` (`ACME_WEBHOOK_SECRET`). */
  readonly webhookSecretName: string;
  /**
   * Complete ARN of the secret `{"clientId": "…", "clientSecret": "…"}` of Acme's OAuth client.
   * Without it the CloudConnector is registered without a destination (add one later).
   */
  readonly oauthClientSecretArn?: string;
}

/** The reference connector's Lambda entry, bundled from this workspace's sources. */
export const ACME_CONNECTOR_ENTRY = fileURLToPath(
  new URL('../../acme-connector/src/index.ts', import.meta.url),
);

/** The reference Acme connector on AWS: one `C2cConnector`, OAuth 2.0 account linking. */
export class AcmeConnectorStack extends Stack {
  readonly connector: C2cConnector;

  constructor(scope: Construct, id: string, props: AcmeConnectorStackProps) {
    super(scope, id, props);
    const clientSecret = props.oauthClientSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(
          this,
          'AcmeOAuthClient',
          props.oauthClientSecretArn,
        )
      : undefined;
    this.connector = new C2cConnector(this, 'Acme', {
      entry: ACME_CONNECTOR_ENTRY,
      // Inside the c2c-kit workspace the packages resolve to their TypeScript sources.
      bundling: { conditions: ['source'] },
      environment: {
        ACME_API_URL: props.apiUrl,
        // A dynamic reference: CloudFormation resolves it at deploy time, the template never
        // holds the secret.
        ACME_WEBHOOK_SECRET: SecretValue.secretsManager(props.webhookSecretName).unsafeUnwrap(),
      },
      connectorName: 'acme-connector',
      description: 'Acme device cloud',
      ...(clientSecret
        ? {
            destination: {
              oauth: {
                authUrl: `${props.apiUrl}/oauth/authorize`,
                tokenUrl: `${props.apiUrl}/oauth/token`,
                // The Acme cloud's scopes (the reference vendor refuses any other).
                scope: 'devices:read devices:write',
                clientSecret,
              },
            },
          }
        : {}),
    });
    if (!clientSecret) {
      Annotations.of(this).addWarningV2(
        'c2c-kit:no-destination',
        'no acmeOAuthClientSecretArn: the CloudConnector has no ConnectorDestination yet',
      );
    }
  }
}
