/**
 * Text of an untrusted value that never throws: `String(value)` throws for objects with a broken
 * `toString` (`{ toString: {} }`), which hostile or random JSON-like input can contain.
 */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) return '';
  return value === null ? 'null' : typeof value;
}

/** JSON text of a value for messages; never throws (cycles, BigInt) and never returns undefined. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? asText(value);
  } catch {
    return asText(value);
  }
}

/**
 * Field and attribute names whose text values are secrets (DoorLock `PinCode`, `CredentialData`,
 * GroupKeyManagement `EpochKey0`, …). Case-sensitive on PascalCase names so that words merely
 * containing the letters ("Mapping", "Keypad") are not caught.
 */
const SENSITIVE =
  /PIN|Pin(?=[A-Z]|$)|Passcode|Password|Credential|Secret|Key(?!pad)|Token|Nonce|IPK|Ipk|Signature/;

/** Whether values of this element must never appear in errors or descriptions. */
export function isSensitiveElement(name: string | undefined, kind: string): boolean {
  // Numbers, booleans, enums and bitmaps cannot carry a secret; text, bytes and containers can.
  if (
    kind === 'bool' ||
    kind === 'int' ||
    kind === 'float' ||
    kind === 'enum' ||
    kind === 'bitmap'
  ) {
    return false;
  }
  return name !== undefined && SENSITIVE.test(name);
}
