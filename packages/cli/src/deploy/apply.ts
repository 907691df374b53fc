// The local template applier: the synthesized template's resources, in dependency order, with
// their intrinsic functions and dynamic references resolved, applied through the emulator's AWS
// APIs. Not an emulated CloudFormation: no change sets, no rollback; a failure stops the deploy
// with the resource and the reason, leaving what was applied (a second deploy picks it up).
import { DeployError } from '../errors.js';
import type { Template } from './assembly.js';
import { resolveDynamicReferences, type SecretReader } from './dynamicReferences.js';
import { customResourceHandler } from './handlers/custom.js';
import {
  eventSourceMappingHandler,
  functionHandler,
  functionUrlHandler,
  permissionHandler,
} from './handlers/lambda.js';
import { recordedHandler } from './handlers/recorded.js';
import { queueHandler, secretHandler, tableHandler } from './handlers/storage.js';
import type { AppliedResource, ApplyEnv, ResourceHandler } from './handlers/types.js';
import { evaluateCondition, type ResolveContext, resolveValue } from './intrinsics.js';
import { creationOrder } from './order.js';
import { dispositionOf, isCustomResource } from './resourceTypes.js';

const HANDLERS: Record<string, ResourceHandler> = {
  'AWS::Lambda::Function': functionHandler,
  'AWS::Lambda::Url': functionUrlHandler,
  'AWS::Lambda::Permission': permissionHandler,
  'AWS::Lambda::EventSourceMapping': eventSourceMappingHandler,
  'AWS::SQS::Queue': queueHandler,
  'AWS::DynamoDB::Table': tableHandler,
  'AWS::SecretsManager::Secret': secretHandler,
};

/** The handler of a type the lists admit; refused types have none. */
export function handlerFor(type: string): ResourceHandler | undefined {
  const disposition = dispositionOf(type);
  if (disposition === 'recorded') return recordedHandler;
  if (disposition !== 'applied') return undefined;
  return isCustomResource(type) ? customResourceHandler : HANDLERS[type];
}

/** What a deploy into the emulator left: enough to update or tear it down next time. */
export interface StackRecord {
  readonly stackName: string;
  readonly stackId: string;
  readonly accountId: string;
  readonly region: string;
  /** Logical id → applied resource, in creation order. */
  readonly resources: Record<string, AppliedResource>;
  readonly outputs: Record<string, { value: string; description?: string }>;
}

export type ProgressStatus =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'recorded'
  | 'skipped'
  | 'removed';

export interface ApplyOptions {
  readonly template: Template;
  readonly env: ApplyEnv;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly previous?: StackRecord;
  readonly readSecret: SecretReader;
  readonly onProgress?: (logicalId: string, type: string, status: ProgressStatus) => void;
}

/** A deploy that stopped part way: `partial` records what exists now (kept for the next deploy). */
export class ApplyError extends DeployError {
  readonly partial: StackRecord;

  constructor(message: string, partial: StackRecord, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApplyError';
    this.partial = partial;
  }
}

/** Refuses, before touching anything, every resource type outside the applied and recorded lists. */
export function checkResourceTypes(template: Template): void {
  const refused = Object.entries(template.Resources)
    .filter(([, r]) => dispositionOf(r.Type) === 'refused')
    .map(([id, r]) => `${r.Type} (${id})`);
  if (refused.length > 0) {
    throw new DeployError(
      `the local deploy does not apply ${refused.join(', ')}: see "c2c deploy --help" and docs/deploy.md for the resource types it applies and records`,
    );
  }
}

function contextFor(
  template: Template,
  env: ApplyEnv,
  given: Readonly<Record<string, string>>,
  applied: Map<string, AppliedResource>,
): ResolveContext {
  const parameters: Record<string, unknown> = {};
  const fromSsm = new Set<string>();
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    if (Object.hasOwn(given, name)) parameters[name] = given[name];
    else if (p.Type.startsWith('AWS::SSM::Parameter::')) fromSsm.add(name);
    else if (p.Default !== undefined) parameters[name] = p.Default;
    else
      throw new DeployError(
        `parameter ${name} has no default: give it with --parameter ${name}=<value>`,
      );
  }
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(template.Parameters ?? {}, name)) {
      throw new DeployError(`--parameter ${name}: the template has no such parameter`);
    }
  }
  const conditions = new Map<string, boolean>();
  const ctx: ResolveContext = {
    pseudo: {
      'AWS::AccountId': env.accountId,
      'AWS::Region': env.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': env.stackName,
      'AWS::StackId': env.stackId,
      'AWS::NotificationARNs': '',
    },
    parameters,
    mappings: template.Mappings ?? {},
    condition(name) {
      const known = conditions.get(name);
      if (known !== undefined) return known;
      const expression = template.Conditions?.[name];
      if (expression === undefined)
        throw new DeployError(`condition ${name} is not in the template`);
      const value = evaluateCondition(expression, ctx, `Conditions.${name}`);
      conditions.set(name, value);
      return value;
    },
    ref(id) {
      if (fromSsm.has(id)) {
        throw new DeployError(
          `parameter ${id} is read from SSM Parameter Store, which the emulator does not have: give it with --parameter ${id}=<value>`,
        );
      }
      const resource = applied.get(id);
      if (resource === undefined)
        throw new DeployError(`Ref ${id}: the resource was not created (its Condition is false)`);
      return resource.physicalId;
    },
    getAtt(id, attribute) {
      const resource = applied.get(id);
      if (resource === undefined)
        throw new DeployError(`Fn::GetAtt ${id}.${attribute}: the resource was not created`);
      const value = resource.attributes[attribute];
      if (value === undefined) {
        throw new DeployError(
          `Fn::GetAtt ${id}.${attribute}: ${resource.type} has no attribute ${attribute} here`,
        );
      }
      return value;
    },
  };
  return ctx;
}

