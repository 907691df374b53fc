import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { StepFailedError, UpstreamError } from '../errors.js';

export interface ConnectorFunctionInput {
  readonly emulatorUrl: string;
  readonly lambda: LambdaClient;
  readonly name: string;
  /** The built module and its export. */
  readonly handler: string;
  readonly exportName: string;
  readonly environment: Record<string, string>;
  /** SQS queues the function consumes, with the batch size of each mapping. */
  readonly mappings: ReadonlyArray<{ readonly queueArn: string; readonly batchSize: number }>;
  readonly fallbackArn: string;
}

/**
 * Registers the connector in the emulator's Lambda host (replacing an earlier registration, so
 * the new code and environment load), maps its queues to it, then checks it loads: a GET of its
 * Function URL's /health, invoked directly, so an import error, a missing export or a
 * configuration error the handler reports stops the start with the function's own message.
 */
export async function registerConnectorFunction(
  input: ConnectorFunctionInput,
): Promise<{ arn: string }> {
  const { lambda, name } = input;
  const response = await fetch(`${input.emulatorUrl}/_local/functions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      handler: input.handler,
      exportName: input.exportName,
      timeoutSeconds: 30,
      environment: input.environment,
    }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new UpstreamError('register function', response.status, undefined, text.slice(0, 300));
  }
  const info = JSON.parse(text) as { arn?: string; FunctionArn?: string };
  const arn = info.arn ?? info.FunctionArn ?? input.fallbackArn;
  for (const { queueArn, batchSize } of input.mappings) {
    const mappings = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: name, EventSourceArn: queueArn }),
    );
    if ((mappings.EventSourceMappings ?? []).length === 0) {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: name,
          EventSourceArn: queueArn,
          BatchSize: batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      );
    }
  }
  await checkConnectorLoads(lambda, name, input.handler, input.exportName);
  return { arn };
}

const HEALTH_EVENT = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/health',
  rawQueryString: '',
  headers: {},
  requestContext: { http: { method: 'GET', path: '/health', sourceIp: '127.0.0.1' } },
  isBase64Encoded: false,
};

async function checkConnectorLoads(
  lambda: LambdaClient,
  name: string,
  handler: string,
  exportName: string,
): Promise<void> {
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(HEALTH_EVENT) }),
  );
  const text = Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8');
  let body: Record<string, unknown> = {};
  try {
    body = (JSON.parse(text) as Record<string, unknown> | null) ?? {};
  } catch {
    // not JSON: nothing more to learn
  }
  if (result.FunctionError) {
    const type = String(body.errorType ?? result.FunctionError);
    // The function's own message, whole: it names the variable, the file, the missing export.
    const message = String(body.errorMessage ?? text);
    const hint =
      type === 'Runtime.HandlerNotFound'
        ? ` (the module must export "${exportName}"; set "exportName" in "c2c" of package.json otherwise)`
        : '';
    throw new StepFailedError('connector check', `${handler}: ${type}: ${message}${hint}`);
  }
  // A handler built on first use reports its configuration error as an error reply.
  const reply = body as {
    header?: { responseCode?: number };
    payload?: { responseMessage?: string };
  };
  const code = reply.header?.responseCode;
  if (typeof code === 'number' && code >= 500) {
    throw new StepFailedError(
      'connector check',
      `${handler} answered ${code}: ${reply.payload?.responseMessage ?? text}`,
    );
  }
}
