import { nodeCrypto } from './nodeCrypto.js';

/** SHA-256 block size, bytes. */
const BLOCK = 64;
/** Messages up to this size go through the reused buffer; longer ones stream through createHmac. */
const MAX_BUFFERED = 256 * 1024;

/**
 * HMAC-SHA256 under one fixed key (RFC 2104), as two one-shot `crypto.hash` calls over key pads
 * computed once. A `createHmac` object per message is mostly the cost of building and later
 * collecting the object, which the short messages authenticated per request (a SigV4 string to
 * sign or to verify, a webhook id + timestamp + body) do not need (docs/benchmarks/connector.md).
 *
 * The message is written into one reused buffer after the inner pad: callers must not
 * interleave calls (each call is synchronous, so nothing can).
 */
export class HmacSha256 {
  readonly #key: Buffer;
  #inner: Buffer;
  readonly #outer: Buffer;

  constructor(key: Uint8Array) {
    // A key longer than the block is hashed first (RFC 2104 §2).
    this.#key = key.length > BLOCK ? nodeCrypto().hash('sha256', key, 'buffer') : Buffer.from(key);
    this.#inner = this.#pad(0x36, 2 * BLOCK);
    this.#outer = this.#pad(0x5c, 32);
  }

  /** HMAC of `prefix` followed by `rest` (strings as UTF-8). */
  digest(prefix: string, rest?: string | Uint8Array): Buffer {
    return this.#compute(prefix, rest, 'buffer') as Buffer;
  }

  /** The same, as lower-case hex. */
  hex(prefix: string, rest?: string | Uint8Array): string {
    return this.#compute(prefix, rest, 'hex') as string;
  }

  /** The same, as standard (padded) base64. */
  base64(prefix: string, rest?: string | Uint8Array): string {
    return this.#compute(prefix, rest, 'base64') as string;
  }

  #compute(
    prefix: string,
    rest: string | Uint8Array | undefined,
    encoding: 'buffer' | 'hex' | 'base64',
  ): Buffer | string {
    const crypto = nodeCrypto();
    // An upper bound of the UTF-8 size: at most 3 bytes per UTF-16 unit.
    const bound =
      prefix.length * 3 +
      (rest === undefined ? 0 : typeof rest === 'string' ? rest.length * 3 : rest.length);
    if (bound > MAX_BUFFERED) {
      const mac = crypto.createHmac('sha256', this.#key).update(prefix);
      if (rest !== undefined) mac.update(rest);
      return encoding === 'buffer' ? mac.digest() : mac.digest(encoding);
    }
    if (BLOCK + bound > this.#inner.length) {
      this.#inner = this.#pad(0x36, Math.max(bound, 2 * this.#inner.length));
    }
    const inner = this.#inner;
    let end = BLOCK + inner.write(prefix, BLOCK, 'utf8');
    if (typeof rest === 'string') end += inner.write(rest, end, 'utf8');
    else if (rest !== undefined) {
      inner.set(rest, end);
      end += rest.length;
    }
    const innerHash = crypto.hash('sha256', inner.subarray(0, end), 'buffer') as Buffer;
    innerHash.copy(this.#outer, BLOCK);
    return crypto.hash('sha256', this.#outer, encoding);
  }

  /** The key XOR `byte`, padded to a block, in a buffer of BLOCK + `room` bytes. */
  #pad(byte: number, room: number): Buffer {
    const buffer = Buffer.alloc(BLOCK + room, byte);
    for (let i = 0; i < this.#key.length; i++) {
      buffer[i] = (buffer[i] as number) ^ (this.#key[i] as number);
    }
    return buffer;
  }
}
