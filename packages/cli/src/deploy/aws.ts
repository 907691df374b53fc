// The AWS path of `c2c deploy`: the standard CDK toolkit synthesizes, publishes the bundle assets
// to the bootstrap bucket and deploys the CloudFormation stack with the user's credentials and
// region, printing its progress; then the outputs and the next step.
import type { Toolkit } from '@aws-cdk/toolkit-lib';
import { DeployError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';
import { printOutputsAndNextStep } from './outputs.js';
import { type AppSource, assemblySource } from './synth.js';

export interface AwsDeployOptions {
  readonly context: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly outdir?: string;
  /** The stack to deploy when the app has several. */
  readonly stack?: string;
  readonly destroy: boolean;
}

export async function deployToAws(
  io: CliIo,
  toolkit: Toolkit,
  source: AppSource,
  o: AwsDeployOptions,
): Promise<number> {
  const { StackParameters, StackSelectionStrategy } = await import('@aws-cdk/toolkit-lib');
  const pattern = o.stack ?? (source.kind === 'connector' ? source.stackName : undefined);
  const stacks =
    pattern === undefined
      ? { strategy: StackSelectionStrategy.ONLY_SINGLE }
      : { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [pattern] };
  const cx = await assemblySource(toolkit, source, {
    ...(o.outdir ? { outdir: o.outdir } : {}),
    context: o.context,
    resolveEnvironment: true,
  });
  if (o.destroy) {
    const result = await toolkit.destroy(cx, { stacks });
    for (const s of result.stacks)
      writeLine(
        io.stdout,
        `destroyed ${s.stackName} (aws://${s.environment.account}/${s.environment.region})`,
      );
    return 0;
  }
  const result = await toolkit.deploy(cx, {
    stacks,
    ...(Object.keys(o.parameters).length > 0
      ? { parameters: StackParameters.withExisting({ ...o.parameters }) }
      : {}),
  });
  const deployed = result.stacks[0];
  if (deployed === undefined) throw new DeployError('the toolkit deployed no stack');
  writeLine(io.stdout, `deployed ${deployed.stackName} (${deployed.stackArn})`);
  printOutputsAndNextStep(io, deployed.stackName, deployed.outputs, {
    region: deployed.environment.region,
  });
  return 0;
}
