/** The compact text form the generated Matter tables are stored in (decoded by `packed.ts`). */

/**
 * Packs items into the text `packages/matter/src/packed.ts` decodes: object keys move into a
 * shape table, and every string or subtree that occurs often enough to pay for a reference
 * (the global attributes, common enums, `"uint8"`, …) is stored once in a pool. The decoded data
 * is exactly `items` (a test checks); the packed text is a fraction of the plain JSON, which
 * matters because every bundled connector ships and parses it on cold start.
 * One line per item, so the runtime decodes only the items it uses.
 */
export function pack(items: readonly unknown[], head: (item: never) => unknown): string {
  const shapeIds = new Map<string, number>();
  const shapes: string[][] = [];
  const texts = new Map<unknown, string>();
  const counts = new Map<string, number>();
  const samples = new Map<string, unknown>();
  const keysOf = (v: object) =>
    Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
  const shapeOf = (keys: string[]) => {
    const key = keys.join(',');
    let id = shapeIds.get(key);
    if (id === undefined) {
      shapes.push(keys);
      id = shapes.length;
      shapeIds.set(key, id);
    }
    return id;
  };
  // Pass 1: each value's plain packed text (no references), and how often each text occurs.
  const canon = (v: unknown): string => {
    let text: string;
    if (typeof v === 'string') {
      if (v.startsWith('~'))
        throw new Error(`generate-matter: string ${v} would read as a reference`);
      text = JSON.stringify(v);
    } else if (Array.isArray(v)) {
      text = `[0${v.map((x) => `,${canon(x)}`).join('')}]`;
    } else if (v !== null && typeof v === 'object') {
      const keys = keysOf(v);
      const values = keys.map((k) => `,${canon((v as Record<string, unknown>)[k])}`);
      text = `[${shapeOf(keys)}${values.join('')}]`;
    } else {
      return JSON.stringify(v);
    }
    if (typeof v === 'object') texts.set(v, text);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    if (!samples.has(text)) samples.set(text, v);
    return text;
  };
  for (const item of items) canon(item);
  // Pool what saves bytes: n copies of L bytes cost n·L; pooled they cost L + n·(reference).
  const REF = 7;
  const pooled = [...counts]
    .filter(([text, n]) => n > 1 && n * text.length > text.length + 1 + n * REF)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([text]) => text);
  const poolIndex = new Map(pooled.map((text, i) => [text, i]));
  // Pass 2: the same texts, with references to pooled values.
  const emit = (v: unknown, inPool = false): string => {
    const text = typeof v === 'object' && v !== null ? (texts.get(v) as string) : JSON.stringify(v);
    const ref = inPool ? undefined : poolIndex.get(text);
    if (ref !== undefined) return `"~${ref}"`;
    if (Array.isArray(v)) return `[0${v.map((x) => `,${emit(x)}`).join('')}]`;
    if (v !== null && typeof v === 'object') {
      const keys = keysOf(v);
      const values = keys.map((k) => `,${emit((v as Record<string, unknown>)[k])}`);
      return `[${shapeIds.get(keys.join(','))}${values.join('')}]`;
    }
    return text;
  };
  const pool = pooled.map((text) => emit(samples.get(text), true));
  const heads = items.map((item) => head(item as never));
  const lines = [
    `[${JSON.stringify(shapes)},[${pool.join(',')}],${JSON.stringify(heads)}]`,
    ...items.map((item) => emit(item)),
  ];
  return lines.join('\n');
}
