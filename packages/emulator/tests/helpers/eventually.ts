/**
 * Polls `probe` until `ok` holds, then returns the value; bounded (100 ms steps, 15 s at most),
 * after which it returns the last value for the test's assertion to report.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
