import { createHmac, hash } from 'node:crypto';
import { HmacSha256 } from '@c2c-kit/protocol';
import type { EmulatorCredential } from '../config.js';
import { SignatureError } from '../errors.js';
import { type SessionCredential, sameToken } from '../services/sts/SessionStore.js';
import {
  ALGORITHM,
  canonicalHeaderValue,
  canonicalQuery,
  collectHeaders,
  escapeUri,
  formatAmzDate,
  joined,
  parseAmzDate,
  SIGNATURE_HEX,
  safeDecode,
} from './canonical.js';
import {
  invalidToken,
  type ParsedAuth,
  parseAuthorizationHeader,
  parseQueryAuth,
} from './parse.js';

/**
 * A request as the verifier sees it. `path` and `query` are exactly what the signer signed — for a
 * request received over HTTP that is the wire path and raw query string (the SDK signs the path it
 * sends), for the aws-c-auth test suite it is the request-line text.
 */
export interface SignedRequestInput {
  readonly method: string;
  readonly path: string;
  /** Raw query string without the leading `?` (`''` when none). */
  readonly query: string;
  /** Node's `rawHeaders` layout: `[name, value, name, value, …]`, duplicates kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer | undefined;
}

/** Who signed a verified request, and for which scope. */
export interface AwsRequestIdentity {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly region: string;
  readonly service: string;
}

export interface SigV4VerifierOptions {
  readonly credentials: readonly EmulatorCredential[];
  /**
   * Temporary credentials the emulator issued (`ASIA…` keys): a request signed with one must carry
   * its session token (`X-Amz-Security-Token`) and be made before it expires.
   */
  readonly sessions?: { find(accessKeyId: string): SessionCredential | undefined };
  /** Allowed difference between the signing time and now; AWS allows 5 minutes. */
  readonly maxClockSkewMs?: number;
  /** Non-S3 path rules (dot-segment removal, empty segments dropped, path encoded again). */
  readonly normalizePath?: boolean;
  /** Clock, injectable so fixed-date test vectors can be verified. */
  readonly now?: () => number;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNING_KEY_CACHE_LIMIT = 256;
/** Parsed Authorization prefixes kept (one per client credential scope and signed-header set). */
const AUTH_PREFIX_CACHE_LIMIT = 256;
const SIGNATURE_FIELD = 'Signature=';

function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

/** Compares two equal-length lower-case hex strings in time independent of where they differ. */
function hexEquals(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Everything a request's Authorization text minus its signature determines: the checked credential
 * scope, the signed-header list and the signing key. SDK clients send the same prefix for every
 * request of a day, so it is parsed and checked once and then looked up by its exact text.
 */
interface AuthScope {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeadersText: string;
  readonly signedHeaders: readonly string[];
  /** `<date>/<region>/<service>/aws4_request\n`, the credential-scope line of the string to sign. */
  readonly scopeLine: string;
  readonly signing: HmacSha256;
  /** Set when the key is a temporary one: its token and expiry are checked on every request. */
  readonly session: SessionCredential | undefined;
}
// Paths made only of unreserved characters with no empty or dot segments canonicalise to themselves;
// checking this first skips split/encode for nearly every SDK request.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-_~][A-Za-z0-9\-._~]*)*\/?$/;

/**
 * Lean, strict SigV4 verifier (node:crypto only). Canonicalisation follows `@smithy/signature-v4`
 * so anything that SDK signs verifies; the body is always hashed here, never taken from the header.
 */
export class SigV4Verifier {
  readonly #secrets = new Map<string, EmulatorCredential>();
  readonly #sessions: SigV4VerifierOptions['sessions'];
  readonly #signingKeys = new Map<string, HmacSha256>();
  readonly #authPrefixes = new Map<string, AuthScope>();
  readonly #maxSkewMs: number;
  readonly #normalizePath: boolean;
  readonly #now: () => number;
  // Last canonicalised path (clients post to the same path over and over).
  #lastPath = '';
  #lastCanonicalPath = '/';

  constructor(options: SigV4VerifierOptions) {
    for (const credential of options.credentials) {
      this.#secrets.set(credential.accessKeyId, credential);
    }
    this.#sessions = options.sessions;
    this.#maxSkewMs = options.maxClockSkewMs ?? 5 * 60_000;
    this.#normalizePath = options.normalizePath ?? true;
    this.#now = options.now ?? Date.now;
  }

  /** Verifies the request; throws a `SignatureError` carrying the AWS error for the failure. */
  verify(request: SignedRequestInput): AwsRequestIdentity {
    const headers = collectHeaders(request.rawHeaders);
    const authorization = headers.get('authorization');
    let scope: AuthScope;
    let signature: string;
    let fromQuery = false;
    let queryDate: string | undefined;
    let expiresSeconds: number | undefined;
    let token: string | undefined;
    if (authorization !== undefined) {
      const text = joined(authorization);
      // Fast path: a prefix (everything before the 64 signature hex digits) parsed and checked
      // before. Only prefixes that passed every check below are ever cached.
      const cut = text.length - 64;
      const cached =
        cut > SIGNATURE_FIELD.length &&
        text.startsWith(SIGNATURE_FIELD, cut - SIGNATURE_FIELD.length)
          ? this.#authPrefixes.get(text.slice(0, cut))
          : undefined;
      if (cached !== undefined && SIGNATURE_HEX.test(text.slice(cut))) {
        scope = cached;
        signature = text.slice(cut);
      } else {
        const auth = parseAuthorizationHeader(text);
        scope = this.#scopeOf(auth);
        signature = auth.signature;
        if (
          // Cache only when the signature is the last comma-separated item: then any text with
          // this prefix and another 64-hex suffix parses to the same scope and that suffix.
          text.slice(text.lastIndexOf(',') + 1).trim() === SIGNATURE_FIELD + signature &&
          text.endsWith(signature)
        ) {
          if (this.#authPrefixes.size >= AUTH_PREFIX_CACHE_LIMIT) this.#authPrefixes.clear();
          this.#authPrefixes.set(text.slice(0, cut), scope);
        }
      }
    } else {
      const auth = parseQueryAuth(request.query);
      scope = this.#scopeOf(auth);
      signature = auth.signature;
      fromQuery = true;
      queryDate = auth.amzDate;
      expiresSeconds = auth.expiresSeconds;
      token = auth.securityToken;
    }
    const { scopeDate, region, service, signedHeaders } = scope;
    if (!fromQuery) {
      const values = headers.get('x-amz-security-token');
      token = values === undefined ? undefined : joined(values).trim();
    }
    this.#checkSessionToken(scope.session, token);

    let amzDate: string;
    if (fromQuery) {
      amzDate = queryDate ?? '';
    } else {
      const dateValues = headers.get('x-amz-date');
      if (dateValues === undefined) {
        throw new SignatureError(
          'IncompleteSignatureException',
          "Authorization header requires existence of a 'X-Amz-Date' header.",
        );
      }
      if (!signedHeaders.includes('x-amz-date')) {
        throw new SignatureError(
          'IncompleteSignatureException',
          "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
        );
      }
      amzDate = joined(dateValues).trim();
    }
    const signedAt = parseAmzDate(amzDate);
    if (scopeDate !== amzDate.slice(0, 8)) {
      throw new SignatureError(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    const now = this.#now();
    if (now - signedAt > this.#maxSkewMs) {
      throw new SignatureError(
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - this.#maxSkewMs)} (${formatAmzDate(now)} - 5 min.)`,
      );
    }
    if (signedAt - now > this.#maxSkewMs) {
      throw new SignatureError(
        'InvalidSignatureException',
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + this.#maxSkewMs)} (${formatAmzDate(now)} + 5 min.)`,
      );
    }
    if (fromQuery && expiresSeconds !== undefined) {
      if (now > signedAt + expiresSeconds * 1000) {
        throw new SignatureError('InvalidSignatureException', 'Request has expired.');
      }
    }

    // Hash the body ourselves: trusting x-amz-content-sha256 would let a swapped body through.
    const body = request.body;
    const bodyHash = body === undefined || body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
    const declaredHash = headers.get('x-amz-content-sha256');
    if (declaredHash !== undefined && joined(declaredHash).trim() !== bodyHash) {
      throw new SignatureError(
        'InvalidSignatureException',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }

    let canonicalHeaders = '';
    for (const name of signedHeaders) {
      const values = headers.get(name);
      canonicalHeaders += `${name}:${values === undefined ? '' : canonicalHeaderValue(values)}\n`;
    }
    const prefix = `${request.method}\n${this.#canonicalPath(request.path)}\n`;
    const suffix = `\n${canonicalHeaders}\n${scope.signedHeadersText}\n${bodyHash}`;
    const head = `${ALGORITHM}\n${amzDate}\n${scope.scopeLine}`;
    const matches = (query: string): boolean =>
      hexEquals(scope.signing.hex(head, sha256Hex(prefix + query + suffix)), signature);
    // Presigned URLs may carry a session token appended after signing (IoT websocket style); AWS
    // accepts those, so a mismatch is retried once without the token parameter.
    const ok =
      matches(canonicalQuery(request.query, false)) ||
      (fromQuery &&
        request.query.includes('X-Amz-Security-Token=') &&
        matches(canonicalQuery(request.query, true)));
    if (!ok) {
      throw new SignatureError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return { accessKeyId: scope.accessKeyId, accountId: scope.accountId, region, service };
  }

  /**
   * A temporary key is good only with the token it was issued with and until it expires; a
   * long-term key takes no token. AWS answers both "no such token" cases alike.
   */
  #checkSessionToken(session: SessionCredential | undefined, token: string | undefined): void {
    if (session === undefined) {
      if (token !== undefined) throw invalidToken();
      return;
    }
    if (token === undefined || !sameToken(token, session.sessionToken)) throw invalidToken();
    if (this.#now() >= session.expiresAt) {
      throw new SignatureError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
      );
    }
  }

  /** Checks what the Authorization text (header or query) says apart from the signature. */
  #scopeOf(auth: ParsedAuth): AuthScope {
    const scope = auth.credential.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      throw new SignatureError(
        'IncompleteSignatureException',
        `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${redactKey(auth.credential)}'.`,
      );
    }
    const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string];
    let credential: EmulatorCredential;
    let session: SessionCredential | undefined;
    const longTerm = this.#secrets.get(accessKeyId);
    if (longTerm !== undefined) credential = longTerm;
    else {
      session = this.#sessions?.find(accessKeyId);
      if (session === undefined) throw invalidToken();
      credential = session;
    }
    const signedHeaders = auth.signedHeaders.split(';');
    if (!signedHeaders.includes('host')) {
      throw new SignatureError(
        'IncompleteSignatureException',
        "'Host' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }
    return {
      accessKeyId,
      accountId: credential.accountId,
      scopeDate,
      region,
      service,
      signedHeadersText: auth.signedHeaders,
      signedHeaders,
      scopeLine: `${scopeDate}/${region}/${service}/aws4_request\n`,
      signing: this.#signingKey(credential, scopeDate, region, service),
      session,
    };
  }

  #signingKey(
    credential: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'>,
    date: string,
    region: string,
    service: string,
  ): HmacSha256 {
    const cacheKey = `${credential.accessKeyId}\u0000${date}\u0000${region}\u0000${service}`;
    const cached = this.#signingKeys.get(cacheKey);
    if (cached !== undefined) return cached;
    let key = createHmac('sha256', `AWS4${credential.secretAccessKey}`).update(date).digest();
    key = createHmac('sha256', key).update(region).digest();
    key = createHmac('sha256', key).update(service).digest();
    key = createHmac('sha256', key).update('aws4_request').digest();
    const signing = new HmacSha256(key);
    // Dates roll and scopes are few: a full clear when the bound is hit keeps this simple and bounded.
    if (this.#signingKeys.size >= SIGNING_KEY_CACHE_LIMIT) this.#signingKeys.clear();
    this.#signingKeys.set(cacheKey, signing);
    return signing;
  }

  #canonicalPath(path: string): string {
    if (path === this.#lastPath) return this.#lastCanonicalPath;
    const canonical = this.#computeCanonicalPath(path);
    this.#lastPath = path;
    this.#lastCanonicalPath = canonical;
    return canonical;
  }

  #computeCanonicalPath(path: string): string {
    // S3 rules: no normalisation, each segment URI-encoded once. Decoding first makes the result
    // the same whether the caller passes the wire (encoded) path or the signer's raw path.
    if (!this.#normalizePath) {
      return path === ''
        ? '/'
        : path
            .split('/')
            .map((seg) => escapeUri(safeDecode(seg)))
            .join('/');
    }
    if (PLAIN_PATH.test(path)) return path === '' ? '/' : path;
    const segments: string[] = [];
    for (const segment of path.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') segments.pop();
      else segments.push(segment);
    }
    const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
    return escapeUri(normalized).replace(/%2F/g, '/');
  }
}

/** Shows an access key's first four characters only. */
function redactKey(credential: string): string {
  const slash = credential.indexOf('/');
  const key = slash === -1 ? credential : credential.slice(0, slash);
  return `${key.slice(0, 4)}****${slash === -1 ? '' : credential.slice(slash)}`.slice(0, 120);
}
