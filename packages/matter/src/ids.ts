import { MatterIdError } from './errors.js';

const HEX = /^0[xX][0-9a-fA-F]{1,8}$/;
const DEC = /^[0-9]{1,10}$/;
const MAX_ID = 0xffff_ffff;

/**
 * Parses a Matter id as AWS payloads carry it: `"0x0202"`, `"0x202"`, `"514"` or `514` → 514.
 * Returns undefined for anything else (the non-throwing form used by validators).
 */
export function tryParseMatterId(id: unknown): number | undefined {
  if (typeof id === 'number') {
    return Number.isInteger(id) && id >= 0 && id <= MAX_ID ? id : undefined;
  }
  if (typeof id !== 'string') return undefined;
  // Payloads repeat the same few ids ("0x0000", "0x0202"): a small memo saves the regex work on
  // the validation hot path. Bounded so hostile input cannot grow it without limit.
  const cached = parsed.get(id);
  if (cached !== undefined) return cached;
  let n: number | undefined;
  if (HEX.test(id)) n = Number.parseInt(id.slice(2), 16);
  else if (DEC.test(id)) n = Number(id) <= MAX_ID ? Number(id) : undefined;
  if (n !== undefined) {
    if (parsed.size >= MEMO_LIMIT) parsed.clear();
    parsed.set(id, n);
  }
  return n;
}

const MEMO_LIMIT = 4096;
const parsed = new Map<string, number>();
const formatted = new Map<number, string>();

/**
 * Parses a Matter id: `"0x0202"`, `"0x202"`, `"514"` or `514` → 514 (32-bit unsigned).
 * @throws MatterIdError naming what was expected and what arrived.
 */
export function parseMatterId(id: unknown): number {
  const n = tryParseMatterId(id);
  if (n === undefined) {
    throw new MatterIdError(
      `expected hex "0x…" or decimal Matter id (0 to 0xFFFFFFFF), got ${describe(id)}`,
      id,
    );
  }
  return n;
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}

/**
 * Canonical hex as AWS examples write ids: lower-case `0x`, upper-case digits (`0x002B`, `0xFFFD`),
 * zero-padded to `width`; ids wider than that (manufacturer-specific 32-bit) get 8 digits.
 */
function hex(id: number | string, width: number): string {
  const n = typeof id === 'number' ? id : parseMatterId(id);
  if (!Number.isInteger(n) || n < 0 || n > MAX_ID) parseMatterId(n);
  // Memo key: the id in the low 32 bits, the width above them (exact in a double).
  const key = width * 2 ** 32 + n;
  let text = formatted.get(key);
  if (text === undefined) {
    const digits = n.toString(16).toUpperCase();
    text = `0x${digits.padStart(digits.length > width ? 8 : width, '0')}`;
    if (formatted.size >= MEMO_LIMIT) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** `514` → `"0x0202"`; manufacturer-specific ids (`0x1234FC00`) → 8 digits. */
export function formatClusterId(id: number | string): string {
  return hex(id, 4);
}

/** `0` → `"0x0000"`; manufacturer-specific 32-bit ids (`0x15570003`) → 8 digits. */
export function formatAttributeId(id: number | string): string {
  return hex(id, 4);
}

/** `0` → `"0x00"` (command ids are 2 digits in AWS examples). */
export function formatCommandId(id: number | string): string {
  return hex(id, 2);
}

/** `2` → `"0x02"`, like command ids. */
export function formatEventId(id: number | string): string {
  return hex(id, 2);
}

/** Command and event field ids: `0` → `"0x00"`. */
export function formatFieldId(id: number | string): string {
  return hex(id, 2);
}

/** `43` → `"0x002B"`. */
export function formatDeviceTypeId(id: number | string): string {
  return hex(id, 4);
}
