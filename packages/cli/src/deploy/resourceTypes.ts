// The three lists of `c2c deploy --local` (docs/deploy.md repeats them; a test keeps both equal).

/** Resource types the local applier creates in the emulator, through its AWS APIs. */
export const APPLIED_TYPES = [
  'AWS::Lambda::Function',
  'AWS::Lambda::Url',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventSourceMapping',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
  'AWS::DynamoDB::Table',
  'AWS::CloudFormation::CustomResource',
  'Custom::*',
] as const;

/**
 * Resource types the applier records (a physical id and the attributes others reference) without
 * creating anything: the emulator does not enforce IAM, keeps no logs service, raises no alarms
 * and encrypts with no keys.
 */
export const RECORDED_TYPES = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::CDK::Metadata',
] as const;

export type ResourceDisposition = 'applied' | 'recorded' | 'refused';

/** What the local applier does with a resource type; anything not listed is refused by name. */
export function dispositionOf(type: string): ResourceDisposition {
  if ((APPLIED_TYPES as readonly string[]).includes(type)) return 'applied';
  if (type.startsWith('Custom::') && /^Custom::[A-Za-z0-9_@-]{1,60}$/.test(type)) return 'applied';
  if ((RECORDED_TYPES as readonly string[]).includes(type)) return 'recorded';
  return 'refused';
}

/** Custom resources: `AWS::CloudFormation::CustomResource` or any `Custom::<Name>`. */
export function isCustomResource(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}
