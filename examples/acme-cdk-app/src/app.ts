// `cdk synth` / `cdk deploy` entry (cdk.json). Configuration comes from CDK context:
// `-c acmeApiUrl=… -c acmeWebhookSecretName=… -c acmeOAuthClientSecretArn=…`.
import { App } from 'aws-cdk-lib';
import { AcmeConnectorStack } from './stack.js';

const app = new App();
const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
new AcmeConnectorStack(app, 'AcmeConnector', {
  apiUrl: context('acmeApiUrl') ?? 'https://api.acme.example',
  webhookSecretName: context('acmeWebhookSecretName') ?? 'acme/webhook-secret',
  ...(context('acmeOAuthClientSecretArn')
    ? { oauthClientSecretArn: context('acmeOAuthClientSecretArn') }
    : {}),
});
app.synth();
