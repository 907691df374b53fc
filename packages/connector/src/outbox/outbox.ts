import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { SendConnectorEventRequest } from '../protocol.js';
import { ServiceException } from '../protocol.js';

/** An event that could not be delivered, kept until a replay succeeds. */
export interface OutboxEntry {
  readonly id: number;
  /** Ordering key: events of one device are replayed in insertion order. */
  readonly deviceKey: string;
  readonly request: SendConnectorEventRequest;
  readonly attempts: number;
  readonly lastError: string;
  readonly createdAt: number;
}

/**
 * Durable dead-letter for SendConnectorEvent. Nothing is lost: an event is removed only after
 * the service accepted it. Order is kept per device: while a device has pending entries, new
 * events for it are appended behind them instead of overtaking them.
 */
export interface Outbox {
  add(deviceKey: string, request: SendConnectorEventRequest, lastError: string): Promise<void>;
  hasPending(deviceKey: string): Promise<boolean>;
  /** Oldest first (by id), at most `limit`. */
  list(limit?: number): Promise<OutboxEntry[]>;
  remove(id: number): Promise<void>;
  recordFailure(id: number, lastError: string): Promise<void>;
  count(): Promise<number>;
}

/** In-process outbox (tests; a warm container's short-lived buffer). Not durable. */
export class MemoryOutbox implements Outbox {
  private readonly entries: OutboxEntry[] = [];
  private nextId = 1;
  add(deviceKey: string, request: SendConnectorEventRequest, lastError: string) {
    this.entries.push({
      id: this.nextId++,
      deviceKey,
      request,
      attempts: 1,
      lastError,
      createdAt: Date.now(),
    });
    return Promise.resolve();
  }
  hasPending(deviceKey: string) {
    return Promise.resolve(this.entries.some((e) => e.deviceKey === deviceKey));
  }
  list(limit = 1000) {
    return Promise.resolve(this.entries.slice(0, limit));
  }
  remove(id: number) {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i >= 0) this.entries.splice(i, 1);
    return Promise.resolve();
  }
  recordFailure(id: number, lastError: string) {
    const i = this.entries.findIndex((e) => e.id === id);
    const e = this.entries[i];
    if (e) this.entries[i] = { ...e, attempts: e.attempts + 1, lastError };
    return Promise.resolve();
  }
  count() {
    return Promise.resolve(this.entries.length);
  }
}

export interface ReplaySender {
  sendConnectorEvent(request: SendConnectorEventRequest): Promise<unknown>;
}

export interface ReplayReport {
  readonly sent: number;
  readonly failed: number;
  /** Entries the service rejected as invalid (4xx other than 429): kept, flagged for a human. */
  readonly rejected: number;
  readonly remaining: number;
}

/**
 * Re-sends outbox entries oldest first. A device whose head entry fails is skipped for the
 * rest of the pass so its later events never overtake it. Backs `c2c replay`.
 */
export async function replayOutbox(
  outbox: Outbox,
  sender: ReplaySender,
  options: { limit?: number; logger?: Logger } = {},
): Promise<ReplayReport> {
  const logger = options.logger ?? silentLogger;
  const blocked = new Set<string>();
  let sent = 0;
  let failed = 0;
  let rejected = 0;
  const limit = options.limit ?? 10_000;
  // Passes, because a FIFO queue only hands out a device's next event once the previous one is
  // deleted; a pass that delivers nothing ends the replay.
  for (let pass = 0; pass < 1000 && sent + failed + rejected < limit; pass++) {
    const entries = (await outbox.list(limit)).filter((e) => !blocked.has(e.deviceKey));
    let progressed = false;
    for (const entry of entries) {
      if (blocked.has(entry.deviceKey)) continue;
      try {
        await sender.sendConnectorEvent(entry.request);
        await outbox.remove(entry.id);
        sent++;
        progressed = true;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        await outbox.recordFailure(entry.id, `${name}: ${message}`);
        blocked.add(entry.deviceKey);
        const permanent =
          error instanceof ServiceException &&
          error.statusCode >= 400 &&
          error.statusCode < 500 &&
          error.statusCode !== 429;
        if (permanent) rejected++;
        else failed++;
        logger.warn('outbox replay failed', { outboxId: entry.id, error: name, permanent });
      }
    }
    if (!progressed) break;
  }
  return { sent, failed, rejected, remaining: await outbox.count() };
}
