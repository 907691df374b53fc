/**
 * Wakes long polls: a receive that finds nothing waits on its queue's signal (or a deadline), and
 * a send, a visibility change or a redrive signals the queue.
 */
export class LongPollSignals {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #closeController = new AbortController();

  /** Waits until `notify(arn)`, `ms` pass, `signal` aborts or `close()`. */
  wait(arn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.#waiters.get(arn);
      if (!set) {
        set = new Set();
        this.#waiters.set(arn, set);
      }
      const waiters = set;
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        this.#closeController.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
      this.#closeController.signal.addEventListener('abort', done, { once: true });
    });
  }

  notify(arn: string): void {
    const set = this.#waiters.get(arn);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Ends every wait, now and later. */
  close(): void {
    this.#closeController.abort();
  }
}
