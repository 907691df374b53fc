import { ConnectorIdResolutionError } from '../errors.js';
import type { ConnectorItem, ListCloudConnectorsResponse } from '../protocol.js';

/** The two calls resolution needs from the managed-integrations client. */
export interface ConnectorDirectory {
  listCloudConnectors(input: {
    LambdaArn?: string;
    NextToken?: string;
  }): Promise<ListCloudConnectorsResponse>;
  getCloudConnector(input: { Identifier: string }): Promise<ConnectorItem>;
}

/** How to learn the function's own ARN; default: Lambda GetFunctionUrlConfig via the real SDK client. */
export type FunctionArnLookup = (functionName: string) => Promise<string>;

export interface ResolveConnectorIdOptions {
  readonly directory: ConnectorDirectory;
  /** Default: AWS_LAMBDA_FUNCTION_NAME. */
  readonly functionName?: string;
  readonly lookupFunctionArn?: FunctionArnLookup;
  readonly env?: NodeJS.ProcessEnv;
}

/** `arn:aws:lambda:r:acct:function:name[:qualifier]` → unqualified ARN. */
export function unqualifiedLambdaArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}

/** A connector's lambda ARN matches ours with or without a version/alias qualifier. */
export function lambdaArnMatches(candidate: string, ours: string): boolean {
  return candidate === ours || unqualifiedLambdaArn(candidate) === unqualifiedLambdaArn(ours);
}

/**
 * The seed's lookup: GetFunctionUrlConfig for the function's own name (falls back to
 * GetFunction when the function has no URL), with the real Lambda client imported on first use.
 * `config` is passed to `new LambdaClient(config)` (region, endpoint, credentials); in Lambda the
 * environment supplies all of them.
 */
export function lambdaFunctionArnLookup(config: Record<string, unknown> = {}): FunctionArnLookup {
  return async (functionName) => {
    const { LambdaClient, GetFunctionUrlConfigCommand, GetFunctionCommand } = await import(
      '@aws-sdk/client-lambda'
    );
    const lambda = new LambdaClient(config);
    try {
      try {
        const out = await lambda.send(
          new GetFunctionUrlConfigCommand({ FunctionName: functionName }),
        );
        if (out.FunctionArn) return out.FunctionArn;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      }
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
      const arn = fn.Configuration?.FunctionArn;
      if (!arn)
        throw new ConnectorIdResolutionError(
          `GetFunction(${functionName}) returned no FunctionArn`,
        );
      return arn;
    } finally {
      lambda.destroy();
    }
  };
}

/** `lambdaFunctionArnLookup()` with the Lambda environment's configuration. */
export const lookupFunctionArnWithLambda: FunctionArnLookup = (name) =>
  lambdaFunctionArnLookup()(name);

/**
 * Finds this function's CloudConnector id at run time: the override env var C2C_CONNECTOR_ID
 * wins; otherwise own ARN → ListCloudConnectors(LambdaArn) for the qualified and unqualified
 * ARN → GetCloudConnector to confirm. Exactly one match, or a clear error.
 */
export async function resolveConnectorId(options: ResolveConnectorIdOptions): Promise<string> {
  const env = options.env ?? process.env;
  if (env.C2C_CONNECTOR_ID) return env.C2C_CONNECTOR_ID;
  const functionName = options.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName) {
    throw new ConnectorIdResolutionError(
      'connectorId: expected C2C_CONNECTOR_ID or AWS_LAMBDA_FUNCTION_NAME to be set, got neither',
    );
  }
  const ownArn = await (options.lookupFunctionArn ?? lookupFunctionArnWithLambda)(functionName);
  const candidates = [...new Set([ownArn, unqualifiedLambdaArn(ownArn)])];
  const matches = new Map<string, ConnectorItem>();
  for (const arn of candidates) {
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await options.directory.listCloudConnectors({
        LambdaArn: arn,
        ...(token ? { NextToken: token } : {}),
      });
      for (const item of page.Items ?? []) {
        const itemArn = item.EndpointConfig?.lambda?.arn;
        // Filter again client-side: the match must hold with or without qualifier either way.
        if (item.Id && itemArn && lambdaArnMatches(itemArn, ownArn)) matches.set(item.Id, item);
      }
      token = page.NextToken;
    } while (token && ++pages < 100);
  }
  if (matches.size === 0) {
    throw new ConnectorIdResolutionError(
      `connectorId: no CloudConnector has EndpointConfig.lambda.arn ${ownArn} (with or without qualifier); create one with CreateCloudConnector or set C2C_CONNECTOR_ID`,
    );
  }
  if (matches.size > 1) {
    throw new ConnectorIdResolutionError(
      `connectorId: ${matches.size} CloudConnectors point at ${unqualifiedLambdaArn(ownArn)} (${[...matches.keys()].join(', ')}); set C2C_CONNECTOR_ID to choose one`,
    );
  }
  const [id] = [...matches.keys()] as [string];
  const confirmed = await options.directory.getCloudConnector({ Identifier: id });
  const confirmedArn = confirmed.EndpointConfig?.lambda?.arn;
  if (!confirmedArn || !lambdaArnMatches(confirmedArn, ownArn)) {
    throw new ConnectorIdResolutionError(
      `connectorId: GetCloudConnector(${id}) reports lambda ${confirmedArn ?? 'none'}, expected ${ownArn}`,
    );
  }
  return id;
}
