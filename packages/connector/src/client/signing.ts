import { nodeCrypto } from '../util/crypto.js';
import { NodeSha256 } from '../util/sha256.js';
import type { Credentials, CredentialsProvider } from './credentials.js';

/** A request to sign: `path` as sent (labels already percent-encoded once), query decoded. */
export interface SignableRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type RequestSigner = (
  request: SignableRequest,
  signingDate?: Date,
) => Promise<Record<string, string>>;

type SmithyModule = typeof import('@smithy/signature-v4');

/**
 * `SignatureV4Base`'s canonicalisation steps. Its types mark them protected (they are plain
 * methods at run time); the equivalence test against `sign()` catches any change in them.
 */
interface Canonicaliser {
  getCanonicalPath(request: { path: string }): string;
  formatDate(now: Date): { longDate: string; shortDate: string };
  createCanonicalRequest(request: object, canonicalHeaders: object, payloadHash: string): string;
  getCanonicalHeaderList(headers: object): string;
}

/** The parts of smithy's signer the hot path uses, loaded together on the first signature. */
interface Smithy {
  readonly signer: Canonicaliser;
  readonly module: SmithyModule;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Signing keys kept (one per credentials × day × region × service; a day rolls over once). */
const MAX_KEYS = 8;

/**
 * SigV4 header signing on `@smithy/signature-v4`, configured as the AWS SDK configures it for a
 * restJson1 service: the path escaped again (`uriEscapePath`), the payload hash sent and signed as
 * `x-amz-content-sha256` (`applyChecksum`, so a swapped body is rejected).
 *
 * Every canonicalisation step is smithy's own — `prepareRequest`'s generated-header rule,
 * `getCanonicalHeaders`, `createCanonicalRequest` (with `getCanonicalPath`/`getCanonicalQuery`),
 * `formatDate`, `createScope`, `getSigningKey` — so the signature is byte-for-byte the one
 * `SignatureV4.sign()` returns (a property test compares them on random requests). What this file
 * does differently is only the plumbing around them: `sign()` costs ~50 µs per request on a small
 * VM, most of it not SigV4 but per-call overhead — a deep clone of the request, an HMAC of the
 * secret just to build the signing-key cache key, and five awaited `Checksum` objects. Here the
 * signing key is derived by smithy once per day and credentials (then cached), and the two
 * per-request digests (canonical request hash, signature HMAC) plus the payload hash are
 * synchronous node:crypto one-shots: ~15 µs per request.
 *
 * The signer module is imported on the first signature, not at import: an invocation that only
 * ACKs (discovery, commands) never evaluates it (~1.6 ms of a cold start, measured bundled).
 */
export function createRequestSigner(options: {
  readonly region: string;
  readonly credentials: CredentialsProvider;
  /** Signing name. Default `iotmanagedintegrations`. */
  readonly service?: string;
  /** Default true. */
  readonly applyChecksum?: boolean;
}): RequestSigner {
  const applyChecksum = options.applyChecksum ?? true;
  const service = options.service ?? 'iotmanagedintegrations';
  const region = options.region;
  let loading: Promise<Smithy> | undefined;
  // Once loaded, later signatures skip the await on the import.
  let smithy: Smithy | undefined;
  const load = () =>
    import('@smithy/signature-v4').then((module) => {
      const signer = new module.SignatureV4({
        service,
        region,
        credentials: options.credentials,
        sha256: NodeSha256,
        applyChecksum,
        uriEscapePath: true,
      }) as unknown as Canonicaliser;
      // A connector sends to a handful of paths (one per connector id): smithy's canonical path
      // (normalise, escape every segment again) is computed once per path.
      const canonicalPath = signer.getCanonicalPath.bind(signer);
      const paths = new Map<string, string>();
      signer.getCanonicalPath = (request) => {
        let path = paths.get(request.path);
        if (path === undefined) {
          path = canonicalPath(request);
          if (paths.size >= 256) paths.clear();
          paths.set(request.path, path);
        }
        return path;
      };
      smithy = { module, signer };
      return smithy;
    });

  // Signing keys by credentials + day (smithy derives them; four HMACs each).
  const keys = new Map<string, Buffer>();
  const keyId = (credentials: Credentials, shortDate: string) =>
    `${shortDate}\n${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken ?? ''}`;
  const deriveKey = async (s: Smithy, credentials: Credentials, shortDate: string, id: string) => {
    const key = Buffer.from(
      await s.module.getSigningKey(NodeSha256, credentials, shortDate, region, service),
    );
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(id, key);
    return key;
  };

  // formatDate (an ISO string and two regex passes) only changes once a second.
  let dateSecond = Number.NaN;
  let dates = { longDate: '', shortDate: '' };

  const sign = async (
    s: Smithy,
    request: SignableRequest,
    signingDate: Date,
  ): Promise<Record<string, string>> => {
    const { module, signer } = s;
    const credentials = await options.credentials();
    validateCredentials(credentials);
    const second = Math.floor(signingDate.getTime() / 1000);
    if (second !== dateSecond) {
      dates = signer.formatDate(signingDate);
      dateSecond = second;
    }
    const { longDate, shortDate } = dates;
    const id = keyId(credentials, shortDate);
    const key = keys.get(id) ?? (await deriveKey(s, credentials, shortDate, id));
    const crypto = nodeCrypto();

    // The headers smithy would sign and return: the input's minus the ones a signature
    // generates (prepareRequest), plus x-amz-date, the session token and the payload hash.
    const headers: Record<string, string> = {};
    let payloadHash: string | undefined;
    for (const name in request.headers) {
      const lower = name.toLowerCase();
      if (module.GENERATED_HEADERS.includes(lower)) continue;
      const value = request.headers[name] as string;
      headers[name] = value;
      if (lower === module.SHA256_HEADER) payloadHash = value;
    }
    headers[module.AMZ_DATE_HEADER] = longDate;
    if (credentials.sessionToken) headers[module.TOKEN_HEADER] = credentials.sessionToken;
    if (payloadHash === undefined) {
      payloadHash =
        request.body === undefined ? EMPTY_SHA256 : crypto.hash('sha256', request.body, 'hex');
      if (applyChecksum) headers[module.SHA256_HEADER] = payloadHash;
    }

    const canonicalHeaders = module.getCanonicalHeaders({ headers } as never);
    const canonicalRequest = signer.createCanonicalRequest(
      { method: request.method, path: request.path, query: request.query, headers },
      canonicalHeaders,
      payloadHash,
    );
    const scope = module.createScope(shortDate, region, service);
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${crypto.hash('sha256', canonicalRequest, 'hex')}`;
    const signature = crypto.createHmac('sha256', key).update(stringToSign).digest('hex');
    headers[module.AUTH_HEADER] =
      `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signer.getCanonicalHeaderList(canonicalHeaders)}, Signature=${signature}`;
    return headers;
  };

  return (request, signingDate = new Date()) => {
    if (smithy !== undefined) return sign(smithy, request, signingDate);
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // a failed load is retried by the next call, not cached
      throw error;
    });
    return loading.then((s) => sign(s, request, signingDate));
  };
}

/** SHA-256 of the empty string (a request without a body). */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** smithy's check, with its message: credentials must carry a key id and a secret. */
function validateCredentials(credentials: Credentials): void {
  if (
    typeof credentials !== 'object' ||
    credentials === null ||
    typeof credentials.accessKeyId !== 'string' ||
    typeof credentials.secretAccessKey !== 'string'
  ) {
    throw new Error('Resolved credential object is not valid');
  }
}
