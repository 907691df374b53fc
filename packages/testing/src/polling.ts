/**
 * Polls `probe` every 100 ms until it returns a value other than `undefined` or `false` (at most
 * `timeoutMs`, and at most 1,000 polls), for what a test waits on through a real server; then
 * throws, naming `what`.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let polls = 0; polls < 1000 && Date.now() < deadline; polls++) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}
