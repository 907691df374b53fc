import { statSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toWireError } from '../../plugins/error-render.js';
import { optString } from '../../protocols/jsonMembers.js';
import { jsonObjectBody } from '../../protocols/requestBody.js';
import { LAMBDA_ERRORS, LambdaServiceError, lambdaErrors } from './errors.js';
import { executionRoleArn } from './executionRole.js';
import { parseFunctionRef } from './functionRef.js';
import type { FunctionInfo } from './functionRegistry.js';
import { LAMBDA_HOST_PLUGIN } from './hostPlugin.js';
import { codeSha256, type VersionRecord } from './versions.js';

// Request and response helpers the Lambda REST route groups share (`*Routes.ts`).

/** The routing constraint of every Lambda REST route (the SigV4 service name). */
export const LAMBDA = { awsService: 'lambda' } as const;

/** The plugins every Lambda REST route group needs: the host, and SigV4 for the caller. */
export const LAMBDA_API_DEPENDENCIES = [LAMBDA_HOST_PLUGIN, '@c2c-kit/emulator-sigv4'];

export const bad = (message: string): LambdaServiceError => lambdaErrors.invalidParameter(message);

/** The request's JSON object body, or the errors Lambda answers when it is not JSON / an object. */
export function requestObject(request: FastifyRequest): Record<string, unknown> {
  return jsonObjectBody(
    request,
    () =>
      new LambdaServiceError(
        'InvalidRequestContentException',
        'Could not parse request body into json',
      ),
    bad,
  );
}

/** Lambda writes timestamps like `2019-08-14T22:26:11.234+0000`. */
export function lambdaTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export function functionNameParam(request: FastifyRequest, max = 256): string {
  const name = (request.params as { FunctionName?: string }).FunctionName ?? '';
  if (name.length < 1 || name.length > max || !parseFunctionRef(name)) {
    throw bad(
      `FunctionName: expected a function name, partial ARN or ARN (1-${max} characters), got ${JSON.stringify(name.slice(0, 300))}`,
    );
  }
  return name;
}

/** Applies `?Qualifier=` to a function reference, refusing a conflicting one like Lambda does. */
export function qualified(request: FastifyRequest, name: string): string {
  const qualifier = (request.query as Record<string, unknown>).Qualifier;
  if (qualifier === undefined) return name;
  if (
    typeof qualifier !== 'string' ||
    !/^(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9_-]{1,128})$/.test(qualifier)
  ) {
    throw bad(
      `Qualifier: expected $LATEST, a version or an alias name, got ${JSON.stringify(qualifier)}`,
    );
  }
  const ref = parseFunctionRef(name);
  if (ref?.qualifier !== undefined) {
    if (ref.qualifier !== qualifier) {
      throw bad(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    return name;
  }
  return `${name}:${qualifier}`;
}

/**
 * A FunctionConfiguration: of `$LATEST`, or of the published version `info` resolved to (`published`
 * then gives its recorded CodeSha256 and description).
 */
export function functionConfiguration(
  info: FunctionInfo,
  published?: VersionRecord,
): Record<string, unknown> {
  let codeSize = 0;
  try {
    codeSize = statSync(info.handler).size;
  } catch {
    // The file vanished after registration; report an empty package rather than failing.
  }
  return {
    FunctionName: info.name,
    FunctionArn: info.version === '$LATEST' ? info.arn : `${info.arn}:${info.version}`,
    Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
    Role: executionRoleArn(info.accountId),
    Handler: `${info.handler.replace(/^.*[\\/]/, '').replace(/\.[cm]?js$/, '')}.${info.exportName}`,
    CodeSize: codeSize,
    Description: published?.description ?? '',
    Timeout: info.timeoutSeconds,
    MemorySize: 128,
    LastModified: lambdaTime(info.lastModified),
    CodeSha256: published?.codeSha256 ?? codeSha256(info.handler),
    Version: info.version,
    Environment: { Variables: info.environment },
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${info.name}` },
  };
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
}

/** `Marker`/`MaxItems` paging over `items` (the marker is an offset from a previous page). */
export function pageOf<T>(
  request: FastifyRequest,
  items: readonly T[],
  defaultMax = 50,
): { items: T[]; next: string | undefined } {
  const q = request.query as Record<string, unknown>;
  const marker = optString(q, 'Marker', bad) ?? '0';
  const maxRaw = optString(q, 'MaxItems', bad);
  const max = maxRaw === undefined ? defaultMax : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw bad(`MaxItems: expected an integer from 1 to 10000, got ${JSON.stringify(maxRaw)}`);
  }
  const start = Number(marker);
  if (!/^[0-9]{1,9}$/.test(marker)) {
    throw bad(`Marker: expected a marker from a previous page, got ${JSON.stringify(marker)}`);
  }
  const next = start + max < items.length ? String(start + max) : undefined;
  return { items: items.slice(start, start + max), next };
}

function sendLambdaError(
  reply: FastifyReply,
  code: string,
  status: number,
  message: string,
): FastifyReply {
  const known = (LAMBDA_ERRORS as Record<string, { messageKey: string } | undefined>)[code];
  return reply
    .code(status)
    .header('x-amzn-errortype', code)
    .header('content-type', 'application/json')
    .send(
      JSON.stringify({
        Type: status >= 500 ? 'Service' : 'User',
        [known?.messageKey ?? 'message']: message,
      }),
    );
}

/**
 * The error handler of the Lambda REST context: Lambda renders body and signature failures in its
 * own style; only bugs stay 5xx.
 */
export function lambdaErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof LambdaServiceError) {
    return sendLambdaError(reply, error.code, error.statusCode, error.message);
  }
  const wire = toWireError(error);
  if (wire.fault === 'server')
    request.log.error({ err: error }, 'unexpected error in Lambda route');
  const code: string =
    wire.awsCode === 'SerializationException'
      ? 'InvalidRequestContentException'
      : wire.statusCode === 413
        ? 'RequestTooLargeException'
        : wire.awsCode;
  return sendLambdaError(reply, code, wire.statusCode, wire.message);
}
