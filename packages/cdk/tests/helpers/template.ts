// Reading a synthesized template in terms of the constructs that made it.
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** Logical id of a construct's CloudFormation resource. */
export const id = (c: IConstruct) =>
  Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);
export const ref = (c: IConstruct) => ({ Ref: id(c) });
export const arn = (c: IConstruct) => ({ 'Fn::GetAtt': [id(c), 'Arn'] });

/** Every statement of every policy attached to a role, as `{ Sid, Action[], Resource, Condition }`. */
export function statementsOf(template: Template, roleId: string) {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map(
      (st): Record<string, unknown> => ({
        ...st,
        Action: [st.Action].flat(),
      }),
    ),
  );
}

/** What an SQS event source mapping needs on its queue. */
export const consumeQueue = (queue: IConstruct) => ({
  Effect: 'Allow',
  Action: [
    'sqs:ReceiveMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueUrl',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
  ],
  Resource: arn(queue),
});

/** kms:Decrypt only when Secrets Manager decrypts one of `secrets` for the role. */
export const decryptViaSecretsManager = (secrets: object[]) => ({
  Sid: 'DecryptSecretsViaSecretsManager',
  Effect: 'Allow',
  Action: ['kms:Decrypt'],
  Resource: '*',
  Condition: {
    StringEquals: {
      'kms:ViaService': {
        'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
      },
      'kms:EncryptionContext:SecretARN': secrets,
    },
  },
});
