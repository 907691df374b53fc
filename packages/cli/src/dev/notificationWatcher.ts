import { StepFailedError } from '../errors.js';
import { SseParser } from './sse.js';

/** One notification as it arrived on the stream. */
export interface ArrivedNotification {
  readonly message: Record<string, unknown>;
  readonly eventType: string;
  /** `performance.now()` when the event was parsed off the socket. */
  readonly arrivedAt: number;
}

type Waiter = {
  readonly predicate: (n: ArrivedNotification) => boolean;
  readonly resolve: (n: ArrivedNotification) => void;
};

/**
 * Subscribes to the emulator's per-account SSE notification stream and lets a caller wait for a
 * notification matching a predicate. Everything received is kept (bounded) so a notification
 * that arrives before the caller starts waiting is not missed.
 */
export class NotificationWatcher {
  private readonly seen: ArrivedNotification[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private readonly listeners = new Set<(n: ArrivedNotification) => void>();
  private pump: Promise<void> | undefined;

  constructor(private readonly url: string) {}

  /** Opens the stream; resolves once the server answered (so later events are not missed). */
  async start(): Promise<void> {
    const response = await fetch(this.url, {
      headers: { accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (!response.ok || response.body === null) {
      throw new StepFailedError(
        'notification stream',
        `${this.url} answered HTTP ${response.status}`,
      );
    }
    const body = response.body;
    this.pump = (async () => {
      const parser = new SseParser();
      const decoder = new TextDecoder();
      try {
        for await (const chunk of body) {
          for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
            this.receive(event.data);
          }
        }
      } catch {
        // Aborted by close(), or the emulator went away.
      }
    })();
  }

  /** Called for every notification, as it arrives. */
  onNotification(listener: (n: ArrivedNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    const record = message as Record<string, unknown>;
    const arrived: ArrivedNotification = {
      message: record,
      eventType: String(record.messageType ?? record.eventType ?? ''),
      arrivedAt: performance.now(),
    };
    this.seen.push(arrived);
    if (this.seen.length > 5000) this.seen.splice(0, this.seen.length - 5000);
    for (const listener of this.listeners) listener(arrived);
    for (const waiter of this.waiters) {
      if (waiter.predicate(arrived)) {
        this.waiters.delete(waiter);
        waiter.resolve(arrived);
      }
    }
  }

  /** Everything received so far. */
  received(): readonly ArrivedNotification[] {
    return this.seen;
  }

  /**
   * Resolves with the first notification (already received or arriving within `timeoutMs`)
   * matching `predicate`; otherwise fails as step `step`, listing what did arrive.
   */
  waitFor(
    step: string,
    predicate: (n: ArrivedNotification) => boolean,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<ArrivedNotification> {
    const earlier = this.seen.slice(since).find(predicate);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const types = this.seen.slice(since).map((n) => n.eventType);
        reject(
          new StepFailedError(
            step,
            `no matching notification within ${timeoutMs} ms (received: ${types.length > 0 ? types.join(', ') : 'none'})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.pump;
  }
}
