import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AssemblyStack } from '../assembly.js';
import type { ResponseServer } from '../responseServer.js';

/** A resource's CloudFormation properties, or any object within them. */
export type Props = Record<string, unknown>;

/** What the handlers deploy with: SDK clients on the emulator, the stack's identity, its assets. */
export interface ApplyEnv {
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly secrets: SecretsManagerClient;
  readonly stack: AssemblyStack;
  readonly stackName: string;
  readonly stackId: string;
  readonly accountId: string;
  readonly region: string;
  readonly responses: ResponseServer;
  /** How long a custom resource may take to answer (CloudFormation waits up to an hour). */
  readonly customResourceTimeoutMs: number;
}

/** A resource as applied: what Ref and Fn::GetAtt of it return, and what it was applied with. */
export interface AppliedResource {
  readonly type: string;
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface HandlerInput {
  readonly logicalId: string;
  readonly type: string;
  /** Properties with intrinsics and dynamic references resolved. */
  readonly properties: Props;
  /** The same resource from an earlier deploy into this emulator: update it in place. */
  readonly previous: AppliedResource | undefined;
}

export interface ApplyResult extends Omit<AppliedResource, 'type' | 'properties'> {
  /** Run after every resource is applied (CloudFormation's clean-up of a replaced resource). */
  readonly cleanup?: () => Promise<void>;
}

export interface ResourceHandler {
  apply(input: HandlerInput, env: ApplyEnv): Promise<ApplyResult>;
  /** Removes what `apply` made (a resource gone from the template, or the stack torn down). */
  remove(logicalId: string, resource: AppliedResource, env: ApplyEnv): Promise<void>;
}

/**
 * A physical name as CloudFormation makes one (stack name, logical id, a suffix), but
 * deterministic, so a later deploy of the same stack finds it: `<stack>-<logicalId>-<hash>`,
 * shortened to `max` characters.
 */
export function physicalName(env: ApplyEnv, logicalId: string, max: number, suffix = ''): string {
  const hash = createHash('sha256')
    .update(`${env.accountId}/${env.region}/${env.stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 10)
    .toUpperCase();
  const room = max - hash.length - 2 - suffix.length;
  const base = `${env.stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, room);
  return `${base}-${hash}${suffix}`;
}

/** A property as a string, or undefined; any other type is an error naming the property. */
export function str(props: Props, key: string, where: string): string | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new TypeError(`${where}.${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** A numeric property (CloudFormation accepts numbers as strings too). */
export function num(props: Props, key: string, where: string): number | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`${where}.${key}: expected a number, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A boolean property (`"true"`/`"false"` accepted, as CloudFormation does). */
export function bool(props: Props, key: string, where: string): boolean | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new TypeError(`${where}.${key}: expected true or false, got ${JSON.stringify(v)}`);
}

/** True when an SDK error is the named AWS error. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = (error as { name?: string; Code?: string } | null)?.name;
  return typeof name === 'string' && names.includes(name);
}
