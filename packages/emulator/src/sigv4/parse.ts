import { SignatureError } from '../errors.js';
import { ALGORITHM, SIGNATURE_HEX, safeDecode } from './canonical.js';

// Reading the SigV4 parts of a request (Authorization header or presigned query) without
// verifying them: the verifier checks what these return.

export interface ParsedAuth {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly fromQuery: boolean;
  readonly amzDate?: string;
  readonly expiresSeconds?: number;
  readonly securityToken?: string;
}

export function invalidToken(): SignatureError {
  return new SignatureError(
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  );
}

export function parseAuthorizationHeader(value: string): ParsedAuth {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `Unsupported Authorization algorithm: expected '${ALGORITHM}', got '${algorithm.slice(0, 40)}'.`,
    );
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const part of trimmed.slice(space + 1).split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const key = item.slice(0, eq);
    const val = item.slice(eq + 1);
    if (key === 'Credential') credential = val;
    else if (key === 'SignedHeaders') signedHeaders = val;
    else if (key === 'Signature') signature = val;
  }
  return checkAuthParts(credential, signedHeaders, signature, 'Authorization header', false);
}

export function parseQueryAuth(query: string): ParsedAuth {
  if (query === '' || !query.includes('X-Amz-')) {
    throw new SignatureError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    if (key.startsWith('X-Amz-')) params.set(key, safeDecode(eq === -1 ? '' : pair.slice(eq + 1)));
  }
  const algorithm = params.get('X-Amz-Algorithm');
  if (algorithm === undefined && !params.has('X-Amz-Signature')) {
    throw new SignatureError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  if (algorithm !== ALGORITHM) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `X-Amz-Algorithm: expected '${ALGORITHM}', got '${String(algorithm).slice(0, 40)}'.`,
    );
  }
  const base = checkAuthParts(
    params.get('X-Amz-Credential'),
    params.get('X-Amz-SignedHeaders'),
    params.get('X-Amz-Signature'),
    'query string',
    true,
  );
  const amzDate = params.get('X-Amz-Date');
  if (amzDate === undefined) {
    throw new SignatureError(
      'IncompleteSignatureException',
      "AWS query-string parameters must include 'X-Amz-Date'.",
    );
  }
  const expires = params.get('X-Amz-Expires');
  const expiresSeconds = expires === undefined ? undefined : Number(expires);
  if (expiresSeconds !== undefined && !(Number.isInteger(expiresSeconds) && expiresSeconds >= 0)) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `X-Amz-Expires must be a non-negative integer number of seconds, got '${String(expires).slice(0, 20)}'.`,
    );
  }
  const securityToken = params.get('X-Amz-Security-Token');
  return {
    ...base,
    amzDate,
    expiresSeconds,
    ...(securityToken !== undefined ? { securityToken } : {}),
  };
}

export function checkAuthParts(
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  where: string,
  fromQuery: boolean,
): ParsedAuth {
  const missing: string[] = [];
  if (credential === undefined || credential === '') missing.push('Credential');
  if (signedHeaders === undefined || signedHeaders === '') missing.push('SignedHeaders');
  if (signature === undefined || signature === '') missing.push('Signature');
  if (missing.length > 0) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `${where} requires ${missing.map((m) => `'${m}'`).join(', ')} parameter${missing.length > 1 ? 's' : ''}.`,
    );
  }
  if (!SIGNATURE_HEX.test(signature as string)) {
    // Shape errors are still signature mismatches for AWS; never echo the signature itself.
    throw new SignatureError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Signature must be 64 lowercase hex characters.',
    );
  }
  return {
    credential: credential as string,
    signedHeaders: signedHeaders as string,
    signature: signature as string,
    fromQuery,
  };
}

/**
 * The service name from a request's SigV4 credential scope, without verifying anything
 * (routing needs it before the body has arrived). `undefined` when the request is unsigned.
 */
export function credentialScopeService(
  authorization: string | undefined,
  url: string,
): string | undefined {
  let credential: string | undefined;
  if (authorization !== undefined) {
    const at = authorization.indexOf('Credential=');
    if (at === -1) return undefined;
    const end = authorization.indexOf(',', at);
    credential = authorization.slice(at + 11, end === -1 ? undefined : end);
  } else {
    const at = url.indexOf('X-Amz-Credential=');
    if (at === -1) return undefined;
    const end = url.indexOf('&', at);
    credential = safeDecode(url.slice(at + 17, end === -1 ? undefined : end));
  }
  // Fourth of exactly five '/'-separated parts (runs for every request in routing, so no split).
  const scope = credential.trim();
  const a = scope.indexOf('/');
  const b = a === -1 ? -1 : scope.indexOf('/', a + 1);
  const c = b === -1 ? -1 : scope.indexOf('/', b + 1);
  const d = c === -1 ? -1 : scope.indexOf('/', c + 1);
  if (d === -1 || scope.indexOf('/', d + 1) !== -1) return undefined;
  return scope.slice(c + 1, d);
}

/** The access key and scope from an Authorization header, unverified (for `--no-verify`). */
export function unverifiedScope(
  authorization: string,
): { accessKeyId: string; region: string; service: string } | undefined {
  const at = authorization.indexOf('Credential=');
  if (at === -1) return undefined;
  const end = authorization.indexOf(',', at);
  const parts = authorization
    .slice(at + 11, end === -1 ? undefined : end)
    .trim()
    .split('/');
  if (parts.length !== 5) return undefined;
  return {
    accessKeyId: parts[0] as string,
    region: parts[2] as string,
    service: parts[3] as string,
  };
}
