import { randomUUID } from 'node:crypto';
import { FunctionUrlResponseError } from './errors.js';
import { REGION } from './functionRef.js';

/**
 * Lambda Function URL payload format 2.0: HTTP request → event, function result → HTTP response.
 * See https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html.
 */

/**
 * The path segment after `/lambda-url/` that names a function. On AWS the URL's host carries a
 * random id and the region (`<id>.lambda-url.<region>.on.aws`); here one origin serves every
 * region and account, so the segment says them: `<name>` for the default account in the
 * configured region (the short form tools and docs use), `<name>.<region>.<accountId>` for any
 * function. Function names cannot contain `.`, so the two forms never collide.
 */
export function functionUrlPath(
  fn: { name: string; accountId: string; region: string },
  defaults: { accountId: string; region: string },
): string {
  return fn.accountId === defaults.accountId && fn.region === defaults.region
    ? fn.name
    : `${fn.name}.${fn.region}.${fn.accountId}`;
}

/** The function a `functionUrlPath` segment names, as an ARN, or undefined for another text. */
export function parseFunctionUrlPath(
  segment: string,
  defaults: { accountId: string; region: string },
): string | undefined {
  const m = /^([a-zA-Z0-9_-]{1,64})(?:\.([a-z0-9-]{1,32})\.(\d{12}))?$/.exec(segment);
  if (m === null) return undefined;
  const region = m[2] ?? defaults.region;
  if (!REGION.test(region)) return undefined;
  return `arn:aws:lambda:${region}:${m[3] ?? defaults.accountId}:function:${m[1]}`;
}

export interface HttpRequestLike {
  method: string;
  /** Path after `/lambda-url/<name>`, starting with `/`. */
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
}

export interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json\b/,
  /^application\/(.+\+)?xml\b/,
  /^application\/javascript\b/,
  /^application\/x-www-form-urlencoded\b/,
];

function isText(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.toLowerCase();
  return TEXT_TYPES.some((re) => re.test(t));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the requestContext.time format. */
function clfTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function buildFunctionUrlEvent(
  req: HttpRequestLike,
  urlId: string,
  accountId: string,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(',') : value;
    if (key === 'cookie') {
      cookies = joined
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      continue;
    }
    headers[key] = joined;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.rawQueryString)) {
    query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  }
  const now = new Date();
  const hasBody = req.body.length > 0;
  const text = isText(headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId,
      apiId: urlId,
      domainName: headers.host ?? `${urlId}.lambda-url.local`,
      domainPrefix: urlId,
      http: {
        method: req.method,
        path: req.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: text ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/**
 * Maps the function's result back to HTTP. An object with `statusCode` is a full response;
 * anything else valid JSON is returned as a 200 `application/json` body, as Lambda infers it.
 */
export function mapFunctionUrlResult(payload: string): HttpResponseLike {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new FunctionUrlResponseError('function result is not JSON');
  }
  if (typeof value !== 'object' || value === null || !('statusCode' in value)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(typeof value === 'string' ? value : payload, 'utf8'),
    };
  }
  const r = value as {
    statusCode?: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const status = Number(r.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new FunctionUrlResponseError(
      `statusCode: expected an HTTP status, got ${String(r.statusCode)}`,
    );
  }
  const headers: Record<string, string> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) {
      throw new FunctionUrlResponseError('headers: expected an object');
    }
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  }
  const cookies = Array.isArray(r.cookies) ? r.cookies.map(String) : [];
  let body: Buffer;
  if (r.body === undefined || r.body === null) body = Buffer.alloc(0);
  else if (typeof r.body === 'string') {
    body = r.isBase64Encoded === true ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  } else body = Buffer.from(JSON.stringify(r.body), 'utf8');
  if (headers['content-type'] === undefined && body.length > 0) {
    headers['content-type'] = 'application/json';
  }
  return { statusCode: status, headers, cookies, body };
}
