import { createHash } from 'node:crypto';

/** A message attribute as SQS stores it (BinaryValue decoded). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return [len, bytes];
}

/**
 * MD5OfMessageAttributes exactly as SQS computes it: attributes sorted by name; for each, the
 * length-prefixed name, the length-prefixed data type, a transport byte (1 = String/Number,
 * 2 = Binary) and the length-prefixed value.
 */
export function md5OfMessageAttributes(
  attributes: Record<string, MessageAttributeValue>,
): string | undefined {
  const names = Object.keys(attributes).sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attr = attributes[name] as MessageAttributeValue;
    parts.push(...lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(...lengthPrefixed(Buffer.from(attr.DataType, 'utf8')));
    if (attr.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]), ...lengthPrefixed(attr.BinaryValue ?? Buffer.alloc(0)));
    } else {
      parts.push(Buffer.from([1]), ...lengthPrefixed(Buffer.from(attr.StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
