import { randomBytes } from 'node:crypto';
import { basename, dirname, extname } from 'node:path';
import type { ExecutionCredentials } from './executionRole.js';
import type { FunctionInfo } from './functionRegistry.js';
import type { WorkerEnvironment } from './WorkerPool.js';

/**
 * Which environment variables a function's configuration may not set: the ones that configure the
 * Node.js process or the dynamic loader rather than the function. With them, whoever registers a
 * function (`POST /_local/functions` is unsigned) could make its worker load any code
 * (`NODE_OPTIONS=--require …`, `LD_PRELOAD`), open a debugger port (`--inspect`) or write files
 * (`NODE_V8_COVERAGE`, `NODE_REDIRECT_WARNINGS`). AWS Lambda allows some of these in a signed
 * UpdateFunctionConfiguration; the emulator has no signed way to configure a function, so it
 * refuses them everywhere.
 */

/** `NODE_*` variables that only tune output or mark the environment; all other `NODE_*` are refused. */
const HARMLESS_NODE_VARIABLES = new Set(['NODE_ENV', 'NODE_DEBUG', 'NODE_NO_WARNINGS']);

/** Node.js flags that load code or open a debugger, wherever they appear in a value. */
const PROCESS_FLAG =
  /(?:^|\s)(?:-r|--require|--import|--(?:experimental-)?loader|--inspect[a-z-]*|--debug[a-z-]*)(?:[=\s]|$)/i;

/**
 * Why `name=value` cannot be part of a function's configuration, or undefined when it can.
 * Names compare case-insensitively (Windows environment names do).
 */
export function refusedVariable(name: string, value: string): string | undefined {
  const upper = name.toUpperCase();
  if (
    (upper.startsWith('NODE_') && !HARMLESS_NODE_VARIABLES.has(upper)) ||
    upper.startsWith('LD_') ||
    upper.startsWith('DYLD_')
  ) {
    return 'configures the Node.js process or the dynamic loader, which a function configuration may not do here (see docs/security.md)';
  }
  if (PROCESS_FLAG.test(value)) {
    return 'carries a Node.js flag that loads code or opens a debugger (--require, --import, --loader, --inspect…), which a function configuration may not do here (see docs/security.md)';
  }
  return undefined;
}

/**
 * `environment` without the refused variables: the worker's environment is built from this, so a
 * registration stored before the check existed (an older data directory) cannot pass them either.
 */
export function withoutRefused(environment: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (refusedVariable(name, value) === undefined) kept[name] = value;
  }
  return kept;
}

/** Variable names Lambda accepts in a function's configuration. */
export const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
/** Keys Lambda sets itself and refuses in a function's configuration. */
export const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/**
 * A worker's whole environment, as Lambda builds it: `PATH`, `LANG`, `TZ`, the function's own
 * variables (minus refused ones), the variables Lambda sets, the execution role's credentials and
 * `AWS_ENDPOINT_URL` (the emulator, unless the function sets its own).
 */
export function workerEnvironment(
  info: FunctionInfo,
  credentials: ExecutionCredentials | undefined,
  endpointUrl: string,
): WorkerEnvironment {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const variables: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...withoutRefused(info.environment),
    _HANDLER: `${basename(info.handler, extname(info.handler))}.${info.exportName}`,
    AWS_REGION: info.region,
    AWS_DEFAULT_REGION: info.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: info.name,
    AWS_LAMBDA_FUNCTION_VERSION: info.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(info.timeoutSeconds),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${info.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${info.version}]${randomBytes(16).toString('hex')}`,
    LAMBDA_TASK_ROOT: dirname(info.handler),
    ...(credentials
      ? {
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        }
      : {}),
    ...(credentials?.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    ...(info.environment.AWS_ENDPOINT_URL ? {} : { AWS_ENDPOINT_URL: endpointUrl }),
  };
  const expiresAt = credentials?.expiresAt;
  return expiresAt === undefined ? { variables } : { variables, expiresAt };
}
