/**
 * Decoder of the packed form the generator writes into `src/generated/` (see `pack()` in
 * `codegen/src/matter/generate-matter.ts`): the same JSON data `model.ts` describes, stored about
 * 12× smaller (700 KB of JSON → 60 KB) because every bundled connector ships it and a Lambda
 * cold start parses it. Nothing is decoded at import; the first lookup pays ~2 ms, once.
 *
 * The stored string is base64 of brotli-compressed text: one header line `[shapes, pool, heads]`,
 * then one line per item.
 * - An object is `[shape, v1, v2, …]`: `shape` (≥ 1) is a 1-based index into `shapes`, its keys in order.
 * - An array is `[0, e1, e2, …]`.
 * - A string `"~n"` is the n-th entry of `pool`: a value that occurs many times, stored once.
 * - Anything else (numbers, booleans, other strings) is itself.
 * Items are decoded on first use only; every reference decodes to fresh objects (none shared).
 */

type Packed = string | number | boolean | null | Packed[];

export interface Pack<T, H> {
  /** Small per-item summaries (ids and names) that do not need the items decoded. */
  heads(): readonly H[];
  /** Item `i`, decoded on first use (the same object afterwards). */
  item(i: number): T;
  /** Every item, decoded. */
  all(): readonly T[];
}

interface Unpacked<H> {
  readonly lines: string[];
  readonly shapes: string[][];
  readonly pool: Packed[];
  readonly heads: H[];
}

/** Inflates the stored string; exported for the generator, which checks its output round-trips. */
export function inflatePacked(packed: string): string {
  // Loaded on first use, not at import: node:zlib is not needed by a cold start that never looks
  // up the table.
  const zlib = process.getBuiltinModule('node:zlib');
  return zlib.brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
}

export function unpack<T, H>(packed: string): Pack<T, H> {
  let state: Unpacked<H> | undefined;
  const items: T[] = [];
  let everything: readonly T[] | undefined;

  const load = (): Unpacked<H> => {
    if (state === undefined) {
      const lines = inflatePacked(packed).split('\n');
      const [shapes, pool, heads] = JSON.parse(lines[0] as string) as [string[][], Packed[], H[]];
      state = { lines, shapes, pool, heads };
    }
    return state;
  };

  const decode = (v: Packed, s: Unpacked<H>): unknown => {
    if (typeof v === 'string') {
      return v.charCodeAt(0) === 126 /* ~ */ ? decode(s.pool[Number(v.slice(1))] as Packed, s) : v;
    }
    if (!Array.isArray(v)) return v;
    const tag = v[0] as number;
    if (tag === 0) {
      const out: unknown[] = new Array(v.length - 1);
      for (let i = 1; i < v.length; i++) out[i - 1] = decode(v[i] as Packed, s);
      return out;
    }
    const keys = s.shapes[tag - 1] as string[];
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) out[keys[i] as string] = decode(v[i + 1] as Packed, s);
    return out;
  };

  const item = (i: number): T => {
    let value = items[i];
    if (value === undefined) {
      const s = load();
      value = decode(JSON.parse(s.lines[i + 1] as string) as Packed, s) as T;
      items[i] = value;
    }
    return value;
  };
  return {
    heads: () => load().heads,
    item,
    all() {
      everything ??= load().heads.map((_, i) => item(i));
      return everything;
    },
  };
}
