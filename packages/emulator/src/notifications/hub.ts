import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  buildNotification,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEnvelope,
  type NotificationEventType,
  type NotificationPayloads,
  notificationEnvelope,
} from '@c2c-kit/protocol';
import type { EmulatorCredential } from '../config.js';

/** Where one account's notifications of one event type go (from CreateNotificationConfiguration). */
export interface KinesisTarget {
  readonly destinationName: string;
  readonly streamArn: string;
}

export type NotificationListener = (message: NotificationEnvelope) => void;

/**
 * A ring-only message nobody needed when it was published (no SSE listener, no Kinesis target,
 * not sampled for validation): what its envelope is built from, with the publish time. The
 * envelope (id, formatted timestamp) is built the first time the ring is read and then kept, so
 * every read shows the same message the eager path would have stored.
 */
class PendingEnvelope {
  constructor(
    readonly accountId: string,
    readonly eventType: string,
    /** The payload, or (from `publishLazy`) the pure function that builds it. */
    readonly payload: unknown,
    readonly lazy: boolean,
    readonly resources: readonly string[],
    readonly at: number,
    readonly region: string,
  ) {}
}

export interface NotificationHubOptions {
  /** The region of notifications published without one (the emulator's configured region). */
  readonly region: string;
  /**
   * Kinesis endpoint for deliveries (kinesalite, LocalStack …). Unset → Kinesis deliveries are
   * skipped (counted, one warning per destination): a local emulator never calls real AWS.
   */
  readonly kinesisEndpoint?: string;
  readonly credentials: EmulatorCredential;
  /** The account's notification configuration for the event type in the region, if any. */
  readonly resolveTarget: (
    accountId: string,
    eventType: string,
    region: string,
  ) => KinesisTarget | undefined;
  /** A delivery failed for good (after every attempt) or was dropped because too many are pending. */
  readonly onDeliveryError?: (error: unknown, target: KinesisTarget) => void;
  /** Called once per destination when deliveries to it are skipped (no Kinesis endpoint). */
  readonly onDeliverySkipped?: (target: KinesisTarget) => void;
  readonly delivery?: KinesisDeliveryOptions;
  readonly onInvalid?: (error: unknown, eventType: string) => void;
  readonly recentLimit?: number;
}

/** Bounds of one Kinesis delivery, so a slow or unreachable endpoint costs little and ends. */
export interface KinesisDeliveryOptions {
  /** Per-attempt deadline (connect + PutRecord) in ms; default 2000. */
  readonly timeoutMs?: number;
  /** Attempts per message, the first included; default 3. */
  readonly attempts?: number;
  /** Pause before retry n is n × this, in ms; default 100. */
  readonly backoffMs?: number;
  /** Deliveries in flight at most; more are dropped (counted) instead of queueing without end. */
  readonly maxPending?: number;
}

export interface DeliveryStats {
  delivered: number;
  failed: number;
  pending: number;
  /** Messages protocol's validator refused (sent anyway in the local envelope, and logged). */
  invalid: number;
  /** Kinesis deliveries not attempted because no Kinesis endpoint is configured. */
  skipped: number;
  /** Extra PutRecord attempts after a failed or timed-out one. */
  retried: number;
  /** Deliveries dropped because `maxPending` were already in flight. */
  dropped: number;
}

const MODELLED = new Set<string>(NOTIFICATION_EVENT_TYPES);
/** Messages per event type always validated before sampling starts. */
const ALWAYS_VALIDATE = 1000;
/** After that, one in this many ring-only messages is validated. */
const SAMPLE_EVERY = 64;

/**
 * Fan-out of customer notifications: an in-memory ring of recent messages (for tests and tools),
 * live Server-Sent-Events subscribers per account, and Kinesis PutRecord deliveries through the
 * real AWS SDK client for configured event types. Publishing never blocks the request that caused
 * it; Kinesis deliveries run in the background and are counted.
 */
export class NotificationHub {
  readonly #options: NotificationHubOptions;
  // Ring buffer of recent messages: `#next` is where the next one goes once the ring is full.
  // (push + splice(0, 1) moved all 1000 entries on every publish.)
  readonly #recent: Array<NotificationEnvelope | PendingEnvelope> = [];
  #next = 0;
  readonly #limit: number;
  readonly #listeners = new Map<string, Set<NotificationListener>>();
  readonly #clients = new Map<string, Promise<KinesisClient>>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #seen = new Map<string, number>();
  readonly #warned = new Set<string>();
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #maxPending: number;
  readonly stats: DeliveryStats = {
    delivered: 0,
    failed: 0,
    pending: 0,
    invalid: 0,
    skipped: 0,
    retried: 0,
    dropped: 0,
  };

