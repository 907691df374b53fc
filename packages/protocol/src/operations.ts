/**
 * Operation-level entry points over the generated tables: validate by operation name, route an
 * HTTP request to its operation, and move members between an operation input and its restJson1
 * HTTP form (path labels, query string, headers, JSON body) in both directions.
 */
import type { OperationBinding } from './bindings.js';
import { OPERATIONS } from './generated/operations.js';
import type { OperationName, OperationShapes } from './generated/types.js';
import { OPERATION_VALIDATORS } from './generated/validators.js';
import { validateSendConnectorEventRequest } from './normalize.js';
import type { Result, ValidationIssue } from './result.js';
import { queryString, serializeRequest } from './serialize.js';
import { onFirstUse } from './validate-runtime.js';

// Tables derived from OPERATIONS are built on first use, not at import: module-level calls would
// keep every operation's binding in a bundle that only needs a few, and cost a cold start.
const operationNameList = /* @__PURE__ */ onFirstUse(
  () => Object.keys(OPERATIONS) as OperationName[],
);

/** True when `name` is one of the generated operations. */
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

function unknownOperation(name: unknown): Result<never> {
  return {
    ok: false,
    issues: [
      {
        path: '',
        message: `unknown operation (expected one of ${operationNameList().join(', ')})`,
        received: name,
      },
    ],
  };
}

/**
 * Validates the input of operation `name` (every member: labels, query, headers and body).
 * SendConnectorEvent input is normalised first (`attributes` array form → map form).
 */
export function validateOperationInput<K extends OperationName>(
  name: K,
  value: unknown,
): Result<OperationShapes[K]['input']>;
export function validateOperationInput(name: string, value: unknown): Result<unknown>;
export function validateOperationInput(name: string, value: unknown): Result<unknown> {
  if (!isOperationName(name)) return unknownOperation(name);
  if (name === 'SendConnectorEvent') return validateSendConnectorEventRequest(value);
  return OPERATION_VALIDATORS[name].input(value);
}

/** Validates the output (response body) of operation `name`. */
export function validateOperationOutput<K extends OperationName>(
  name: K,
  value: unknown,
): Result<OperationShapes[K]['output']>;
export function validateOperationOutput(name: string, value: unknown): Result<unknown>;
export function validateOperationOutput(name: string, value: unknown): Result<unknown> {
  if (!isOperationName(name)) return unknownOperation(name);
  return OPERATION_VALIDATORS[name].output(value);
}

// ---------------------------------------------------------------------------------------------
// Routing

interface Route {
  readonly name: OperationName;
  readonly method: string;
  readonly pattern: RegExp;
  readonly labels: readonly string[];
  readonly literalLength: number;
}

const routeTable = /* @__PURE__ */ onFirstUse((): readonly Route[] =>
  operationNameList()
    .map((name) => {
      const op: OperationBinding = OPERATIONS[name];
      const labels: string[] = [];
      const source = op.uri
        .split('/')
        .map((segment) => {
          const m = /^\{([^}]+)\}$/.exec(segment);
          if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          labels.push(m[1] as string);
          return '([^/]+)';
        })
        .join('/');
      return {
        name,
        method: op.method,
        pattern: new RegExp(`^${source}$`),
        labels,
        literalLength: op.uri.replace(/\{[^}]+\}/g, '').length,
      };
      // More literal characters first, so `/cloud-connectors/x` never shadows a longer literal route.
    })
    .sort((a, b) => b.literalLength - a.literalLength),
);

