// Placeholder shape, replaced by the worker-process implementation.
export interface RegisterFunctionInput {
  name: string;
  handler: string;
  exportName?: string;
  environment?: Record<string, string>;
  timeoutSeconds?: number;
  accountId?: string;
}
export interface FunctionInfo {
  name: string;
  arn: string;
  handler: string;
  exportName: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
  accountId: string;
  region: string;
}
export interface InvokeOptions {
  invocationType?: 'RequestResponse' | 'Event';
  timeoutMs?: number;
}
export interface InvokeResult {
  statusCode: number;
  payload: Buffer;
  functionError?: 'Unhandled';
  executedVersion: string;
}
export class LambdaHost {
  registerFunction(_input: RegisterFunctionInput): FunctionInfo {
    throw new Error('not implemented yet');
  }
  getFunction(_nameOrArn: string): FunctionInfo | undefined {
    return undefined;
  }
  async invoke(
    _nameOrArn: string,
    _payload: Buffer | string,
    _options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    throw new Error('not implemented yet');
  }
  async close(): Promise<void> {}
}
