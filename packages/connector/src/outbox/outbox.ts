import { ConnectorValidationError, PiiInDeviceIdError } from '../errors.js';
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
  /** The parked marker this entry left in the store (`ParkedMarkers`), when it left one. */
  readonly parkId?: string;
}

/**
 * Durable store for SendConnectorEvent requests the service refused. Nothing is lost: an event is
 * removed only after the service accepted it (or it moved to a dead-letter queue). Order is kept
 * per device: while a device has parked entries, new events for it are appended behind them
 * instead of overtaking them.
 */
export interface Outbox {
  /** Parks one event; `parkId` names the parked marker left for it in the store, if any. */
  add(
    deviceKey: string,
    request: SendConnectorEventRequest,
    lastError: string,
    parkId?: string,
  ): Promise<void>;
  /**
   * Whether the device has parked entries, for an outbox that can see its own contents (SQLite,
   * memory: exact). An outbox that cannot (`SqsOutbox`: SQS has no "is this message group
   * empty") leaves it out, and the connector store's parked markers answer instead.
   */
  hasPending?(deviceKey: string): Promise<boolean>;
  /** Oldest first (by id), at most `limit`. */
  list(limit?: number): Promise<OutboxEntry[]>;
  remove(id: number): Promise<void>;
  recordFailure(id: number, lastError: string): Promise<void>;
  count(): Promise<number>;
  /**
   * Messages `list` found but could not read (not JSON, not an outbox entry): skipped and left
   * where they are, reported here so a replay can name them. Optional: an outbox whose storage
   * cannot hold foreign data (SQLite rows it wrote itself) need not implement it.
   */
  unreadable?(): readonly UnreadableOutboxMessage[];
}

/** A message in the outbox's storage that is not an outbox entry; left in place, never deleted. */
export interface UnreadableOutboxMessage {
  /** The storage's own id (the SQS MessageId). */
  readonly messageId: string;
  /** Why it was skipped, without its content (it may quote anything). */
  readonly reason: string;
}

/** In-process outbox (tests; a warm container's short-lived buffer). Not durable. */
export class MemoryOutbox implements Outbox {
  private readonly entries: OutboxEntry[] = [];
  private nextId = 1;
  add(deviceKey: string, request: SendConnectorEventRequest, lastError: string, parkId?: string) {
    this.entries.push({
      id: this.nextId++,
      deviceKey,
      request,
      attempts: 1,
      lastError,
      createdAt: Date.now(),
      ...(parkId === undefined ? {} : { parkId }),
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
  /** Entries that failed with a retryable error (throttling, 5xx, network): the next replay may deliver them. */
  readonly failed: number;
  /**
   * Entries that failed permanently (see `isPermanentReplayError`): the service rejected them
   * (4xx other than 429) or they do not pass the client's own validation. Kept, flagged for a human.
   */
  readonly rejected: number;
  /** What the outbox still holds after the run (parked, queued behind, unreadable). */
  readonly remaining: number;
  /** Each failure of this run, in the order it happened. */
  readonly failures: readonly ReplayFailure[];
  /** Messages the outbox skipped because they are not outbox entries (left in place). */
  readonly unreadable: readonly UnreadableOutboxMessage[];
}

/** One entry that a replay could not deliver. */
export interface ReplayFailure {
  readonly id: number;
  readonly deviceKey: string;
  /** The request's Operation (DEVICE_EVENT, …), or `(unknown)` for a malformed entry. */
  readonly operation: string;
  /** The error's name (`ThrottlingException`, `ConnectorValidationError`, …). */
  readonly errorName: string;
  /** `Name: message`, as recorded in the outbox. */
  readonly error: string;
  /** Retrying cannot help: the service rejected it, or it fails the client's own validation. */
  readonly permanent: boolean;
}

/**
 * Whether a replay failure is permanent — sending the same request again cannot succeed — so it
 * is reported for a human instead of being retried: the service's client errors (4xx other than
 * 429 throttling) and the client's own checks before sending (`ConnectorValidationError`: the
 * model's constraints, Matter values; `PiiInDeviceIdError`). Throttling, 5xx, network errors and
 * an exhausted retry budget are transient.
 */
export function isPermanentReplayError(error: unknown): boolean {
  if (error instanceof ConnectorValidationError || error instanceof PiiInDeviceIdError) return true;
  return (
    error instanceof ServiceException &&
    error.statusCode >= 400 &&
    error.statusCode < 500 &&
    error.statusCode !== 429
  );
}

/**
 * Re-sends outbox entries oldest first. A device whose head entry fails is skipped for the
 * rest of the pass so its later events never overtake it. `concurrency` devices are replayed
 * side by side (each device's entries still one after another, in order); default 1, one entry
 * at a time. Backs `c2c replay`.
 */
export async function replayOutbox(
  outbox: Outbox,
  sender: ReplaySender,
  options: { limit?: number; logger?: Logger; concurrency?: number } = {},
): Promise<ReplayReport> {
  const logger = options.logger ?? silentLogger;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const blocked = new Set<string>();
  const failures: ReplayFailure[] = [];
  let sent = 0;
  let failed = 0;
  let rejected = 0;
  const limit = options.limit ?? 10_000;
  /** One device's entries of a pass, in order, until one fails; whether any was delivered. */
  const replayDevice = async (entries: readonly OutboxEntry[]): Promise<boolean> => {
    let progressed = false;
    for (const entry of entries) {
      if (sent + failed + rejected >= limit) break;
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
        const permanent = isPermanentReplayError(error);
        if (permanent) rejected++;
        else failed++;
        const op = (entry.request as { Operation?: unknown } | null | undefined)?.Operation;
        failures.push({
          id: entry.id,
          deviceKey: entry.deviceKey,
          operation: typeof op === 'string' ? op : '(unknown)',
          errorName: name,
          error: `${name}: ${message}`,
          permanent,
        });
        logger.warn('outbox replay failed', { outboxId: entry.id, error: name, permanent });
        break;
      }
    }
    return progressed;
  };
  // Passes, because a FIFO queue only hands out a device's next event once the previous one is
  // deleted; a pass that delivers nothing ends the replay.
  for (let pass = 0; pass < 1000 && sent + failed + rejected < limit; pass++) {
    const byDevice = new Map<string, OutboxEntry[]>();
    for (const entry of await outbox.list(limit)) {
      if (blocked.has(entry.deviceKey)) continue;
      const list = byDevice.get(entry.deviceKey);
      if (list === undefined) byDevice.set(entry.deviceKey, [entry]);
      else list.push(entry);
    }
    const devices = [...byDevice.values()];
    let progressed = false;
    let next = 0;
    const worker = async () => {
      while (next < devices.length) {
        if (await replayDevice(devices[next++] as OutboxEntry[])) progressed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, worker));
    if (!progressed) break;
  }
  const unreadable = outbox.unreadable?.() ?? [];
  for (const m of unreadable) {
    logger.warn('outbox message is not an outbox entry; left in place', {
      messageId: m.messageId,
      reason: m.reason,
    });
  }
  return { sent, failed, rejected, remaining: await outbox.count(), failures, unreadable };
}
