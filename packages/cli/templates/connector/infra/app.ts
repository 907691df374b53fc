// The AWS CDK app of this connector: one stack, "{{name}}", holding a C2cConnector from
// @c2c-kit/cdk — the bundled Lambda (src/index.ts) with its Function URL, work queue and
// dead-letter queue, FIFO outbox, DynamoDB store, alarms, least-privilege IAM, the service's
// invoke permission and the CloudConnector registration. `c2c deploy` synthesizes it (cdk.json)
// and deploys the one template to AWS, or with --local into the c2c-kit emulator.
//
// Settings are CDK context (cdk.json, or `-c key=value`):
//   vendorApiUrl          your cloud's API base URL (VENDOR_API_URL); OAuth at /oauth/authorize
//                         and /oauth/token below it, as the simulated vendor cloud has them
//   webhookSecretName     Secrets Manager name of your cloud's webhook secret, whsec_…
//                         (VENDOR_WEBHOOK_SECRET; the template holds a reference, not the value)
//   oauthClientSecretArn  complete ARN of the secret {"clientId": "…", "clientSecret": "…"} of
//                         your cloud's OAuth client; without it no connector destination is made
import { fileURLToPath } from 'node:url';
import { C2cConnector } from '@c2c-kit/cdk';
import { App, SecretValue, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

const app = new App();
const setting = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const apiUrl = setting('vendorApiUrl') ?? 'https://api.example.com';
const clientSecretArn = setting('oauthClientSecretArn');

const stack = new Stack(app, '{{name}}', {
  description: 'The {{name}} cloud-to-cloud connector (c2c-kit)',
});
new C2cConnector(stack, 'Connector', {
  entry: fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  environment: {
    VENDOR_API_URL: apiUrl,
    // A dynamic reference: CloudFormation resolves it at deploy time.
    VENDOR_WEBHOOK_SECRET: SecretValue.secretsManager(
      setting('webhookSecretName') ?? '{{name}}/webhook-secret',
    ).unsafeUnwrap(),
  },
  connectorName: '{{name}}',
  ...(clientSecretArn
    ? {
        destination: {
          oauth: {
            authUrl: `${apiUrl}/oauth/authorize`,
            tokenUrl: `${apiUrl}/oauth/token`,
            // The scopes the simulated vendor cloud grants; your cloud's go here.
            scope: 'devices:read devices:write',
            clientSecret: secretsmanager.Secret.fromSecretCompleteArn(
              stack,
              'OAuthClient',
              clientSecretArn,
            ),
          },
        },
      }
    : {}),
});
app.synth();
