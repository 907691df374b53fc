import { HmacSha256, nodeCrypto } from '@c2c-kit/protocol';
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

/** `@smithy/signature-v4` as imported (tests hand in a changed copy). */
export type SmithyModule = typeof import('@smithy/signature-v4');

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
 * does differently is only the plumbing around them: most of `sign()`'s cost per request is not
 * SigV4 but per-call overhead — a deep clone of the request, an HMAC of the secret just to build
 * the signing-key cache key, and five awaited `Checksum` objects. Here the signing key is derived
 * by smithy once per day and credentials (then cached), the canonical request is canonicalised by
 * smithy once per distinct request with its date and payload hash left open (`Template`), and the
 * two per-request digests (canonical request hash, signature HMAC) plus the payload hash are
 * synchronous node:crypto one-shots (figures: docs/benchmarks/connector.md).
 *
 * Those steps are `SignatureV4Base`'s protected methods and the module's exported helpers, which
 * is why package.json pins the exact @smithy/signature-v4 version. Should a version lack any of
 * them, every request is signed by the public `SignatureV4.sign()` instead: slower, never wrong.
 *
 * The signer module is imported on the first signature, not at import: an invocation that only
 * ACKs (discovery, commands) never evaluates it.
 */
export function createRequestSigner(options: {
  readonly region: string;
  readonly credentials: CredentialsProvider;
  /** Signing name. Default `iotmanagedintegrations`. */
  readonly service?: string;
  /** Default true. */
  readonly applyChecksum?: boolean;
  /** Loads smithy's module. Default: `import('@smithy/signature-v4')`. */
  readonly load?: () => Promise<SmithyModule>;
}): RequestSigner {
  const applyChecksum = options.applyChecksum ?? true;
  const service = options.service ?? 'iotmanagedintegrations';
  const region = options.region;
  let loading: Promise<Smithy | RequestSigner> | undefined;
  // Once loaded, later signatures skip the await on the import.
  let smithy: Smithy | undefined;
  let fallback: RequestSigner | undefined;
  const load = () =>
    (options.load ?? (() => import('@smithy/signature-v4')))().then((module) => {
      const config = {
        service,
        region,
        credentials: options.credentials,
        sha256: NodeSha256,
        applyChecksum,
        uriEscapePath: true,
      };
      const signer = new module.SignatureV4(config) as unknown as Canonicaliser;
      if (!hasInternals(module, signer)) {
        fallback = publicSigner(new module.SignatureV4(config));
        return fallback;
      }
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
  const keys = new Map<string, HmacSha256>();
  const keyId = (credentials: Credentials, shortDate: string) =>
    `${shortDate}\n${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken ?? ''}`;
  const deriveKey = async (s: Smithy, credentials: Credentials, shortDate: string, id: string) => {
    const key = new HmacSha256(
      await s.module.getSigningKey(NodeSha256, credentials, shortDate, region, service),
    );
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(id, key);
    return key;
  };

  // formatDate (an ISO string and two regex passes) only changes once a second.
  let dateSecond = Number.NaN;
  let dates = { longDate: '', shortDate: '', scope: '' };

  // Canonical-request templates: see `buildTemplate`.
  const templates = new Map<string, Template>();

  const sign = async (
    s: Smithy,
    request: SignableRequest,
    signingDate: Date,
  ): Promise<Record<string, string>> => {
    const credentials = await options.credentials();
    validateCredentials(credentials);
    const second = Math.floor(signingDate.getTime() / 1000);
    if (second !== dateSecond) {
      const { longDate, shortDate } = s.signer.formatDate(signingDate);
      dates = { longDate, shortDate, scope: s.module.createScope(shortDate, region, service) };
      dateSecond = second;
    }
    const { longDate, shortDate, scope } = dates;
    const token = credentials.sessionToken;
    const id = keyId(credentials, shortDate);
    const key = keys.get(id) ?? (await deriveKey(s, credentials, shortDate, id));
    const crypto = nodeCrypto();

    const { method, path } = request;
    // Every part length-prefixed, so no two different requests share a key.
    let templateKey = `${method.length}:${method}${path.length}:${path}`;
    if (token) templateKey += `${token.length}:${token}`;
    else templateKey += '-';
    if (!isEmpty(request.query)) {
      const query = JSON.stringify(request.query);
      templateKey += `${query.length}:${query}`;
    }
    for (const name in request.headers) {
      const value = request.headers[name] as string;
      templateKey += `${name.length}:${name}${value.length}:${value}`;
    }
    let template = templates.get(templateKey);
    if (template === undefined) {
      template = buildTemplate(s, request, token, applyChecksum);
      if (templates.size >= MAX_TEMPLATES) templates.clear();
      templates.set(templateKey, template);
    }

    const payloadHash =
      template.givenPayloadHash ??
      (request.body === undefined ? EMPTY_SHA256 : crypto.hash('sha256', request.body, 'hex'));
    const { parts, slots } = template;
    let canonicalRequest: string;
    if (parts !== undefined) {
      canonicalRequest = parts[0] as string;
      for (let i = 0; i < slots.length; i++) {
        canonicalRequest += (slots[i] === DATE_SLOT ? longDate : payloadHash) + parts[i + 1];
      }
    } else {
      canonicalRequest = canonicalise(
        s,
        request,
        token,
        applyChecksum,
        longDate,
        payloadHash,
      ).canonicalRequest;
    }
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${crypto.hash('sha256', canonicalRequest, 'hex')}`;
    const signature = key.hex(stringToSign);

    const { module } = s;
    const headers: Record<string, string> = {};
    const kept = template.headers;
    for (let i = 0; i < kept.length; i += 2) headers[kept[i] as string] = kept[i + 1] as string;
    headers[module.AMZ_DATE_HEADER] = longDate;
    if (token) headers[module.TOKEN_HEADER] = token;
    if (template.sendsPayloadHash) headers[module.SHA256_HEADER] = payloadHash;
    headers[module.AUTH_HEADER] =
      `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${template.signedHeaders}, Signature=${signature}`;
    return headers;
  };

  return (request, signingDate = new Date()) => {
    if (smithy !== undefined) return sign(smithy, request, signingDate);
    if (fallback !== undefined) return fallback(request, signingDate);
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // a failed load is retried by the next call, not cached
      throw error;
    });
    return loading.then((s) =>
      typeof s === 'function' ? s(request, signingDate) : sign(s, request, signingDate),
    );
  };
}

/** Whether `module` and its signer have every internal the fast signer calls. */
function hasInternals(module: SmithyModule, signer: Canonicaliser): boolean {
  const methods = [
    signer.getCanonicalPath,
    signer.formatDate,
    signer.createCanonicalRequest,
    signer.getCanonicalHeaderList,
  ];
  const helpers = [module.getCanonicalHeaders, module.getSigningKey, module.createScope];
  const constants = [
    module.AMZ_DATE_HEADER,
    module.TOKEN_HEADER,
    module.SHA256_HEADER,
    module.AUTH_HEADER,
  ];
  return (
    [...methods, ...helpers].every((f) => typeof f === 'function') &&
    constants.every((c) => typeof c === 'string') &&
    Array.isArray(module.GENERATED_HEADERS)
  );
}

/** Signs with the public `SignatureV4.sign()` and returns the signed headers. */
function publicSigner(signer: InstanceType<SmithyModule['SignatureV4']>): RequestSigner {
  return async (request, signingDate = new Date()) => {
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: 'https:',
        hostname: request.hostname,
        path: request.path,
        query: request.query as Record<string, string | string[]>,
        headers: { ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
      },
      { signingDate },
    );
    return signed.headers;
  };
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

/** Canonical-request templates kept (one per method × path × query × headers × token). */
const MAX_TEMPLATES = 64;
/**
 * Stand-ins for the two values that change with every request. They pass smithy's header
 * canonicalisation unchanged (no whitespace, no upper case) and cannot occur in a request we
 * template (`buildTemplate` checks).
 */
const DATE_SLOT = '\uE000d\uE000';
const HASH_SLOT = '\uE000h\uE000';
const SLOTS = /(\uE000[dh]\uE000)/;
const STAND_IN = '\uE000';

/**
 * A request's canonical form with the date and payload hash left open. A connector sends the
 * same few requests over and over (one path per connector id, the same headers), and everything
 * in the canonical request except those two values is the same each time: it is computed once by
 * smithy (`getCanonicalHeaders`, `createCanonicalRequest`, `getCanonicalHeaderList`) with
 * stand-ins for them, and each signature only fills them in.
 */
interface Template {
  /**
   * The canonical request, split at the slots: parts[0] slots[0] parts[1] … (undefined: the
   * request cannot be templated, see `buildTemplate`).
   */
  readonly parts: readonly string[] | undefined;
  readonly slots: readonly string[];
  /** SignedHeaders. */
  readonly signedHeaders: string;
  /** The input headers the signed request keeps, as name, value, name, value … */
  readonly headers: readonly string[];
  /** The caller's own `x-amz-content-sha256`, which is then also the signed payload hash. */
  readonly givenPayloadHash: string | undefined;
  /** Whether the payload hash is added as `x-amz-content-sha256` (applyChecksum). */
  readonly sendsPayloadHash: boolean;
}

function buildTemplate(
  s: Smithy,
  request: SignableRequest,
  token: string | undefined,
  applyChecksum: boolean,
): Template {
  const c = canonicalise(s, request, token, applyChecksum, DATE_SLOT, HASH_SLOT);
  const pieces = c.canonicalRequest.split(SLOTS);
  const slots = pieces.filter((_, i) => i % 2 === 1);
  // The date header, the payload-hash header when sent, the payload hash line unless given.
  const expected = 1 + (c.sendsPayloadHash ? 1 : 0) + (c.givenPayloadHash === undefined ? 1 : 0);
  // A stand-in character inside the request itself (a header value, say) could be taken for a
  // slot: such a request is canonicalised afresh every time instead.
  const fillable = c.canonicalRequest.split(STAND_IN).length - 1 === 2 * expected;
  return {
    parts: fillable ? pieces.filter((_, i) => i % 2 === 0) : undefined,
    slots,
    signedHeaders: c.signedHeaders,
    headers: c.kept,
    givenPayloadHash: c.givenPayloadHash,
    sendsPayloadHash: c.sendsPayloadHash,
  };
}

/** smithy's canonical request for `request` signed at `longDate` with `payloadHash`. */
function canonicalise(
  s: Smithy,
  request: SignableRequest,
  token: string | undefined,
  applyChecksum: boolean,
  longDate: string,
  payloadHash: string,
) {
  const { module, signer } = s;
  // The headers smithy would sign and return: the input's minus the ones a signature
  // generates (prepareRequest), plus x-amz-date, the session token and the payload hash.
  const kept: string[] = [];
  const headers: Record<string, string> = {};
  let givenPayloadHash: string | undefined;
  for (const name in request.headers) {
    const lower = name.toLowerCase();
    if (module.GENERATED_HEADERS.includes(lower)) continue;
    const value = request.headers[name] as string;
    kept.push(name, value);
    headers[name] = value;
    if (lower === module.SHA256_HEADER) givenPayloadHash = value;
  }
  headers[module.AMZ_DATE_HEADER] = longDate;
  if (token) headers[module.TOKEN_HEADER] = token;
  const sendsPayloadHash = givenPayloadHash === undefined && applyChecksum;
  if (sendsPayloadHash) headers[module.SHA256_HEADER] = payloadHash;
  const canonicalHeaders = module.getCanonicalHeaders({ headers } as never);
  const canonicalRequest = signer.createCanonicalRequest(
    { method: request.method, path: request.path, query: request.query, headers },
    canonicalHeaders,
    givenPayloadHash ?? payloadHash,
  );
  return {
    canonicalRequest,
    signedHeaders: signer.getCanonicalHeaderList(canonicalHeaders),
    kept,
    givenPayloadHash,
    sendsPayloadHash,
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