/** A matched route: the operation and its decoded path labels. */
export interface RouteMatch {
  readonly name: OperationName;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Finds the operation for an HTTP method and path (without query string). Returns undefined for
 * an unknown route; a path label that is not valid percent-encoding is kept as sent.
 */
export function matchOperation(method: string, path: string): RouteMatch | undefined {
  const upper = method.toUpperCase();
  for (const route of routeTable()) {
    if (route.method !== upper) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.labels.forEach((label, i) => {
      const raw = m[i + 1] ?? '';
      try {
        params[label] = decodeURIComponent(raw);
      } catch {
        params[label] = raw;
      }
    });
    return { name: route.name, params };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Input ↔ HTTP

/** restJson1 request parts of an operation input, ready for any HTTP client. */
export interface HttpRequestParts {
  readonly method: string;
  /** Path with labels substituted and percent-encoded, plus `?query` when there is one. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body text, or undefined when the operation has no body members set. */
  readonly body: string | undefined;
}

/**
 * `serializeRequest` by operation name, as one URL path and a header set with the JSON body's
 * content type. Does not validate; call `validateOperationInput` first. (It reads the whole
 * `OPERATIONS` table: code that sends a few operations passes their `…Binding` constants to
 * `serializeRequest` instead.)
 */
export function toHttpRequest<K extends OperationName>(
  name: K,
  input: OperationShapes[K]['input'],
): HttpRequestParts {
  const parts = serializeRequest(OPERATIONS[name], input as object);
  const headers =
    parts.body === undefined
      ? parts.headers
      : { ...parts.headers, 'content-type': 'application/json' };
  return {
    method: parts.method,
    path: parts.path + queryString(parts.query),
    headers,
    body: parts.body,
  };
}

/** What a server received, already split: path labels, query string, headers, parsed body. */
export interface HttpRequestInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Parsed JSON body (undefined for no body). */
  readonly body?: unknown;
}

function coerce(type: string, raw: string): unknown {
  // Query strings are text; numbers and booleans are coerced only when they parse cleanly, so the
  // validator reports the original text otherwise.
  if (type === 'integer' || type === 'long') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (type === 'double')
    return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/**
 * Assembles and validates an operation input from its HTTP parts (server side). Body members
 * come only from the body; unknown body keys are ignored, as restJson1 servers do.
 */
// Members bound to the path, query or headers, per operation: built once, not per request.
const boundByOperation = new Map<string, ReadonlySet<string>>();
function boundMembers(name: string, op: OperationBinding): ReadonlySet<string> {
  let bound = boundByOperation.get(name);
  if (bound === undefined) {
    bound = new Set([...op.pathMembers, ...op.queryMembers, ...op.headerMembers]);
    boundByOperation.set(name, bound);
  }
  return bound;
}

export function fromHttpRequest<K extends OperationName>(
  name: K,
  request: HttpRequestInput,
): Result<OperationShapes[K]['input']> {
  const op: OperationBinding = OPERATIONS[name];
  const input: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const label of op.pathMembers) {
    const v = request.params[label];
    if (v !== undefined) input[label] = v;
  }
  for (const q of op.queryBindings) {
    const raw = request.query?.[q.name];
    if (raw === undefined) continue;
    const list = typeof raw === 'string' ? [raw] : [...raw];
    input[q.member] = q.type === 'list' ? list : coerce(q.type, list[list.length - 1] ?? '');
  }
  if (request.headers) {
    const lower: Record<string, string | readonly string[] | undefined> = {};
    for (const [k, v] of Object.entries(request.headers)) lower[k.toLowerCase()] = v;
    for (const h of op.headerBindings) {
      const raw = lower[h.name.toLowerCase()];
      if (raw !== undefined)
        input[h.member] = coerce(h.type, typeof raw === 'string' ? raw : raw.join(','));
    }
  }
  const body = request.body;
  if (body !== undefined && body !== null && op.bodyMembers.length > 0) {
    if (typeof body !== 'object' || Array.isArray(body)) {
      issues.push({ path: '', message: 'expected a JSON object body', received: body });
    } else {
      // Unknown keys are copied too (validators ignore them) so that a near miss such as
      // `operation` for `Operation` is named in the "required" issue.
      const bound = boundMembers(name, op);
      const b = body as Record<string, unknown>;
      for (const k in b) if (!bound.has(k) && b[k] !== undefined) input[k] = b[k];
    }
  }
  const result = validateOperationInput(name, input);
  if (issues.length === 0) return result;
  return { ok: false, issues: result.ok ? issues : [...issues, ...result.issues] };
}
