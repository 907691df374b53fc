import type { Hash, Hmac } from 'node:crypto';
import { nodeCrypto } from '@c2c-kit/protocol';

type Data = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Data): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The `Checksum` implementation smithy's signer wants, on node:crypto (with a secret, an HMAC):
 * the pure-JS @aws-crypto/sha256-js the SDK would otherwise bring is much slower. Also for code
 * that signs raw requests with `SignatureV4` itself (tests of a verifier, benchmarks).
 */
export class NodeSha256 {
  private readonly secret: Data | undefined;
  private hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.secret = secret;
    this.hash = NodeSha256.create(secret);
  }
  private static create(secret: Data | undefined): Hash | Hmac {
    return secret === undefined
      ? nodeCrypto().createHash('sha256')
      : nodeCrypto().createHmac('sha256', toBuffer(secret));
  }
  update(data: Data): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

/** Short, stable, non-reversible tag for a user id in logs (correlation without the raw id). */
export function hashId(value: string): string {
  return nodeCrypto().createHash('sha256').update(value).digest('hex').slice(0, 16);
}