function describeError(error: unknown): string {
  if (error instanceof DeployError) return error.message;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(error)}`;
}

/** Applies `template` into the emulator; returns the record of what now exists. */
export async function applyTemplate(options: ApplyOptions): Promise<StackRecord> {
  const { template, env } = options;
  checkResourceTypes(template);
  const order = creationOrder(template);
  const applied = new Map<string, AppliedResource>();
  const ctx = contextFor(template, env, options.parameters ?? {}, applied);
  const previous = options.previous?.resources ?? {};
  const cleanups: Array<() => Promise<void>> = [];
  const progress = options.onProgress ?? (() => {});

  for (const id of order) {
    const resource = template.Resources[id];
    if (resource === undefined) continue;
    const { Type: type } = resource;
    if (resource.Condition !== undefined && !ctx.condition(resource.Condition)) {
      progress(id, type, 'skipped');
      continue;
    }
    const handler = handlerFor(type) as ResourceHandler;
    const before = previous[id]?.type === type ? previous[id] : undefined;
    try {
      const resolved = resolveValue(resource.Properties ?? {}, ctx, `${id}.Properties`);
      const properties = (await resolveDynamicReferences(
        resolved,
        options.readSecret,
        `${id}.Properties`,
      )) as Record<string, unknown>;
      const unchanged =
        before !== undefined && JSON.stringify(before.properties) === JSON.stringify(properties);
      const result = await handler.apply(
        { logicalId: id, type, properties, previous: before },
        env,
      );
      if (result.cleanup) cleanups.push(result.cleanup);
      applied.set(id, {
        type,
        physicalId: result.physicalId,
        attributes: result.attributes,
        properties,
      });
      progress(
        id,
        type,
        dispositionOf(type) === 'recorded'
          ? 'recorded'
          : before === undefined
            ? 'created'
            : unchanged
              ? 'unchanged'
              : 'updated',
      );
    } catch (error) {
      // Resources of the earlier deploy not reached yet still exist: they stay in the record.
      const partial = { ...previous, ...Object.fromEntries(applied) };
      throw new ApplyError(`${id} (${type}): ${describeError(error)}`, recordOf(env, partial, {}), {
        cause: error,
      });
    }
  }
  for (const cleanup of cleanups) await cleanup();
  // What the previous deploy made and this template no longer has goes, newest first.
  for (const [id, resource] of Object.entries(previous).reverse()) {
    if (applied.has(id)) continue;
    await removeResource(id, resource, env);
    progress(id, resource.type, 'removed');
  }
  const outputs: StackRecord['outputs'] = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !ctx.condition(output.Condition)) continue;
    const value = resolveValue(output.Value, ctx, `Outputs.${name}.Value`);
    outputs[name] = {
      value: typeof value === 'string' ? value : JSON.stringify(value),
      ...(output.Description === undefined ? {} : { description: output.Description }),
    };
  }
  return recordOf(env, Object.fromEntries(applied), outputs);
}

function recordOf(
  env: ApplyEnv,
  resources: Record<string, AppliedResource>,
  outputs: StackRecord['outputs'],
): StackRecord {
  return {
    stackName: env.stackName,
    stackId: env.stackId,
    accountId: env.accountId,
    region: env.region,
    resources,
    outputs,
  };
}

async function removeResource(id: string, resource: AppliedResource, env: ApplyEnv): Promise<void> {
  const handler = handlerFor(resource.type);
  if (handler === undefined) return;
  try {
    await handler.remove(id, resource, env);
  } catch (error) {
    throw new DeployError(`removing ${id} (${resource.type}): ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Tears down everything a record names, newest first (custom resources get their Delete). */
export async function destroyStack(
  record: StackRecord,
  env: ApplyEnv,
  onProgress?: ApplyOptions['onProgress'],
): Promise<void> {
  for (const [id, resource] of Object.entries(record.resources).reverse()) {
    await removeResource(id, resource, env);
    onProgress?.(id, resource.type, 'removed');
  }
}
