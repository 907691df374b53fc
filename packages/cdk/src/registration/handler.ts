// Lambda entry of the registration custom resource (bundled by the construct at synth time). The
// managed-integrations calls go through c2c-kit's own signed client; the secret's version id comes
// from Secrets Manager through the AWS SDK that the Lambda runtime provides.
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ManagedIntegrationsClient } from '@c2c-kit/connector/client';
import { RegistrationError } from '../errors.js';
import { sendResponse } from './cfnResponse.js';
import { createRegistrationHandler, type RegistrationDeps } from './registration.js';
import type { CustomResourceEvent, CustomResourceResponse } from './types.js';

type OperationName = Parameters<ManagedIntegrationsClient['call']>[0];

/** The handler's parts from the environment: region, endpoint and credentials as in Lambda. */
export function registrationDepsFromEnv(env: NodeJS.ProcessEnv = process.env): RegistrationDeps {
  const client = new ManagedIntegrationsClient({ env });
  // Configured from the same environment as the signed client (in Lambda: the runtime's region
  // and role credentials; locally: the emulator's endpoint and key pair).
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
  const secrets = new SecretsManagerClient({
    region: client.region,
    ...(endpoint ? { endpoint } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  });
  return {
    api: {
      // The signed client is typed per operation; the handler names its six operations itself.
      call: (operation, input) => client.call(operation as OperationName, input as never),
    },
    currentSecretVersion: async (arn) => {
      const described = await secrets.send(new DescribeSecretCommand({ SecretId: arn }));
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      );
      if (current === undefined) {
        throw new RegistrationError(`secret ${arn} has no AWSCURRENT version`);
      }
      return current[0];
    },
  };
}

let handle: ((event: CustomResourceEvent) => Promise<CustomResourceResponse>) | undefined;

/** The Lambda handler CloudFormation invokes; the answer goes to the event's ResponseURL. */
export async function handler(event: CustomResourceEvent): Promise<void> {
  try {
    handle ??= createRegistrationHandler(registrationDepsFromEnv());
  } catch (error) {
    // No client, no call: still answer, or the stack waits an hour for this resource.
    await sendResponse(event.ResponseURL, {
      Status: 'FAILED',
      Reason: `handler configuration: ${error instanceof Error ? error.message : String(error)}`,
      PhysicalResourceId: event.PhysicalResourceId ?? `c2c-not-created-${event.RequestId}`,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
    return;
  }
  await handle(event);
}
