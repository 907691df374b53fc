/**
 * restJson1 errors in both directions: a client turns an error response into the generated
 * exception class; a server turns an exception into status, headers and body.
 */
import { ERROR_CLASSES } from './generated/errors.js';
import { ERROR_SHAPES } from './generated/operations.js';
import { ServiceException } from './service-exception.js';

type HeaderBag =
  | Headers
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

/**
 * restJson1 error-type sanitising: `aws.protocoltests#FooError:http://…` → `FooError`. The type
 * may carry a `:`-suffix (URL) and a `namespace#` prefix.
 */
export function sanitizeErrorType(raw: string): string {
  let name = raw;
  const colon = name.indexOf(':');
  if (colon >= 0) name = name.slice(0, colon);
  const hash = name.indexOf('#');
  if (hash >= 0) name = name.slice(hash + 1);
  return name.trim();
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    if (body.trim() === '') return {};
    try {
      const parsed = JSON.parse(body) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  if (body instanceof Uint8Array) return parseBody(new TextDecoder().decode(body));
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/**
 * Builds the exception for an error response. The error type comes from `X-Amzn-ErrorType`, else
 * the body's `__type` or `code`; a modelled name gives its generated class, anything else a plain
 * `ServiceException` named after the type (or `UnknownError`). Never throws.
 */
export function serviceExceptionFromResponse(
  status: number,
  headers: HeaderBag | undefined,
  body: unknown,
): ServiceException {
  const json = parseBody(body);
  const rawType =
    header(headers, 'x-amzn-errortype') ??
    (typeof json.__type === 'string' ? json.__type : undefined) ??
    (typeof json.code === 'string' ? json.code : undefined) ??
    '';
  const name = sanitizeErrorType(rawType);
  const messageValue = json.Message ?? json.message;
  const message = typeof messageValue === 'string' ? messageValue : '';
  const requestId = header(headers, 'x-amzn-requestid');
  if (Object.hasOwn(ERROR_CLASSES, name)) {
    const Ctor = ERROR_CLASSES[name as keyof typeof ERROR_CLASSES];
    const members: Record<string, string | undefined> = {};
    for (const m of ERROR_SHAPES[name as keyof typeof ERROR_SHAPES].members) {
      const v = json[m];
      if (typeof v === 'string') members[m] = v;
    }
    // The error type names the class (and its modelled status); the received status is advisory.
    return new Ctor(message, members, { requestId });
  }
  return new ServiceException(
    { name: name === '' ? 'UnknownError' : name, message, statusCode: status },
    { requestId },
  );
}

/** An error response ready to send: status, headers (with `X-Amzn-ErrorType`) and JSON body. */
export interface ErrorResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Serialises an exception as a restJson1 error response (server side). Anything that is not a
 * `ServiceException` becomes an `InternalServerException` with a generic message, so internals
 * never leak to callers.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ServiceException) {
    return {
      statusCode: error.statusCode,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.name },
      body: error.toJSON(),
    };
  }
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' },
    body: { Message: 'Internal server error' },
  };
}
