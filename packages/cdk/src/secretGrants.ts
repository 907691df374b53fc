import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Statements that let a role read `secrets`: `secretsmanager:<actions>` on exactly those ARNs, and
 * `kms:Decrypt` only when Secrets Manager asks on the role's behalf (`kms:ViaService`) for one of
 * those secrets (`kms:EncryptionContext:SecretARN`). The key is not known for an imported secret,
 * so the conditions, not the resource, keep the decrypt narrow.
 */
export function secretReadStatements(
  scope: Stack,
  secrets: readonly secretsmanager.ISecret[],
  actions: readonly string[],
): iam.PolicyStatement[] {
  if (secrets.length === 0) return [];
  const arns = secrets.map((s) => s.secretArn);
  const keys = secrets.map((s) => s.encryptionKey?.keyArn);
  const allKnown = keys.every((k) => k !== undefined);
  return [
    new iam.PolicyStatement({
      sid: 'ReadSecrets',
      actions: [...actions],
      resources: arns,
    }),
    new iam.PolicyStatement({
      sid: 'DecryptSecretsViaSecretsManager',
      actions: ['kms:Decrypt'],
      resources: allKnown ? [...new Set(keys as string[])] : ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': `secretsmanager.${scope.region}.amazonaws.com`,
          'kms:EncryptionContext:SecretARN': arns,
        },
      },
    }),
  ];
}
