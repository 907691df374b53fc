// Custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`): the service token's
// Lambda function is invoked with the CloudFormation custom-resource event and answers through
// the locally served response URL, as CloudFormation does it.
import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeployError } from '../../errors.js';
import type { CustomResourceResponse } from '../responseServer.js';
import type { AppliedResource, ApplyEnv, Props, ResourceHandler } from './types.js';

/** CloudFormation hands every scalar of a custom resource's properties over as a string. */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

interface RequestInput {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Props;
  readonly previous?: AppliedResource;
}

async function send(input: RequestInput, env: ApplyEnv): Promise<CustomResourceResponse> {
  const where = `${input.logicalId} (${input.type}) ${input.requestType}`;
  const token = input.properties.ServiceToken;
  if (typeof token !== 'string' || !/^arn:aws[a-z-]*:lambda:/.test(token)) {
    throw new DeployError(
      `${where}: ServiceToken ${JSON.stringify(token)}: only Lambda function ARNs are served locally (no SNS topics)`,
    );
  }
  const requestId = randomUUID();
  const { url, response } = env.responses.expect(where, env.customResourceTimeoutMs);
  const event = {
    RequestType: input.requestType,
    ServiceToken: token,
    ResponseURL: url,
    StackId: env.stackId,
    RequestId: requestId,
    LogicalResourceId: input.logicalId,
    ResourceType: input.type,
    ResourceProperties: stringifyScalars(input.properties),
    ...(input.previous ? { PhysicalResourceId: input.previous.physicalId } : {}),
    ...(input.requestType === 'Update' && input.previous
      ? { OldResourceProperties: stringifyScalars(input.previous.properties) }
      : {}),
  };
  // Invoked synchronously (CloudFormation invokes asynchronously): a handler that crashes before
  // answering fails the deploy at once instead of after the wait for its response.
  const invoked = await env.lambda.send(
    new InvokeCommand({ FunctionName: token, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  if (invoked.FunctionError !== undefined) {
    const text = Buffer.from(invoked.Payload ?? new Uint8Array()).toString('utf8');
    let message = text;
    try {
      const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      message = `${error.errorType ?? 'Error'}: ${error.errorMessage ?? ''}`;
    } catch {}
    throw new DeployError(`${where}: the handler ${token} failed without answering: ${message}`);
  }
  const answer = await response;
  if (answer.RequestId !== requestId || answer.LogicalResourceId !== input.logicalId) {
    throw new DeployError(`${where}: the response names another request or resource`);
  }
  if (answer.Status === 'FAILED') {
    throw new DeployError(`${where} failed: ${answer.Reason ?? '(no reason given)'}`);
  }
  return answer;
}

export const customResourceHandler: ResourceHandler = {
  async apply({ logicalId, type, properties, previous }, env) {
    if (previous && JSON.stringify(previous.properties) === JSON.stringify(properties)) {
      // Unchanged properties: CloudFormation sends no Update.
      return { physicalId: previous.physicalId, attributes: previous.attributes };
    }
    const requestType = previous ? 'Update' : 'Create';
    const answer = await send(
      { requestType, logicalId, type, properties, ...(previous ? { previous } : {}) },
      env,
    );
    const replaced = previous !== undefined && answer.PhysicalResourceId !== previous.physicalId;
    return {
      physicalId: answer.PhysicalResourceId,
      attributes: answer.Data ?? {},
      // A new physical id replaces the resource: the old one is deleted once the rest is done.
      ...(replaced
        ? {
            cleanup: () =>
              send(
                {
                  requestType: 'Delete',
                  logicalId,
                  type,
                  properties: previous.properties,
                  previous,
                },
                env,
              ).then(() => {}),
          }
        : {}),
    };
  },
  async remove(logicalId, resource, env) {
    await send(
      {
        requestType: 'Delete',
        logicalId,
        type: resource.type,
        properties: { ...resource.properties },
        previous: resource,
      },
      env,
    );
  },
};