  constructor(options: NotificationHubOptions) {
    this.#options = options;
    this.#limit = options.recentLimit ?? 1000;
    const d = options.delivery ?? {};
    this.#timeoutMs = positive(d.timeoutMs, 2000);
    this.#attempts = Math.max(1, Math.floor(positive(d.attempts, 3)));
    this.#backoffMs = d.backoffMs !== undefined && d.backoffMs >= 0 ? d.backoffMs : 100;
    this.#maxPending = Math.max(1, Math.floor(positive(d.maxPending, 10_000)));
  }

  /**
   * Records and delivers one notification. Returns the envelope when one was built now (SSE
   * listener, Kinesis target or validation sample), `undefined` for a ring-only message whose
   * envelope is built when the ring is first read. `region` is the region of the resource the
   * notification is about (its account's configuration in that region decides the delivery).
   */
  publish(
    accountId: string,
    eventType: string,
    payload: unknown,
    resources: readonly string[],
    region: string = this.#options.region,
  ): NotificationEnvelope | undefined {
    return this.#publish(accountId, eventType, payload, false, resources, region);
  }

  /**
   * `publish` with the payload built by `makePayload`, called only when the message is needed:
   * at once for SSE listeners, Kinesis targets and validation samples, otherwise on the first
   * ring read. `makePayload` must be pure (same inputs, same payload, no side effects), so the
   * message is the one `publish(makePayload())` would have recorded.
   */
  publishLazy(
    accountId: string,
    eventType: string,
    makePayload: () => unknown,
    resources: readonly string[],
    region: string = this.#options.region,
  ): NotificationEnvelope | undefined {
    return this.#publish(accountId, eventType, makePayload, true, resources, region);
  }

