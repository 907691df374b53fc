// Resource types recorded, not enforced (IAM, log groups, alarms, KMS keys, CDK metadata): each
// gets the physical id and attributes CloudFormation would give it, so what references it
// resolves, and nothing is created.
import { createHash } from 'node:crypto';
import { type ApplyEnv, type Props, physicalName, type ResourceHandler, str } from './types.js';

function keyId(env: ApplyEnv, logicalId: string): string {
  const h = createHash('sha256')
    .update(`${env.accountId}/${env.region}/${env.stackName}/${logicalId}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Recorder = (
  logicalId: string,
  props: Props,
  env: ApplyEnv,
) => { physicalId: string; attributes: Props };

const RECORDERS: Record<string, Recorder> = {
  'AWS::IAM::Role': (id, p, env) => {
    const name = str(p, 'RoleName', id) ?? physicalName(env, id, 64);
    return {
      physicalId: name,
      attributes: {
        Arn: `arn:aws:iam::${env.accountId}:role${str(p, 'Path', id) ?? '/'}${name}`,
        RoleId: `AROA${keyId(env, id).replace(/-/g, '').slice(0, 17).toUpperCase()}`,
      },
    };
  },
  'AWS::IAM::Policy': (id, _p, env) => {
    const name = physicalName(env, id, 128);
    return { physicalId: name, attributes: { Id: name } };
  },
  'AWS::IAM::ManagedPolicy': (id, p, env) => {
    const arn = `arn:aws:iam::${env.accountId}:policy/${str(p, 'ManagedPolicyName', id) ?? physicalName(env, id, 128)}`;
    return { physicalId: arn, attributes: { PolicyArn: arn } };
  },
  'AWS::SQS::QueuePolicy': (id, _p, env) => {
    const name = physicalName(env, id, 128);
    return { physicalId: name, attributes: { Id: name } };
  },
  'AWS::Logs::LogGroup': (id, p, env) => {
    const name = str(p, 'LogGroupName', id) ?? physicalName(env, id, 512);
    return {
      physicalId: name,
      attributes: { Arn: `arn:aws:logs:${env.region}:${env.accountId}:log-group:${name}:*` },
    };
  },
  'AWS::CloudWatch::Alarm': (id, p, env) => {
    const name = str(p, 'AlarmName', id) ?? physicalName(env, id, 255);
    return {
      physicalId: name,
      attributes: { Arn: `arn:aws:cloudwatch:${env.region}:${env.accountId}:alarm:${name}` },
    };
  },
  'AWS::KMS::Key': (id, _p, env) => {
    const key = keyId(env, id);
    return {
      physicalId: key,
      attributes: { Arn: `arn:aws:kms:${env.region}:${env.accountId}:key/${key}`, KeyId: key },
    };
  },
  'AWS::KMS::Alias': (id, p) => {
    const name = str(p, 'AliasName', id) ?? `alias/${id}`;
    return { physicalId: name, attributes: {} };
  },
  'AWS::CDK::Metadata': (id, _p, env) => ({
    physicalId: physicalName(env, id, 128),
    attributes: {},
  }),
};

/** The handler of every recorded type; `RECORDED_TYPES` lists the same names. */
export const recordedHandler: ResourceHandler = {
  async apply({ logicalId, type, properties, previous }, env) {
    if (previous) return { physicalId: previous.physicalId, attributes: previous.attributes };
    const record = RECORDERS[type];
    if (record === undefined) throw new TypeError(`${logicalId}: ${type} has no recorder`);
    return record(logicalId, properties, env);
  },
  async remove() {},
};

export const RECORDED_HANDLER_TYPES = Object.keys(RECORDERS);
