import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { VendorConfigError } from './errors.js';
import type { DeviceEvent } from './simulation.js';

export interface WebhookRetryOptions {
  /** Total attempts including the first (default 6, at most 20). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt with ±20 % jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Cap on one delay (default 10 s). */
  maxDelayMs?: number;
}

export interface WebhookOptions {
  /** Connector Function URL; without one, events are logged as `skipped`. */
  url?: string;
  /** Standard Webhooks secret (`whsec_<base64>`); generated when absent. */
  secret?: string;
  retry?: WebhookRetryOptions;
  /** Per-attempt timeout (default 5 s). */
  timeoutMs?: number;
  /** Deliveries kept in the log (default 500). */
  logLimit?: number;
}

export interface DeliveryAttempt {
  at: string;
  /** HTTP status, or undefined when the request failed (connection refused, timeout). */
  status?: number;
  error?: string;
  durationMs: number;
}

export interface DeliveryRecord {
  /** The `webhook-id` (same on every retry, so the receiver can dedupe). */
  id: string;
  type: string;
  deviceId: string;
  url: string | undefined;
  state: 'pending' | 'delivered' | 'failed' | 'skipped';
  /** Why a delivery was skipped: `no_target` (no webhook URL) or `user_not_linked`. */
  skipReason?: 'no_target' | 'user_not_linked';
  attempts: DeliveryAttempt[];
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function validSecret(secret: string): boolean {
  const raw = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  return (
    raw.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(raw) && Buffer.from(raw, 'base64').length >= 16
  );
}

/** Retry on server trouble and throttling; other 4xx mean our request is wrong, retrying won't help. */
function retryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * Delivers device events to the connector, signed with Standard Webhooks v1 via the reference
 * `standardwebhooks` library. One queue per device keeps events of a device in order while a
 * retry is pending; devices do not block each other.
 */
export class WebhookDispatcher {
  private url: string | undefined;
  private signer: Webhook;
  private secretValue: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly logLimit: number;
  private readonly records: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  private closed = false;

  constructor(options: WebhookOptions = {}) {
    this.secretValue = options.secret ?? generateWebhookSecret();
    if (!validSecret(this.secretValue)) {
      throw new VendorConfigError(
        'webhookSecret',
        'expected "whsec_" + base64 of at least 16 bytes',
      );
    }
    this.signer = new Webhook(this.secretValue);
    this.url = checkUrl(options.url);
    const r = options.retry ?? {};
    this.maxAttempts = Math.min(Math.max(r.maxAttempts ?? 6, 1), 20);
    this.baseDelayMs = Math.max(r.baseDelayMs ?? 250, 0);
    this.maxDelayMs = Math.max(r.maxDelayMs ?? 10_000, this.baseDelayMs);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.logLimit = options.logLimit ?? 500;
  }

  get secret(): string {
    return this.secretValue;
  }

  get targetUrl(): string | undefined {
    return this.url;
  }

  /** Changes where (and with which secret) later events go, e.g. once the connector is up. */
  setTarget(url: string | undefined, secret?: string): void {
    this.url = checkUrl(url);
    if (secret !== undefined) {
      if (!validSecret(secret)) {
        throw new VendorConfigError('secret', 'expected "whsec_" + base64 of at least 16 bytes');
      }
      this.secretValue = secret;
      this.signer = new Webhook(secret);
    }
  }

  /**
   * Queues one event for delivery and returns immediately. `skip` records the event in the log
   * without sending it (the user has no live authorization, so nobody is subscribed).
   */
  enqueue(event: DeviceEvent, skip?: 'user_not_linked'): void {
    const reason = this.url ? skip : 'no_target';
    const record: DeliveryRecord = {
      id: event.eventId,
      type: event.type,
      deviceId: event.deviceId,
      url: this.url,
      state: reason ? 'skipped' : 'pending',
      ...(reason ? { skipReason: reason } : {}),
      attempts: [],
    };
    this.records.push(record);
    if (this.records.length > this.logLimit)
      this.records.splice(0, this.records.length - this.logLimit);
    if (reason || this.closed) return;
    const body = JSON.stringify(event);
    const previous = this.queues.get(event.deviceId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(record, body));
    this.queues.set(event.deviceId, next);
    void next.then(() => {
      if (this.queues.get(event.deviceId) === next) this.queues.delete(event.deviceId);
    });
  }

  /** Newest first. */
  log(): DeliveryRecord[] {
    return structuredClone(this.records).reverse();
  }

  /** Resolves once every queued delivery has finished (delivered or given up). For tests and shutdown. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Stops retries and closes pooled connections. Pending deliveries end as `failed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    await this.idle();
    await this.agent.close();
  }

  private async deliver(record: DeliveryRecord, body: string): Promise<void> {
    const url = record.url;
    if (!url) return;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.closed) break;
      const started = performance.now();
      const at = new Date();
      let status: number | undefined;
      let error: string | undefined;
      let retryAfterMs: number | undefined;
      try {
        // Signed per attempt: the timestamp must be fresh for the receiver's tolerance window,
        // while webhook-id stays the same so a retry is recognisable as the same message.
        const signature = this.signer.sign(record.id, at, body);
        const res = await request(url, {
          method: 'POST',
          dispatcher: this.agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'acme-cloud-webhooks/1.0',
            'webhook-id': record.id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        status = res.statusCode;
        const ra = res.headers['retry-after'];
        if (typeof ra === 'string' && /^\d+$/.test(ra)) retryAfterMs = Number(ra) * 1000;
        await res.body.dump();
      } catch (err) {
        error =
          err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
      }
      const entry: DeliveryAttempt = {
        at: at.toISOString(),
        durationMs: round(performance.now() - started),
      };
      if (status !== undefined) entry.status = status;
      if (error !== undefined) entry.error = error;
      record.attempts.push(entry);
      if (status !== undefined && status >= 200 && status < 300) {
        record.state = 'delivered';
        return;
      }
      if (!retryable(status) || attempt === this.maxAttempts) break;
      const backoff = Math.min(this.baseDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
      const jittered = backoff * (0.8 + Math.random() * 0.4);
      await this.sleep(Math.min(Math.max(jittered, retryAfterMs ?? 0), this.maxDelayMs));
    }
    record.state = 'failed';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = {
        timer: setTimeout(() => {
          this.timers.delete(handle);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.timers.add(handle);
    });
  }
}

function checkUrl(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new VendorConfigError(
      'webhookUrl',
      `expected an http(s) URL, got ${JSON.stringify(url)}`,
    );
  }
  return url;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