  #publish(
    accountId: string,
    eventType: string,
    payload: unknown,
    lazy: boolean,
    resources: readonly string[],
    region: string,
  ): NotificationEnvelope | undefined {
    const listeners = this.#listeners.get(accountId);
    const target = this.#options.resolveTarget(accountId, eventType, region);
    // Messages leaving the emulator (SSE, Kinesis) are always validated; ring-only messages are
    // validated while few, then sampled, so high-rate ingest does not pay for it every time.
    const seen = (this.#seen.get(eventType) ?? 0) + 1;
    this.#seen.set(eventType, seen);
    const live = target !== undefined || (listeners !== undefined && listeners.size > 0);
    const validate = live || seen <= ALWAYS_VALIDATE || seen % SAMPLE_EVERY === 0;
    if (!validate) {
      this.#remember(
        new PendingEnvelope(accountId, eventType, payload, lazy, resources, Date.now(), region),
      );
      return undefined;
    }
    const built = lazy ? (payload as () => unknown)() : payload;
    const message = this.#envelope(accountId, region, eventType, built, resources, true);
    this.#remember(message);
    if (listeners !== undefined) {
      for (const listener of listeners) listener(message);
    }
    if (target !== undefined) this.#deliver(target, message);
    return message;
  }

  #remember(entry: NotificationEnvelope | PendingEnvelope): void {
    if (this.#recent.length < this.#limit) {
      this.#recent.push(entry);
    } else if (this.#limit > 0) {
      this.#recent[this.#next] = entry;
      this.#next = this.#next + 1 === this.#limit ? 0 : this.#next + 1;
    }
  }

  /** The ring's entry at `index` as an envelope (built once, then stored in place). */
  #entry(index: number): NotificationEnvelope {
    const entry = this.#recent[index] as NotificationEnvelope | PendingEnvelope;
    if (!(entry instanceof PendingEnvelope)) return entry;
    const message = notificationEnvelope(
      entry.eventType,
      entry.lazy ? (entry.payload as () => unknown)() : entry.payload,
      {
        customerAccountId: entry.accountId,
        region: entry.region,
        resources: entry.resources,
        timestamp: new Date(entry.at),
      },
    );
    this.#recent[index] = message;
    return message;
  }

  #envelope(
    accountId: string,
    region: string,
    eventType: string,
    payload: unknown,
    resources: readonly string[],
    validate: boolean,
  ): NotificationEnvelope {
    if (validate && MODELLED.has(eventType)) {
      try {
        return buildNotification(
          eventType as NotificationEventType,
          payload as NotificationPayloads[NotificationEventType],
          { customerAccountId: accountId, region, resources },
        ) as NotificationEnvelope;
      } catch (error) {
        // A bug on our side must not lose the notification: count it, send the local envelope.
        this.stats.invalid += 1;
        this.#options.onInvalid?.(error, eventType);
      }
    }
    return notificationEnvelope(eventType, payload, {
      customerAccountId: accountId,
      region,
      resources,
    });
  }

  /** Recent messages, oldest first, optionally filtered. */
  recent(
    filter: { account?: string; eventType?: string; limit?: number } = {},
  ): NotificationEnvelope[] {
    const out: NotificationEnvelope[] = [];
    const size = this.#recent.length;
    // Oldest first: from the write index to the end, then from the start (ring order).
    for (let i = 0; i < size; i++) {
      const m = this.#entry((this.#next + i) % size);
      if (
        (filter.account === undefined || m.customerAccountId === filter.account) &&
        (filter.eventType === undefined || m.messageType === filter.eventType)
      ) {
        out.push(m);
      }
    }
    return filter.limit === undefined ? out : out.slice(-filter.limit);
  }

  subscribe(accountId: string, listener: NotificationListener): () => void {
    let set = this.#listeners.get(accountId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(accountId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Resolves when every started Kinesis delivery has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  async close(): Promise<void> {
    await this.drain();
    for (const client of this.#clients.values()) {
      (await client.catch(() => undefined))?.destroy();
    }
    this.#clients.clear();
    this.#listeners.clear();
  }

  /**
   * The region's Kinesis client. The SDK is loaded on the first delivery, not at start-up: most
   * emulators deliver nothing to Kinesis, and it is one of the largest modules they would load.
   */
  #client(region: string, endpoint: string): Promise<KinesisClient> {
    let client = this.#clients.get(region);
    if (client === undefined) {
      client = kinesisSdk().then(
        ({ KinesisClient, NodeHttpHandler }) =>
          new KinesisClient({
            region,
            endpoint,
            credentials: {
              accessKeyId: this.#options.credentials.accessKeyId,
              secretAccessKey: this.#options.credentials.secretAccessKey,
            },
            // Retries are ours (bounded, counted); the SDK makes exactly one attempt per call.
            maxAttempts: 1,
            // PutRecord needs no HTTP/2 streaming; HTTP/1.1 also reaches kinesalite and LocalStack.
            requestHandler: new NodeHttpHandler({
              connectionTimeout: this.#timeoutMs,
              requestTimeout: this.#timeoutMs,
            }),
          }),
      );
      this.#clients.set(region, client);
    }
    return client;
  }

  #deliver(target: KinesisTarget, message: NotificationEnvelope): void {
    const endpoint = this.#options.kinesisEndpoint;
    if (endpoint === undefined || endpoint === '') {
      // Without an endpoint the SDK would resolve the public AWS endpoint: a local emulator must
      // never silently call real AWS (and offline it hangs on DNS). Skip, count, warn once.
      this.stats.skipped += 1;
      this.#warnOnce(`skip|${target.destinationName}|${target.streamArn}`, () =>
        this.#options.onDeliverySkipped?.(target),
      );
      return;
    }
    if (this.stats.pending >= this.#maxPending) {
      this.stats.dropped += 1;
      this.#warnOnce(`drop|${target.destinationName}`, () =>
        this.#options.onDeliveryError?.(
          new Error(
            `${this.stats.pending} Kinesis deliveries already pending; dropping further messages to this destination`,
          ),
          target,
        ),
      );
      return;
    }
    // arn:aws:kinesis:<region>:<account>:stream/<name>
    const parts = target.streamArn.split(':');
    const region = parts[3] || this.#options.region;
    const streamName = (parts[5] ?? '').replace(/^stream\//, '');
    const client = this.#client(region, endpoint);
    const input = {
      StreamName: streamName,
      Data: Buffer.from(JSON.stringify(message)),
      PartitionKey: message.resources[0] ?? message.customerAccountId,
    };
    this.stats.pending += 1;
    const p = this.#putWithRetries(client, input)
      .then(
        () => {
          this.stats.delivered += 1;
        },
        (error: unknown) => {
          this.stats.failed += 1;
          this.#options.onDeliveryError?.(error, target);
        },
      )
      .finally(() => {
        this.stats.pending -= 1;
        this.#inflight.delete(p);
      });
    this.#inflight.add(p);
  }

  /** PutRecord with a deadline per attempt and a bounded number of attempts. */
  async #putWithRetries(
    clientReady: Promise<KinesisClient>,
    input: { StreamName: string; Data: Buffer; PartitionKey: string },
  ): Promise<void> {
    const client = await clientReady;
    const { PutRecordCommand } = await kinesisSdk();
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new PutRecordCommand(input), {
          abortSignal: AbortSignal.timeout(this.#timeoutMs),
        });
        return;
      } catch (error) {
        if (attempt >= this.#attempts) throw error;
        this.stats.retried += 1;
        await new Promise<void>((r) => setTimeout(r, this.#backoffMs * attempt));
      }
    }
  }

  #warnOnce(key: string, warn: () => void): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    warn();
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

let sdk:
  | Promise<typeof import('@aws-sdk/client-kinesis') & typeof import('@smithy/node-http-handler')>
  | undefined;
/** The Kinesis SDK and its HTTP/1.1 handler, imported once, on first use. */
function kinesisSdk() {
  sdk ??= Promise.all([
    import('@aws-sdk/client-kinesis'),
    import('@smithy/node-http-handler'),
  ]).then(([kinesis, http]) => ({ ...kinesis, ...http }));
  return sdk;
}
