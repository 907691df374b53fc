import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { C2cConnector } from '../../src/index.js';

/** The reference connector's Lambda entry, bundled from the workspace's sources. */
export const ACME_ENTRY = fileURLToPath(
  new URL('../../../../examples/acme-connector/src/index.ts', import.meta.url),
);

/** The two stacks every assertion reads: defaults + OAuth, and the opposite choices. */
export function buildTestStacks() {
  const app = new App();
  const oauth = new Stack(app, 'OAuthConnector');
  const clientSecret = new secretsmanager.Secret(oauth, 'ClientSecret');
  const connector = new C2cConnector(oauth, 'Acme', {
    entry: ACME_ENTRY,
    bundling: { conditions: ['source'] },
    environment: { ACME_API_URL: 'https://api.acme.example' },
    connectorName: 'acme-fans',
    description: 'Acme fans',
    destination: {
      oauth: {
        authUrl: 'https://auth.acme.example/oauth/authorize',
        tokenUrl: 'https://auth.acme.example/oauth/token',
        scope: 'devices',
        proactiveRefreshTokenRenewalDays: 30,
        clientSecret,
      },
    },
  });

  const general = new Stack(app, 'GeneralConnector');
  const key = new kms.Key(general, 'Key');
  const material = new secretsmanager.Secret(general, 'ApiKey', { encryptionKey: key });
  const extra = new secretsmanager.Secret(general, 'OtherApiKey');
  const gaConnector = new C2cConnector(general, 'Acme', {
    entry: ACME_ENTRY,
    bundling: { conditions: ['source'] },
    timeout: Duration.seconds(5),
    memorySize: 1024,
    logLevel: 'debug',
    commandDeadline: Duration.seconds(60),
    workVisibilityTimeout: Duration.seconds(30),
    outbox: false,
    encryptionKey: key,
    generalAuthorizationSecrets: [extra],
    destination: { generalAuthorization: [{ name: 'apiKey', secret: material }] },
  });
  return { app, oauth, connector, clientSecret, general, gaConnector, key, material, extra };
}
